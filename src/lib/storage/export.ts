/**
 * "Save a copy of my data": everything Grounded keeps in IndexedDB, as one
 * readable JSON file the person downloads. Nothing is sent anywhere.
 */
import { downloadText } from '../platform/download';
import { indexedDbBackend, type KeyValueBackend, type Result } from './key-value';

export interface DataCopy {
	readonly app: 'Grounded';
	readonly exportedAt: string;
	readonly data: Record<string, unknown>;
}

export async function copyOfMyData(backend: KeyValueBackend = indexedDbBackend()): Promise<Result<DataCopy>> {
	try {
		const all = await backend.entries();
		return {
			ok: true,
			value: { app: 'Grounded', exportedAt: new Date().toISOString(), data: Object.fromEntries(all) }
		};
	} catch {
		return { ok: false, reason: 'Your data could not be read just now. Nothing was changed; try again.' };
	}
}

/** Offers the copy as a file download. */
export function downloadCopy(copy: DataCopy): void {
	downloadText(`grounded-data-${copy.exportedAt.slice(0, 10)}.json`, JSON.stringify(copy, null, 2), 'application/json');
}
