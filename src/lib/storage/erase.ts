/**
 * "Erase all my data": removes everything Grounded keeps on this device —
 * every IndexedDB database of this origin, every cache, the service worker,
 * and local and session storage.
 */
import { closeDatabase, DATABASE_NAME, type Result } from './key-value';
import type { Milliseconds } from '../units';

/** How long to wait for another open tab to let go of a database before saying so. */
const BLOCKED_WAIT: Milliseconds = 3_000;

function deleteDatabase(name: string): Promise<'deleted' | 'blocked' | 'failed'> {
	return new Promise((resolve) => {
		const request = indexedDB.deleteDatabase(name);
		let timer: ReturnType<typeof setTimeout> | undefined;
		request.onsuccess = () => {
			clearTimeout(timer);
			resolve('deleted');
		};
		request.onerror = () => {
			clearTimeout(timer);
			resolve('failed');
		};
		// Another tab still has it open; the deletion completes once it closes.
		request.onblocked = () => {
			timer = setTimeout(() => resolve('blocked'), BLOCKED_WAIT);
		};
	});
}

export async function eraseEverything(): Promise<Result<void>> {
	const problems: string[] = [];
	await closeDatabase();

	if (typeof indexedDB !== 'undefined') {
		// indexedDB.databases() is missing in older browsers; then at least our own database goes.
		const listed = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : [];
		const names = new Set([DATABASE_NAME, ...listed.map((db) => db.name).filter((name): name is string => !!name)]);
		const results = await Promise.all([...names].map(deleteDatabase));
		if (results.includes('blocked')) {
			problems.push('Grounded is open in another tab or window: close it to finish erasing your saved data.');
		} else if (results.includes('failed')) {
			problems.push(
				'Some saved data could not be erased. Try again, or clear this site’s data in your browser’s settings.'
			);
		}
	}

	if (typeof caches !== 'undefined') {
		const keys = await caches.keys();
		await Promise.all(keys.map((key) => caches.delete(key)));
	}

	// Imported music is kept in the origin private file system (src/lib/library/imported-tracks.ts).
	const storage = navigator.storage as
		(StorageManager & { getDirectory?: () => Promise<FileSystemDirectoryHandle> }) | undefined;
	if (typeof storage?.getDirectory === 'function') {
		try {
			const root = await storage.getDirectory();
			const names: string[] = [];
			for await (const name of (root as FileSystemDirectoryHandle & { keys(): AsyncIterable<string> }).keys())
				names.push(name);
			await Promise.all(names.map((name) => root.removeEntry(name, { recursive: true })));
		} catch {
			problems.push('Some imported music could not be removed; clear this site’s data in the browser’s settings.');
		}
	}

	if ('serviceWorker' in navigator) {
		const registrations = await navigator.serviceWorker.getRegistrations();
		await Promise.all(registrations.map((registration) => registration.unregister()));
	}

	try {
		localStorage.clear();
		sessionStorage.clear();
	} catch {
		// Storage can be disabled entirely; then there is nothing in it.
	}

	return problems.length === 0 ? { ok: true, value: undefined } : { ok: false, reason: problems.join(' ') };
}
