/**
 * The session log: what happened and when, for the therapist's notes. Kept on
 * the device; exported as plain text or CSV.
 *
 * Pure: formatting only. Times are wall-clock milliseconds; the time zone is
 * passed in so tests are exact and exports read in the therapist's own time.
 */
import type { Milliseconds } from '../units';

export type LogKind =
	| 'session-start'
	| 'dose'
	| 'phase'
	| 'hold'
	| 'release'
	| 'mode'
	| 'item'
	| 'duck'
	| 'pause'
	| 'resume'
	| 'skip'
	| 'problem'
	| 'session-end';

export interface LogEntry {
	readonly at: Milliseconds;
	readonly kind: LogKind;
	readonly text: string;
	/** For played items: when they ended (null while playing). */
	readonly endedAt?: Milliseconds | null;
}

export interface LogFormat {
	readonly timeZone?: string;
	readonly locale?: string;
	/** When the dose was given, to add "minutes since dose" to each line. */
	readonly doseAt?: Milliseconds | null;
}

function clock(at: Milliseconds, format: LogFormat): string {
	return new Intl.DateTimeFormat(format.locale ?? 'en-GB', {
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
		hour12: false,
		timeZone: format.timeZone
	}).format(at);
}

/** "+12:05" since the dose, "−3:10" before it; empty without a dose. */
export function sinceDose(at: Milliseconds, doseAt: Milliseconds | null | undefined): string {
	if (doseAt === null || doseAt === undefined) return '';
	const seconds = Math.round((at - doseAt) / 1000);
	const sign = seconds < 0 ? '−' : '+';
	const abs = Math.abs(seconds);
	const hours = Math.floor(abs / 3600);
	const minutes = Math.floor((abs % 3600) / 60);
	const rest = abs % 60;
	const mm = hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}` : String(minutes);
	return `${sign}${mm}:${String(rest).padStart(2, '0')}`;
}

/** One entry as the exports and the printed log show it. */
export interface LogLine {
	readonly at: Milliseconds;
	/** "14:05:09". */
	readonly time: string;
	/** "+12:05", or empty without a dose (see `sinceDose`). */
	readonly sinceDose: string;
	readonly kind: LogKind;
	readonly text: string;
	/** When a played item ended, "14:09:30"; empty when it had not. */
	readonly until: string;
}

/** The entries with their times written out, in the order given; the exports and the printed log share them. */
export function logLines(entries: readonly LogEntry[], format: LogFormat = {}): LogLine[] {
	return entries.map((entry) => ({
		at: entry.at,
		time: clock(entry.at, format),
		sinceDose: sinceDose(entry.at, format.doseAt),
		kind: entry.kind,
		text: entry.text,
		until: entry.endedAt ? clock(entry.endedAt, format) : ''
	}));
}

export function formatLogText(entries: readonly LogEntry[], format: LogFormat = {}): string {
	return logLines(entries, format)
		.map((line) => {
			const ended = line.until ? ` (until ${line.until})` : '';
			return `${line.time}${line.sinceDose ? ` [${line.sinceDose}]` : ''}  ${line.text}${ended}`;
		})
		.join('\n');
}

/**
 * A CSV cell, quoted when needed. Free text (a track title from an imported
 * file, say) also gets a leading apostrophe when it would otherwise start a
 * spreadsheet formula (CSV injection: = + - @ and tab/CR); the app's own
 * generated values, such as "+1:30", are left as they are.
 */
export function csvCell(value: string, freeText = false): string {
	const safe = freeText && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
	return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function formatLogCsv(entries: readonly LogEntry[], format: LogFormat = {}): string {
	const header = ['time', 'since_dose', 'kind', 'what', 'ended'];
	const rows = logLines(entries, format).map((line) => [line.time, line.sinceDose, line.kind, line.text, line.until]);
	const TEXT_COLUMN = 3;
	return (
		[header, ...rows]
			.map((row) => row.map((cell, column) => csvCell(cell, column === TEXT_COLUMN)).join(','))
			.join('\r\n') + '\r\n'
	);
}
