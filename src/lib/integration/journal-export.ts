/**
 * The journal, taken off the device: a Markdown document the person can read anywhere, or a ZIP
 * with that document and the voice notes it links to.
 *
 * The person's words are written as they are. Only what Markdown would turn into something else
 * is touched: a line that would become a heading ("# …", or a line of "---" under a paragraph) gets
 * a backslash, which a Markdown reader hides; a single line break is kept as a line break.
 *
 * Pure: the entries and the voice notes' bytes come in, the text or the ZIP's bytes go out.
 *
 * @example
 * const zip = journalZip(entries, voices, { exportedAt: new Date() }); // voices: entry id → bytes
 * const file = new File([zip], journalExportFileName(new Date(), 'zip'), { type: 'application/zip' });
 */
import { zipSync, type Zippable } from 'fflate';
import type { Seconds } from '../units';
import { wallClockOf, type LocalDate } from './plan';

/** A journal entry as the export reads it (journal-store.ts keeps the same shape). */
export interface ExportableEntry {
	version: 1;
	id: string;
	createdAt: number;
	updatedAt: number;
	date: LocalDate;
	/** Days after the session (0 the session day), or null outside a plan. */
	day: number | null;
	prompt: string | null;
	text: string;
	voice: { mime: string; bytes: number; durationSeconds: Seconds } | null;
}

export interface JournalMarkdownOptions {
	readonly exportedAt: Date;
	/** The file a voice note is saved as beside the document, or null when it is not. */
	readonly voiceFileOf?: (entry: ExportableEntry) => string | null;
}

export const JOURNAL_MARKDOWN_PATH = 'journal.md';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
	'January',
	'February',
	'March',
	'April',
	'May',
	'June',
	'July',
	'August',
	'September',
	'October',
	'November',
	'December'
];

/** The recorder's container, by its MIME type without parameters. */
const EXTENSION_OF: Record<string, string> = {
	'audio/webm': 'webm',
	'audio/mp4': 'm4a',
	'audio/x-m4a': 'm4a',
	'audio/ogg': 'ogg',
	'audio/wav': 'wav',
	'audio/x-wav': 'wav',
	'audio/mpeg': 'mp3'
};

/** Audio is compressed already; deflating it again costs time and saves nothing. */
const AUDIO_LEVEL = 0;
const TEXT_LEVEL = 6;

/** "Sunday, 6 December 2026", the same on every device (no locale data needed). */
function longDate(date: LocalDate): string {
	const [year, month, day] = date.split('-').map(Number) as [number, number, number];
	const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
	return `${WEEKDAYS[weekday] ?? ''}, ${day} ${MONTHS[month - 1] ?? ''} ${year}`;
}

function dayLabel(day: number | null): string {
	if (day === null) return '';
	if (day === 0) return ' · the session day';
	if (day > 0) return ` · day ${day} after the session`;
	return ` · ${-day === 1 ? 'the day' : `${-day} days`} before the session`;
}

/** "1 min 05 s", "45 s". */
function durationText(seconds: Seconds): string {
	const whole = Number.isFinite(seconds) ? Math.max(0, Math.round(seconds)) : 0;
	const minutes = Math.floor(whole / 60);
	const rest = whole % 60;
	return minutes > 0 ? `${minutes} min ${String(rest).padStart(2, '0')} s` : `${rest} s`;
}

/** A heading-making line ("# …", "## …", "===", "---" under a paragraph), with a backslash before its mark. */
const HEADING_LIKE = /^( {0,3})(#|=+\s*$|-+\s*$|(?:[-*_]\s*){3,}$)/;

/**
 * The person's words as Markdown: the words unchanged, line breaks kept (two trailing spaces),
 * and no line made into a heading or a rule.
 */
function ownWords(text: string): string {
	return linesOf(text)
		.join('\n')
		.split(/\n\s*\n/)
		.map((paragraph) => paragraph.split('\n').map(noHeading).join('  \n'))
		.join('\n\n');
}

/** A prompt as a blockquote, kept from making headings inside the quote too. */
function quoted(text: string): string {
	return linesOf(text)
		.map((line) => (line.trim() ? `> ${noHeading(line)}` : '>'))
		.join('\n');
}

function linesOf(text: string): string[] {
	return text.replace(/\r\n?/g, '\n').trim().split('\n');
}

function noHeading(line: string): string {
	return line.replace(HEADING_LIKE, (_, indent: string, mark: string) => `${indent}\\${mark}`);
}

/** Oldest first: by the entry's date, then when it was written. */
function oldestFirst(entries: readonly ExportableEntry[]): ExportableEntry[] {
	return [...entries].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.createdAt - b.createdAt));
}

/** "voice/2026-12-06-<id>.webm": the entry's date and id, with only characters every file system takes. */
export function voiceFileName(entry: ExportableEntry): string {
	const safe = (value: string) => value.replace(/[^A-Za-z0-9_-]+/g, '-');
	const mime = (entry.voice?.mime ?? '').split(';')[0]!.trim().toLowerCase();
	return `voice/${safe(entry.date)}-${safe(entry.id)}.${EXTENSION_OF[mime] ?? 'audio'}`;
}

/** The journal as one Markdown document, oldest entry first. */
export function journalMarkdown(entries: readonly ExportableEntry[], options: JournalMarkdownOptions): string {
	const blocks: string[] = [
		'# My Grounded journal',
		`Exported on ${longDate(wallClockOf(options.exportedAt).slice(0, 10))} from this device.`
	];
	if (entries.length === 0) blocks.push('No entries yet.');
	for (const entry of oldestFirst(entries)) {
		blocks.push(`## ${longDate(entry.date)}${dayLabel(entry.day)}`);
		if (entry.prompt?.trim()) blocks.push(quoted(entry.prompt));
		if (entry.text.trim()) blocks.push(ownWords(entry.text));
		if (entry.voice) {
			const file = options.voiceFileOf?.(entry) ?? null;
			const where = file ? `[${file}](${file})` : 'kept in Grounded on this device';
			blocks.push(`Voice note (${durationText(entry.voice.durationSeconds)}): ${where}`);
		}
	}
	return `${blocks.join('\n\n')}\n`;
}

/**
 * The journal as a ZIP: journal.md, and each voice note found in `voices` (by entry id) under
 * voice/, linked from the document. A voice note not in `voices` is named as kept on the device.
 */
export function journalZip(
	entries: readonly ExportableEntry[],
	voices: ReadonlyMap<string, Uint8Array>,
	options: { readonly exportedAt: Date }
): Uint8Array {
	const mtime = options.exportedAt;
	const fileOf = new Map<string, string>();
	for (const entry of entries) {
		if (entry.voice && voices.has(entry.id)) fileOf.set(entry.id, voiceFileName(entry));
	}
	const markdown = journalMarkdown(entries, {
		exportedAt: options.exportedAt,
		voiceFileOf: (entry) => fileOf.get(entry.id) ?? null
	});
	// The document first, so that it heads the ZIP's listing.
	const files: Zippable = {
		[JOURNAL_MARKDOWN_PATH]: [new TextEncoder().encode(markdown), { level: TEXT_LEVEL, mtime }]
	};
	for (const [id, name] of fileOf) files[name] = [voices.get(id)!, { level: AUDIO_LEVEL, mtime }];
	return zipSync(files);
}

/** "grounded-journal-2026-12-06.md" or ".zip", by the day on the device's clock. */
export function journalExportFileName(exportedAt: Date, kind: 'md' | 'zip'): string {
	return `grounded-journal-${wallClockOf(exportedAt).slice(0, 10)}.${kind}`;
}
