/**
 * The session sheet: a playlist's plan as the therapist prints it, in minutes
 * after the dose, with the reference points of the practice (DOSE_MARKERS)
 * placed among the phases and a row for the dose itself.
 *
 * The times follow the session clock's rules (session-clock.ts), so the paper
 * says what the console will do:
 * - Nothing moves on before the dose. An arrival phase at the start lasts
 *   until the dose, and the dose begins the next phase at once.
 * - A playlist that does not begin with an arrival phase counts its first
 *   phase from the start of the music; the sheet assumes the dose is given
 *   then (`doseAtStart`).
 * - After the dose each phase runs its planned minutes, except an arrival
 *   phase, which waits for the therapist to move on (the phases after it have
 *   no known start), and the last phase, which plays until the session ends.
 *
 * Pure: no DOM, no storage.
 *
 * @example
 * const sheet = sheetOf(playlist);
 * for (const row of sheet.rows) console.log(whenText(row), whatText(row), plannedText(row));
 * // "Before the dose"  "Arrival"                "15 min"
 * // "0 min"            "Dose given"             ""
 * // "0–25 min"         "Onset"                  "25 min"
 * // "10–15 min"        "Effects usually begin"  ""
 */
import { DOSE_MARKERS } from './session-clock';
import { plannedMinutes, type PhaseKind, type SessionPlaylist } from './playlist';

/** Minutes after the dose (negative never occurs: a phase before the dose says so instead). */
export type MinutesAfterDose = number;

/** How a phase ends, by the clock's rules. */
export type PhaseEnd =
	/** After its planned minutes; `to` is null when its start is not known. */
	| { readonly by: 'plan'; readonly to: MinutesAfterDose | null }
	/** An arrival phase at the start: the dose ends it. */
	| { readonly by: 'dose' }
	/** An arrival phase after the dose: it waits for the therapist. */
	| { readonly by: 'hand' }
	/** The last phase: the music plays on until the session is ended. */
	| { readonly by: 'end' };

export interface PhaseRow {
	readonly kind: 'phase';
	readonly index: number;
	readonly name: string;
	readonly phaseKind: PhaseKind;
	/** The phase's planned length, as the playlist gives it. */
	readonly minutes: number;
	/** When it begins: 'before-dose' at the session's start, null once the therapist moves on from a phase that waits. */
	readonly from: MinutesAfterDose | 'before-dose' | null;
	readonly until: PhaseEnd;
}

export interface DoseRow {
	readonly kind: 'dose';
}

export interface MarkerRow {
	readonly kind: 'marker';
	readonly label: string;
	readonly from: MinutesAfterDose;
	readonly to: MinutesAfterDose;
}

export type SheetRow = PhaseRow | DoseRow | MarkerRow;

export interface SessionSheet {
	readonly title: string;
	/** The playlist's planned length in minutes, all phases together. */
	readonly plannedMinutes: number;
	/** True when the playlist has no arrival phase to wait for the dose, so its times count from the start. */
	readonly doseAtStart: boolean;
	readonly rows: readonly SheetRow[];
}

function phaseRows(playlist: SessionPlaylist): PhaseRow[] {
	const last = playlist.phases.length - 1;
	const rows: PhaseRow[] = [];
	// Where the next phase begins, in minutes after the dose; null once a phase waits for the therapist.
	let cursor: MinutesAfterDose | null = 0;
	playlist.phases.forEach((phase, index) => {
		const base = { kind: 'phase', index, name: phase.name, phaseKind: phase.kind, minutes: phase.minutes } as const;
		const arrival = phase.kind === 'arrival';
		if (index === 0 && arrival) {
			rows.push({ ...base, from: 'before-dose', until: index === last ? { by: 'end' } : { by: 'dose' } });
			return;
		}
		const from = cursor;
		if (index === last) {
			rows.push({ ...base, from, until: { by: 'end' } });
		} else if (arrival) {
			rows.push({ ...base, from, until: { by: 'hand' } });
			cursor = null;
		} else {
			const to = from === null ? null : from + phase.minutes;
			rows.push({ ...base, from, until: { by: 'plan', to } });
			cursor = to;
		}
	});
	return rows;
}

/**
 * The sheet's rows in reading order: the phases before the dose, the dose, then the phases and the
 * reference points by the minute they begin (a phase first when both begin at the same minute). A
 * reference point comes before the first phase known to begin after it; phases whose start is not
 * known do not place it, so it goes after them.
 */
export function sheetOf(playlist: SessionPlaylist): SessionSheet {
	const pending: MarkerRow[] = [...DOSE_MARKERS]
		.sort((a, b) => a.from - b.from)
		.map(({ label, from, to }) => ({ kind: 'marker', label, from, to }));
	const rows: SheetRow[] = [];
	let dosed = false;
	for (const phase of phaseRows(playlist)) {
		if (!dosed && phase.from !== 'before-dose') {
			rows.push({ kind: 'dose' });
			dosed = true;
		}
		const from = phase.from;
		if (typeof from === 'number') {
			const later = pending.findIndex((marker) => marker.from >= from);
			rows.push(...pending.splice(0, later === -1 ? pending.length : later));
		}
		rows.push(phase);
	}
	if (!dosed) rows.push({ kind: 'dose' });
	rows.push(...pending);
	return {
		title: playlist.title,
		plannedMinutes: plannedMinutes(playlist),
		doseAtStart: playlist.phases[0]?.kind !== 'arrival',
		rows
	};
}

/** " (3 h)" after a whole number of hours, which a reader of a long session thinks in; else nothing. */
function hoursToo(minutes: MinutesAfterDose): string {
	return minutes >= 60 && minutes % 60 === 0 ? ` (${minutes / 60} h)` : '';
}

/** When a row happens, in minutes after the dose: "0–25 min", "Before the dose", "From 120 min to the end". */
export function whenText(row: SheetRow): string {
	if (row.kind === 'dose') return '0 min';
	if (row.kind === 'marker')
		return row.from === row.to ? `About ${row.from} min${hoursToo(row.from)}` : `${row.from}–${row.to} min`;
	const { from, until } = row;
	if (from === 'before-dose') return until.by === 'end' ? 'From the start to the end' : 'Before the dose';
	const start = from === null ? 'When you move on' : `From ${from} min`;
	switch (until.by) {
		case 'plan':
			return from === null || until.to === null ? start : `${from}–${until.to} min`;
		case 'hand':
			return from === null ? 'When you move on, until you move on again' : `${start}, until you move on`;
		default:
			// 'end'; a phase that the dose ends begins before it, above.
			return `${start} to the end`;
	}
}

/** What a row is: the phase's name, "Dose given", or the reference point. */
export function whatText(row: SheetRow): string {
	if (row.kind === 'dose') return 'Dose given';
	return row.kind === 'marker' ? row.label : row.name;
}

/** A phase's planned length, "25 min"; empty for the dose and the reference points. */
export function plannedText(row: SheetRow): string {
	return row.kind === 'phase' ? `${row.minutes} min` : '';
}
