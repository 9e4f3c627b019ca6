/**
 * Makes a take-home pack (pack-format.ts) with fflate's streaming `Zip`: the JSON parts deflated,
 * audio stored as it is (it is already compressed, and a stored entry can be read by slicing).
 * One file at a time is read, fingerprinted (SHA-256) and written; what is written is gathered
 * into Blobs, which a browser may keep on disk rather than in memory.
 *
 * @example
 * const blob = await writePack(contents, audio, { createdAt: new Date(), builtInTitles, onProgress });
 * const file = new File([blob], packFileName(contents, createdAt), { type: PACK_MIME });
 */
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import {
	CONTENTS_PATH,
	itemsOf,
	MANIFEST_PATH,
	PACK_EXTENSION,
	PACK_FORMAT,
	PACK_VERSION,
	type PackContents,
	type PackFile,
	type PackManifest
} from './pack-format';

/** A file of audio for the pack, read only when its turn comes. */
export interface PackAudio {
	readonly path: string;
	readonly blob: Blob;
}

export interface WriteProgress {
	readonly bytesDone: number;
	readonly bytesTotal: number;
}

export interface WriteOptions {
	readonly createdAt: Date;
	/** Names the app in the manifest, for diagnosis. */
	readonly app?: string;
	readonly builtInTitles: ReadonlyMap<string, string>;
	readonly onProgress?: (progress: WriteProgress) => void;
}

/** Local header, data descriptor and central directory record, besides the name written twice. */
const ENTRY_OVERHEAD = 30 + 16 + 46;
const END_RECORD = 22;

const encoder = new TextEncoder();

export async function sha256Hex(bytes: BufferSource): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
	return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The pack's size before it is made, to the byte for audio and within a few kB for the JSON. */
export function estimatePackBytes(
	contents: PackContents,
	audio: readonly { readonly path: string; readonly blob: { readonly size: number } }[]
): number {
	const json = encoder.encode(JSON.stringify(contents)).length;
	// The manifest: a line for each file and item, about 140 bytes each.
	const manifest = 400 + 140 * (audio.length + 1) + 120 * (contents.scripts.length + contents.playlists.length);
	const names = [MANIFEST_PATH, CONTENTS_PATH, ...audio.map((a) => a.path)].reduce(
		(sum, name) => sum + 2 * name.length,
		0
	);
	const overhead = ENTRY_OVERHEAD * (audio.length + 2) + names + END_RECORD;
	// Deflate shrinks JSON to about a third; the estimate says more rather than less.
	return audio.reduce((sum, a) => sum + a.blob.size, 0) + Math.ceil(json / 2) + manifest + overhead;
}

/** “grounded-take-home-2026-12-05.grounded”, or with the therapist's name when there is one. */
export function packFileName(contents: PackContents, createdAt: Date): string {
	const name = contents.from.name
		.normalize('NFKD')
		.replace(/[^A-Za-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.toLowerCase()
		.slice(0, 40);
	return `grounded-take-home${name ? `-${name}` : ''}-${createdAt.toISOString().slice(0, 10)}${PACK_EXTENSION}`;
}

export async function writePack(
	contents: PackContents,
	audio: readonly PackAudio[],
	options: WriteOptions
): Promise<Blob> {
	const parts: Blob[] = [];
	let pending: Uint8Array[] = [];
	let failure: Error | null = null;
	const zip = new Zip((error, chunk, final) => {
		if (error) failure = error;
		else pending.push(chunk);
		void final;
	});
	// What fflate has written so far becomes a Blob after each file, so the chunks are let go.
	const settle = (): void => {
		if (failure) throw failure;
		if (pending.length > 0) parts.push(new Blob(pending as BlobPart[]));
		pending = [];
	};

	const files: PackFile[] = [];
	const add = async (path: string, bytes: Uint8Array, deflate: boolean): Promise<void> => {
		files.push({ path, bytes: bytes.length, sha256: await sha256Hex(bytes as BufferSource) });
		const entry = deflate ? new ZipDeflate(path, { level: 6 }) : new ZipPassThrough(path);
		zip.add(entry);
		entry.push(bytes, true);
		settle();
	};

	const total = audio.reduce((sum, a) => sum + a.blob.size, 0);
	let done = 0;
	options.onProgress?.({ bytesDone: 0, bytesTotal: total });
	await add(CONTENTS_PATH, encoder.encode(JSON.stringify(contents)), true);
	for (const file of audio) {
		await add(file.path, new Uint8Array(await file.blob.arrayBuffer()), false);
		done += file.blob.size;
		options.onProgress?.({ bytesDone: done, bytesTotal: total });
	}
	const manifest: PackManifest = {
		format: PACK_FORMAT,
		version: PACK_VERSION,
		createdAt: options.createdAt.toISOString(),
		app: options.app ?? 'Grounded',
		items: itemsOf(contents, options.builtInTitles),
		files
	};
	// Last, because it holds every other file's fingerprint; readers find it by name.
	const manifestEntry = new ZipDeflate(MANIFEST_PATH, { level: 6 });
	zip.add(manifestEntry);
	manifestEntry.push(encoder.encode(JSON.stringify(manifest, null, 1)), true);
	zip.end();
	settle();
	return new Blob(parts, { type: 'application/zip' });
}
