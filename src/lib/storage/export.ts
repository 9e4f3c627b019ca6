/**
 * "Save a copy of my data": everything Grounded keeps in IndexedDB, as one
 * readable JSON file the person downloads. Nothing is sent anywhere.
 *
 * Recordings (Blobs) are written into the copy as base64 `data:` URLs, so the
 * therapist's voice is in it too. Imported music files are not: they can be
 * gigabytes, and they are the therapist's own files, which they already have;
 * each track's details (title, artist, file name, loudness) are in the copy.
 *
 * @example
 * const copy = await copyOfMyData();
 * if (copy.ok) downloadCopy(copy.value); else show(copy.reason);
 */
import { downloadText } from '../platform/download';
import { indexedDbBackend, type KeyValueBackend, type Result } from './key-value';

export interface DataCopy {
	readonly app: 'Grounded';
	readonly exportedAt: string;
	readonly data: Record<string, unknown>;
}

/** Where the key-value store keeps imported audio files when the private file system can't (imported-tracks.ts). */
const IMPORTED_FILE_PREFIX = 'imported-track-file:';

async function dataUrlOf(blob: Blob): Promise<string> {
	const bytes = new Uint8Array(await blob.arrayBuffer());
	let binary = '';
	// In slices: String.fromCharCode takes its bytes as arguments, and there is a limit to those.
	for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return `data:${blob.type || 'application/octet-stream'};base64,${btoa(binary)}`;
}

/** A stored value as JSON can hold it: Blobs become data: URLs, everything else stays as it is. */
async function portable(value: unknown): Promise<unknown> {
	if (value instanceof Blob) return dataUrlOf(value);
	if (Array.isArray(value)) return Promise.all(value.map(portable));
	if (value !== null && typeof value === 'object') {
		const entries = await Promise.all(Object.entries(value).map(async ([key, inner]) => [key, await portable(inner)]));
		return Object.fromEntries(entries);
	}
	return value;
}

export async function copyOfMyData(backend: KeyValueBackend = indexedDbBackend()): Promise<Result<DataCopy>> {
	try {
		const data: Record<string, unknown> = {};
		for (const [key, value] of await backend.entries()) {
			data[key] =
				key.startsWith(IMPORTED_FILE_PREFIX) && value instanceof Blob
					? `Imported audio file (${value.size} bytes): kept on this device, not copied into this file.`
					: await portable(value);
		}
		return { ok: true, value: { app: 'Grounded', exportedAt: new Date().toISOString(), data } };
	} catch {
		return { ok: false, reason: 'Your data could not be read just now. Nothing was changed; try again.' };
	}
}

/** Offers the copy as a file download. */
export function downloadCopy(copy: DataCopy): void {
	downloadText(`grounded-data-${copy.exportedAt.slice(0, 10)}.json`, JSON.stringify(copy, null, 2), 'application/json');
}
