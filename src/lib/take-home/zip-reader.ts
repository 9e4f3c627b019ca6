/**
 * Reads a ZIP file by slicing it: the central directory from the end, then each entry's bytes on
 * their own, so a pack of hundreds of MB is never held in memory at once (iPhones end pages that
 * do). Deflated entries are inflated with fflate's streaming `Inflate`, counting every byte.
 *
 * Why not fflate's own readers: `unzip`/`unzipSync` need the whole archive in one buffer, and its
 * streaming `Unzip` finds where a stored entry ends by looking for the data-descriptor signature
 * inside the data (fflate's `Zip` writes one after every entry), which audio can contain by
 * chance. The central directory says exactly where every entry is and how large; this module
 * reads only that and the local headers, and leaves compression to fflate.
 *
 * Everything is checked before it is trusted: one disk, no ZIP64, no encryption, names as UTF-8,
 * every entry inside the file and before the directory, no two entries overlapping (the
 * overlapping-entry zip bomb), stored sizes equal, and inflated sizes exactly as declared.
 *
 * @example
 * const index = await readZipIndex(file, { maxEntries: 2000 });
 * if (!index.ok) show(index.reason);
 * const manifest = await readEntry(file, index.value.get('manifest.json')!, 1 << 20);
 */
import { Inflate } from 'fflate';
import type { Result } from '../result';

export interface ZipEntry {
	readonly name: string;
	/** 0 stored, 8 deflated; nothing else is accepted. */
	readonly method: 0 | 8;
	readonly compressedSize: number;
	/** The size it declares once inflated. */
	readonly size: number;
	/** Where its local header begins. */
	readonly headerOffset: number;
}

export interface ZipIndexOptions {
	readonly maxEntries: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
/** The end record's comment can be up to 65 535 bytes; the record is looked for within that. */
const EOCD_SEARCH = EOCD_SIZE + 0xffff;
/** How much of a deflated entry is read from the file at a time. */
const READ_CHUNK = 1 << 20;
/** How much compressed data is inflated at a time. */
const INFLATE_PIECE = 1 << 14;

const DAMAGED = 'The file is damaged or incomplete.';

async function bytesAt(file: Blob, start: number, end: number): Promise<Uint8Array> {
	return new Uint8Array(await file.slice(start, end).arrayBuffer());
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The central directory: every entry by name. Names are decoded, never trusted (see pack-format's pathProblem). */
export async function readZipIndex(file: Blob, options: ZipIndexOptions): Promise<Result<Map<string, ZipEntry>>> {
	if (file.size === 0) return { ok: false, reason: 'The file is empty.' };
	if (file.size < EOCD_SIZE) return { ok: false, reason: DAMAGED };
	const tailStart = Math.max(0, file.size - EOCD_SEARCH);
	const tail = await bytesAt(file, tailStart, file.size);
	const tailView = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
	let eocd = -1;
	for (let i = tail.length - EOCD_SIZE; i >= 0; i -= 1) {
		if (
			tailView.getUint32(i, true) === EOCD_SIGNATURE &&
			i + EOCD_SIZE + tailView.getUint16(i + 20, true) === tail.length
		) {
			eocd = i;
			break;
		}
	}
	if (eocd < 0) return { ok: false, reason: `${DAMAGED} (It is not a ZIP archive, or its end is missing.)` };
	const disk = tailView.getUint16(eocd + 4, true);
	const directoryDisk = tailView.getUint16(eocd + 6, true);
	const entriesHere = tailView.getUint16(eocd + 8, true);
	const entryCount = tailView.getUint16(eocd + 10, true);
	const directorySize = tailView.getUint32(eocd + 12, true);
	const directoryOffset = tailView.getUint32(eocd + 16, true);
	if (disk !== 0 || directoryDisk !== 0 || entriesHere !== entryCount) return { ok: false, reason: DAMAGED };
	if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
		return { ok: false, reason: 'It is larger than a take-home pack can be.' };
	}
	if (entryCount > options.maxEntries) return { ok: false, reason: 'It holds too many files to be a take-home pack.' };
	const eocdAt = tailStart + eocd;
	if (directoryOffset + directorySize !== eocdAt) return { ok: false, reason: DAMAGED };

	const directory = await bytesAt(file, directoryOffset, eocdAt);
	const view = new DataView(directory.buffer, directory.byteOffset, directory.byteLength);
	const entries = new Map<string, ZipEntry>();
	let at = 0;
	for (let n = 0; n < entryCount; n += 1) {
		if (at + CENTRAL_SIZE > directory.length || view.getUint32(at, true) !== CENTRAL_SIGNATURE) {
			return { ok: false, reason: DAMAGED };
		}
		const flags = view.getUint16(at + 8, true);
		const method = view.getUint16(at + 10, true);
		const compressedSize = view.getUint32(at + 20, true);
		const size = view.getUint32(at + 24, true);
		const nameLength = view.getUint16(at + 28, true);
		const extraLength = view.getUint16(at + 30, true);
		const commentLength = view.getUint16(at + 32, true);
		const headerOffset = view.getUint32(at + 42, true);
		const end = at + CENTRAL_SIZE + nameLength + extraLength + commentLength;
		if (end > directory.length) return { ok: false, reason: DAMAGED };
		if (flags & 0x1) return { ok: false, reason: 'It is locked with a password.' };
		if (method !== 0 && method !== 8) return { ok: false, reason: 'It is packed in a way Grounded can’t read.' };
		let name: string;
		try {
			name = utf8.decode(directory.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength));
		} catch {
			return { ok: false, reason: 'It holds a file whose name can’t be read.' };
		}
		if (entries.has(name)) return { ok: false, reason: `It holds two files named “${name.slice(0, 60)}”.` };
		if (method === 0 && compressedSize !== size) return { ok: false, reason: DAMAGED };
		if (headerOffset + LOCAL_SIZE + compressedSize > directoryOffset) return { ok: false, reason: DAMAGED };
		entries.set(name, { name, method, compressedSize, size, headerOffset });
		at = end;
	}
	if (at !== directory.length) return { ok: false, reason: DAMAGED };

	// Entries may not share bytes: overlapping entries are how some zip bombs multiply themselves.
	const byOffset = [...entries.values()].sort((a, b) => a.headerOffset - b.headerOffset);
	for (let i = 1; i < byOffset.length; i += 1) {
		const previous = byOffset[i - 1]!;
		if (byOffset[i]!.headerOffset < previous.headerOffset + LOCAL_SIZE + previous.compressedSize) {
			return { ok: false, reason: DAMAGED };
		}
	}
	return { ok: true, value: entries };
}

/** Where an entry's data lies, from its local header, which must name the same file. */
export async function dataRange(file: Blob, entry: ZipEntry): Promise<Result<{ start: number; end: number }>> {
	const header = await bytesAt(file, entry.headerOffset, entry.headerOffset + LOCAL_SIZE + 0xffff * 2);
	if (header.length < LOCAL_SIZE) return { ok: false, reason: DAMAGED };
	const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
	if (view.getUint32(0, true) !== LOCAL_SIGNATURE) return { ok: false, reason: DAMAGED };
	const method = view.getUint16(8, true);
	const nameLength = view.getUint16(26, true);
	const extraLength = view.getUint16(28, true);
	if (method !== entry.method || LOCAL_SIZE + nameLength > header.length) return { ok: false, reason: DAMAGED };
	let name: string;
	try {
		name = utf8.decode(header.subarray(LOCAL_SIZE, LOCAL_SIZE + nameLength));
	} catch {
		return { ok: false, reason: DAMAGED };
	}
	if (name !== entry.name) return { ok: false, reason: DAMAGED };
	const start = entry.headerOffset + LOCAL_SIZE + nameLength + extraLength;
	const end = start + entry.compressedSize;
	if (end > file.size) return { ok: false, reason: DAMAGED };
	return { ok: true, value: { start, end } };
}

/**
 * An entry's bytes as written. Refused when it declares more than `limit`, or when it inflates to
 * anything but its declared size: reading stops at the first byte past it, so a bomb never grows.
 */
export async function readEntry(file: Blob, entry: ZipEntry, limit: number): Promise<Result<Uint8Array>> {
	if (entry.size > limit) return { ok: false, reason: `The file “${entry.name}” inside it is too large.` };
	const range = await dataRange(file, entry);
	if (!range.ok) return range;
	const { start, end } = range.value;
	if (entry.method === 0) return { ok: true, value: await bytesAt(file, start, end) };

	const output = new Uint8Array(entry.size);
	let written = 0;
	let overflow = false;
	let failed = false;
	let finished = false;
	const inflate = new Inflate((chunk, final) => {
		if (written + chunk.length > output.length) overflow = true;
		else output.set(chunk, written);
		written += chunk.length;
		if (final) finished = true;
	});
	reading: for (let at = start; at < end; at += READ_CHUNK) {
		const slice = await bytesAt(file, at, Math.min(end, at + READ_CHUNK));
		// Pushed in small pieces: deflate can grow a thousandfold, so one piece makes at most ~16 MB
		// before the count above stops the reading.
		for (let piece = 0; piece < slice.length; piece += INFLATE_PIECE) {
			try {
				inflate.push(slice.subarray(piece, piece + INFLATE_PIECE), at + piece + INFLATE_PIECE >= end);
			} catch {
				failed = true;
			}
			if (failed || overflow) break reading;
		}
	}
	if (start === end) failed = true;
	if (overflow) return { ok: false, reason: `The file “${entry.name}” inside it is larger than it says.` };
	if (failed || !finished || written !== entry.size) return { ok: false, reason: DAMAGED };
	return { ok: true, value: output };
}
