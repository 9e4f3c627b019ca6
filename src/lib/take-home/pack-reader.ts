/**
 * Opens a take-home pack for its preview, then hands over its audio one verified file at a time.
 *
 * Opening reads only the ZIP's directory and the two JSON parts. Every other file is read when
 * its turn comes, by slicing the pack, and is given out only once its size and SHA-256 match the
 * manifest, so a large pack is never in memory at once and nothing unverified reaches a store.
 * Every refusal names the file and says why, in plain words.
 *
 * @example
 * const opened = await openPack(file, file.name, builtInIds);
 * if (!opened.ok) return show(opened.reason); // "“notes.grounded” can’t be opened. The file is empty."
 * for await (const part of verifiedAudio(opened.value)) {
 *   if (!part.ok) return show(part.reason);
 *   keep(part.value.path, part.value.blob);
 * }
 */
import type { Result } from '../result';
import {
	CONTENTS_PATH,
	MANIFEST_PATH,
	PACK_LIMITS,
	parseContents,
	parseManifest,
	pathProblem,
	type PackContents,
	type PackManifest
} from './pack-format';
import { sha256Hex } from './pack-writer';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { dataRange, readEntry, readZipIndex, type ZipEntry } from './zip-reader';

export interface OpenedPack {
	readonly file: Blob;
	readonly fileName: string;
	readonly manifest: PackManifest;
	readonly contents: PackContents;
	readonly entries: ReadonlyMap<string, ZipEntry>;
}

export interface VerifiedFile {
	readonly path: string;
	/**
	 * The file as a slice of the pack: read again only when it is stored, by the browser, so the
	 * whole of it never has to sit in the page's memory. Verified just before it was given out.
	 */
	readonly blob: Blob;
}

/** Audio is read and fingerprinted this much at a time. */
const VERIFY_CHUNK = 4 << 20;

/** The first bytes of archives and compressed files, which a pack may not hold inside it. */
const ARCHIVE_MAGIC: readonly (readonly number[])[] = [
	[0x50, 0x4b, 0x03, 0x04], // ZIP
	[0x50, 0x4b, 0x05, 0x06], // empty ZIP
	[0x1f, 0x8b], // gzip
	[0x37, 0x7a, 0xbc, 0xaf], // 7z
	[0x52, 0x61, 0x72, 0x21], // RAR
	[0x42, 0x5a, 0x68], // bzip2
	[0xfd, 0x37, 0x7a, 0x58, 0x5a], // xz
	[0x28, 0xb5, 0x2f, 0xfd] // zstd
];

function isArchive(bytes: Uint8Array): boolean {
	return ARCHIVE_MAGIC.some((magic) => magic.every((byte, i) => bytes[i] === byte));
}

function refusal(fileName: string, reason: string): { ok: false; reason: string } {
	return { ok: false, reason: `“${fileName}” can’t be opened. ${reason}` };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

async function readJson(file: Blob, entry: ZipEntry, limit: number, expected?: string): Promise<Result<unknown>> {
	const bytes = await readEntry(file, entry, limit);
	if (!bytes.ok) return bytes;
	if (expected !== undefined && (await sha256Hex(bytes.value as BufferSource)) !== expected) {
		return {
			ok: false,
			reason: 'Its list of contents does not match its fingerprint: the file was changed or damaged.'
		};
	}
	try {
		return { ok: true, value: JSON.parse(utf8.decode(bytes.value)) as unknown };
	} catch {
		return { ok: false, reason: `The part “${entry.name}” is damaged.` };
	}
}

/** Reads what a pack holds and checks it, without reading its audio. Never throws. */
export async function openPack(
	file: Blob,
	fileName: string,
	builtInIds: ReadonlySet<string>
): Promise<Result<OpenedPack>> {
	try {
		return await open(file, fileName, builtInIds);
	} catch {
		// A file that can't be read (removed, or permission lost while reading) lands here.
		return refusal(fileName, 'The file could not be read. Try choosing it again.');
	}
}

async function open(file: Blob, fileName: string, builtInIds: ReadonlySet<string>): Promise<Result<OpenedPack>> {
	if (file.size > PACK_LIMITS.packBytes) return refusal(fileName, 'It is larger than a take-home pack can be.');
	const index = await readZipIndex(file, { maxEntries: PACK_LIMITS.entries });
	if (!index.ok) return refusal(fileName, index.reason);
	const entries = index.value;
	for (const name of entries.keys()) {
		const problem = pathProblem(name);
		if (problem) return refusal(fileName, problem);
	}
	const manifestEntry = entries.get(MANIFEST_PATH);
	if (!manifestEntry) return refusal(fileName, 'It is not a Grounded take-home pack.');
	const rawManifest = await readJson(file, manifestEntry, PACK_LIMITS.manifestBytes);
	if (!rawManifest.ok) return refusal(fileName, rawManifest.reason);
	const manifest = parseManifest(rawManifest.value);
	if (!manifest.ok) return refusal(fileName, manifest.reason);

	// The manifest and the archive must list the same files, of the same sizes.
	const listed = new Map(manifest.value.files.map((f) => [f.path, f]));
	for (const [name, entry] of entries) {
		if (name === MANIFEST_PATH) continue;
		const declared = listed.get(name);
		if (!declared) return refusal(fileName, `It holds a file its manifest doesn’t list (“${name}”).`);
		if (declared.bytes !== entry.size)
			return refusal(fileName, `The file “${name}” is not the size its manifest says.`);
		if (name !== CONTENTS_PATH && entry.method !== 0)
			return refusal(fileName, `The file “${name}” is packed in a way Grounded can’t read.`);
	}
	const missing = manifest.value.files.find((f) => !entries.has(f.path));
	if (missing) return refusal(fileName, `The file “${missing.path}” is missing from it.`);

	const contentsEntry = entries.get(CONTENTS_PATH)!;
	const rawContents = await readJson(file, contentsEntry, PACK_LIMITS.contentsBytes, listed.get(CONTENTS_PATH)!.sha256);
	if (!rawContents.ok) return refusal(fileName, rawContents.reason);
	const contents = parseContents(rawContents.value, manifest.value, builtInIds);
	if (!contents.ok) return refusal(fileName, contents.reason);
	return { ok: true, value: { file, fileName, manifest: manifest.value, contents: contents.value, entries } };
}

/**
 * The pack's audio, one file at a time in the manifest's order, each read in 4 MB pieces by slicing
 * the pack and fingerprinted as it goes (an incremental SHA-256: WebCrypto has none), and given out
 * only when its size and SHA-256 match. Memory stays at a piece, whatever the file's size. The
 * first failure ends the run with its reason.
 */
export async function* verifiedAudio(pack: OpenedPack): AsyncGenerator<Result<VerifiedFile>> {
	for (const declared of pack.manifest.files) {
		if (declared.path === CONTENTS_PATH) continue;
		const entry = pack.entries.get(declared.path)!;
		let problem: string | null;
		let blob: Blob | null = null;
		try {
			const range = await dataRange(pack.file, entry);
			if (!range.ok) problem = range.reason;
			else {
				blob = pack.file.slice(range.value.start, range.value.end);
				problem = await verify(blob, declared);
			}
		} catch {
			problem = 'The file could not be read. Try choosing it again.';
		}
		if (problem || !blob) {
			yield refusal(pack.fileName, problem ?? DAMAGED_PART);
			return;
		}
		yield { ok: true, value: { path: declared.path, blob } };
	}
}

const DAMAGED_PART = 'The file is damaged or incomplete.';

/** Why `blob` is not the file the manifest declares, or null when it is. */
async function verify(blob: Blob, declared: { path: string; bytes: number; sha256: string }): Promise<string | null> {
	if (blob.size !== declared.bytes) return `The file “${declared.path}” is not the size its manifest says.`;
	const hash = sha256.create();
	for (let at = 0; at < blob.size; at += VERIFY_CHUNK) {
		const piece = new Uint8Array(await blob.slice(at, at + VERIFY_CHUNK).arrayBuffer());
		if (at === 0 && isArchive(piece)) return `It holds another archive inside it (“${declared.path}”).`;
		hash.update(piece);
	}
	if (bytesToHex(hash.digest()) !== declared.sha256)
		return `The file “${declared.path}” does not match its fingerprint: it was changed or damaged.`;
	return null;
}
