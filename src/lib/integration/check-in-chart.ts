/**
 * The check-in chart as numbers: one line per scale over the plan's days (or the last two weeks
 * when there is no plan), a point only where there is a check-in, and a sentence per day for
 * screen readers. Pure: the page draws it as plain SVG.
 *
 * @example
 * const chart = checkInChart(checkIns, { from: '2026-12-05', days: 15, width: 600, height: 220 });
 * chart.lines[0].points; // [{ x, y, value, date }], mood
 */
import { addDays, type LocalDate } from './plan';
import { CHECK_IN_LIMITS, CHECK_IN_SCALES, type CheckIn, type CheckInScaleKey } from './check-in-store';

export interface ChartPoint {
	readonly x: number;
	readonly y: number;
	readonly value: number;
	readonly date: LocalDate;
}

export interface ChartLine {
	readonly key: CheckInScaleKey;
	readonly label: string;
	readonly points: ChartPoint[];
	/** Runs of consecutive days, drawn joined; a day with no check-in leaves a gap, not a fall to 0. */
	readonly runs: ChartPoint[][];
}

export interface CheckInChart {
	readonly width: number;
	readonly height: number;
	readonly padding: { left: number; right: number; top: number; bottom: number };
	readonly dates: LocalDate[];
	/** The x of each date. */
	readonly xs: number[];
	readonly lines: ChartLine[];
	/** One sentence per check-in, in date order, for people who can't see the chart. */
	readonly description: string[];
}

export interface ChartOptions {
	readonly from: LocalDate;
	readonly days: number;
	readonly width: number;
	readonly height: number;
	/** Words for a date in the description ("Monday 7 December"). */
	readonly dateWords?: (date: LocalDate) => string;
}

export function checkInChart(checkIns: readonly CheckIn[], options: ChartOptions): CheckInChart {
	const padding = { left: 36, right: 20, top: 12, bottom: 28 };
	const { width, height, days } = options;
	const dates = Array.from({ length: days }, (_, i) => addDays(options.from, i));
	const plotWidth = width - padding.left - padding.right;
	const plotHeight = height - padding.top - padding.bottom;
	const xs = dates.map((_, i) => padding.left + (days <= 1 ? plotWidth / 2 : (i * plotWidth) / (days - 1)));
	const yOf = (value: number) =>
		padding.top + plotHeight - (value - CHECK_IN_LIMITS.scaleMin) * (plotHeight / CHECK_IN_LIMITS.scaleMax);
	const byDate = new Map(checkIns.map((checkIn) => [checkIn.date, checkIn]));

	const lines = CHECK_IN_SCALES.map((scale) => {
		const points: ChartPoint[] = [];
		const runs: ChartPoint[][] = [];
		let run: ChartPoint[] = [];
		dates.forEach((date, i) => {
			const checkIn = byDate.get(date);
			if (!checkIn) {
				if (run.length > 0) runs.push(run);
				run = [];
				return;
			}
			const point = { x: xs[i]!, y: yOf(checkIn[scale.key]), value: checkIn[scale.key], date };
			points.push(point);
			run.push(point);
		});
		if (run.length > 0) runs.push(run);
		return { key: scale.key, label: scale.label, points, runs };
	});

	const words = options.dateWords ?? ((date: LocalDate) => date);
	const description = dates
		.filter((date) => byDate.has(date))
		.map((date) => {
			const checkIn = byDate.get(date)!;
			const values = CHECK_IN_SCALES.map((scale) => `${scale.label.toLowerCase()} ${checkIn[scale.key]}`).join(', ');
			return `${words(date)}: ${values} (of ${CHECK_IN_LIMITS.scaleMax}).`;
		});
	return { width, height, padding, dates, xs, lines, description };
}
