/**
 * M3U and M3U8 playlists brought in with a person’s own music: which files they list, in order,
 * and which of the imported audio files each line means.
 *
 * Pure: no DOM, storage or audio. A playlist names files by the path they had on the computer
 * that wrote it (`C:\Music\a.mp3`, `../Music/a.mp3`, `file:///…`), which means nothing here, so
 * entries are matched to the imported files by base name only.
 *
 * @example
 * const parsed = parseM3u(decodeM3u(new Uint8Array(await file.arrayBuffer())));
 * if (!parsed.ok) return show(parsed.reason);
 * const { matched, missing } = matchEntries(parsed.value, importedFiles);
 */
import type { Result } from '../result';
import type { Seconds } from '../units';

export interface M3uEntry {
	/** The location as a readable path: file URLs turned into paths, percent-escapes decoded. Streams keep their URL. */
	path: string;
	/** From `#EXTINF`, usually “Artist - Title”. */
	title?: string;
	/** From `#EXTINF`; absent when the playlist says -1 (unknown). */
	durationSeconds?: Seconds;
	/** An http(s) or other network stream: it names no file, so it can’t be imported. */
	online?: true;
}

const REFUSED = 'This file can’t be used as a playlist.';

/** Any URL scheme of two letters or more, so that `C:\…` and `C:/…` stay paths. */
const URL_SCHEME = /^([a-z][a-z0-9+.-]+):/i;

/**
 * Reads the lines of an M3U or M3U8 playlist. The `#EXTM3U` header is optional; `#EXTINF`
 * gives the next file its duration and title; other `#` lines and blank lines are skipped.
 *
 * @example
 * parseM3u('#EXTM3U\n#EXTINF:215,Hania Rani - Eden\n..\\Music\\Eden.flac');
 * // { ok: true, value: [{ path: '..\\Music\\Eden.flac', title: 'Hania Rani - Eden', durationSeconds: 215 }] }
 */
export function parseM3u(text: string): Result<M3uEntry[]> {
	const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
	if (hasBinaryBytes(body)) {
		return { ok: false, reason: `${REFUSED} It isn’t text: it may be a music file rather than a playlist.` };
	}
	const lines = body.split(/\r\n|\r|\n/).map((line) => line.trim());
	const first = lines.find((line) => line !== '') ?? '';
	if (first.toLowerCase() === '[playlist]') {
		return {
			ok: false,
			reason: `${REFUSED} It is a PLS playlist; only M3U and M3U8 playlists can be read. Most players can save a playlist as M3U.`
		};
	}
	// No file name starts with “<” on Windows, and a JSON document is never a list of names.
	if (first.startsWith('<') || isJson(body)) {
		return { ok: false, reason: `${REFUSED} It looks like a web page or a data file, not a list of file names.` };
	}

	const entries: M3uEntry[] = [];
	let info: Pick<M3uEntry, 'title' | 'durationSeconds'> = {};
	for (const line of lines) {
		if (line === '') continue;
		if (line.startsWith('#')) {
			if (/^#EXTINF:/i.test(line)) info = readExtinf(line.slice('#EXTINF:'.length));
			continue;
		}
		entries.push({ ...readLocation(line), ...info });
		info = {};
	}
	return { ok: true, value: entries };
}

/**
 * NUL and the other control characters never occur in a text playlist; an audio file or an
 * archive picked by mistake is full of them. Tab, line breaks and form feed are text.
 */
function hasBinaryBytes(text: string): boolean {
	for (let i = 0; i < text.length; i += 1) {
		const code = text.charCodeAt(i);
		if (code < 0x20 && (code < 0x09 || code > 0x0d)) return true;
	}
	return false;
}

function isJson(text: string): boolean {
	const start = text.trimStart()[0];
	if (start !== '{' && start !== '[') return false;
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
}

/** `-1,Title`, `215.5,Artist - Title`, or with IPTV-style attributes: `-1 tvg-name="a,b",Title`. */
function readExtinf(rest: string): Pick<M3uEntry, 'title' | 'durationSeconds'> {
	let comma = -1;
	let quoted = false;
	for (let i = 0; i < rest.length; i += 1) {
		if (rest[i] === '"') quoted = !quoted;
		else if (rest[i] === ',' && !quoted) {
			comma = i;
			break;
		}
	}
	const head = comma < 0 ? rest : rest.slice(0, comma);
	const title = comma < 0 ? '' : rest.slice(comma + 1).trim();
	const duration = Number(/^\s*(-?\d+(?:\.\d+)?)/.exec(head)?.[1]);
	const info: Pick<M3uEntry, 'title' | 'durationSeconds'> = {};
	// -1 is the format’s “unknown”; some players write 0 for the same.
	if (Number.isFinite(duration) && duration > 0) info.durationSeconds = duration;
	if (title !== '') info.title = title;
	return info;
}

function readLocation(line: string): Pick<M3uEntry, 'path' | 'online'> {
	const scheme = URL_SCHEME.exec(line)?.[1]?.toLowerCase();
	if (scheme === 'file') return { path: fileUrlToPath(line) };
	// http, https, rtsp, mms…: a stream, not a file on the person’s computer.
	if (scheme !== undefined && line.slice(scheme.length + 1).startsWith('//')) return { path: line, online: true };
	return { path: decodePercent(line) };
}

/** `file:///C:/My%20Music/a.mp3` → `C:/My Music/a.mp3`; `file://server/share/a.mp3` → `//server/share/a.mp3`. */
function fileUrlToPath(url: string): string {
	let rest = url.slice('file:'.length).replace(/[?#].*$/, '');
	if (rest.startsWith('//')) {
		const slash = rest.indexOf('/', 2);
		const host = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
		const path = slash < 0 ? '' : rest.slice(slash);
		rest = host === '' || host.toLowerCase() === 'localhost' ? path : `//${host}${path}`;
	}
	const path = decodePercent(rest);
	// `/C:/…`, and `/C|/…` from old Windows players, are drive paths.
	return /^\/[a-z][:|]/i.test(path) ? `${path[1]}:${path.slice(3)}` : path;
}

/**
 * Some players write names percent-encoded (`My%20Song.mp3`). A name that is not valid
 * percent-encoding (`100%.mp3`) is taken as written.
 */
function decodePercent(text: string): string {
	if (!text.includes('%')) return text;
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

/**
 * Turns the bytes of a playlist file into text. M3U8 is UTF-8 by definition, but plain `.m3u`
 * files from older Windows players are usually Windows-1252, where UTF-8 decoding would turn
 * every “é” into “�” and the names would no longer match.
 */
export function decodeM3u(bytes: Uint8Array): string {
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return new TextDecoder('windows-1252').decode(bytes);
	}
}

/** The last part of a path written with / or \ (a playlist from Windows uses \). */
export function fileNameOf(path: string): string {
	const parts = path.split(/[\\/]/);
	return parts[parts.length - 1] ?? '';
}

export interface M3uMatch {
	matched: { entry: M3uEntry; fileIndex: number }[];
	/** Entries no imported file answers, and every online stream, in playlist order. */
	missing: M3uEntry[];
}

/**
 * Finds, for each entry, the imported file it names, by base name: the exact name first, then
 * the name in any case, then the name in any case without its extension (a playlist made for
 * `Track01.FLAC` still finds `track01.mp3` after the music was converted). Names are compared in
 * Unicode NFC, since macOS writes file names decomposed.
 *
 * The same file may answer several entries (a playlist can list a track twice), and a path listed
 * twice always gets the same file. When several files fit an entry equally well, one not yet used
 * is preferred, so that `CD1/01.mp3` and `CD2/01.mp3` find two different imported `01.mp3`s;
 * otherwise the first in `files` wins.
 * Online streams are never matched, even when a file has the same name.
 *
 * @example
 * matchEntries([{ path: 'C:\\Music\\Track01.FLAC' }], [{ name: 'track01.mp3' }]);
 * // { matched: [{ entry: { path: 'C:\\Music\\Track01.FLAC' }, fileIndex: 0 }], missing: [] }
 */
export function matchEntries(entries: readonly M3uEntry[], files: readonly { name: string }[]): M3uMatch {
	const keys = files.map((file) => nameKeys(file.name));
	const used = new Set<number>();
	// A path listed twice means the same file both times, even when several files fit it.
	const byPath = new Map<string, number>();
	const result: M3uMatch = { matched: [], missing: [] };
	for (const entry of entries) {
		const fileIndex = entry.online
			? undefined
			: (byPath.get(entry.path) ?? bestFile(nameKeys(fileNameOf(entry.path)), keys, used));
		if (fileIndex === undefined) {
			result.missing.push(entry);
		} else {
			used.add(fileIndex);
			byPath.set(entry.path, fileIndex);
			result.matched.push({ entry, fileIndex });
		}
	}
	return result;
}

type NameKeys = readonly [exact: string, anyCase: string, anyCaseNoExtension: string];

function nameKeys(name: string): NameKeys {
	const exact = name.normalize('NFC');
	const anyCase = exact.toLowerCase();
	// `.hidden` has no extension to drop.
	const dot = anyCase.lastIndexOf('.');
	return [exact, anyCase, dot > 0 ? anyCase.slice(0, dot) : anyCase];
}

function bestFile(wanted: NameKeys, files: readonly NameKeys[], used: ReadonlySet<number>): number | undefined {
	if (wanted[0] === '') return undefined;
	for (let level = 0; level < wanted.length; level += 1) {
		const candidates = files.flatMap((keys, index) => (keys[level] === wanted[level] ? [index] : []));
		if (candidates.length > 0) return candidates.find((index) => !used.has(index)) ?? candidates[0];
	}
	return undefined;
}
