/**
 * A pack handed to Grounded from outside the page: by the share sheet (kept by the service worker,
 * see src/service-worker.ts) or by the installed app opening a `.grounded` file (`launchQueue`,
 * desktop Chromium's file handling). Either way the file only reaches the preview; nothing is
 * installed without the person's confirm.
 *
 * @example
 * const shared = await takeSharedPack(); // File | null, removed from the worker's keeping
 * onLaunchedFile((file) => void receiver.open(file));
 */
import { SHARED_PACK_CACHE, SHARED_PACK_URL } from '$lib/offline/cache-names';

/** The pack the share sheet sent, taken out of the worker's keeping; null when there is none. */
export async function takeSharedPack(): Promise<File | null> {
	if (typeof caches === 'undefined') return null;
	try {
		const cache = await caches.open(SHARED_PACK_CACHE);
		const response = await cache.match(SHARED_PACK_URL);
		if (!response) return null;
		const name = decodeURIComponent(response.headers.get('x-file-name') ?? '') || 'Shared pack.grounded';
		const file = new File([await response.blob()], name);
		await cache.delete(SHARED_PACK_URL);
		return file;
	} catch {
		return null;
	}
}

interface LaunchParams {
	readonly files: readonly FileSystemFileHandle[];
}
interface LaunchQueue {
	setConsumer(consumer: (params: LaunchParams) => void): void;
}

/** Whether this browser hands files to an installed app (desktop Chromium). */
export function canReceiveLaunchedFiles(): boolean {
	return typeof window !== 'undefined' && 'launchQueue' in window;
}

/** Calls `open` with each file the installed app is opened with. */
export function onLaunchedFile(open: (file: File) => void): void {
	if (!canReceiveLaunchedFiles()) return;
	(window as unknown as { launchQueue: LaunchQueue }).launchQueue.setConsumer((params) => {
		const handle = params.files[0];
		if (handle) void handle.getFile().then(open, () => undefined);
	});
}
