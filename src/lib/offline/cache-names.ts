/**
 * Names the page and the service worker share: caches, the audio path, and the messages the page
 * sends the worker. No imports and no DOM, so that src/service-worker.ts can use it too.
 *
 * @example
 * const cache = await caches.open(AUDIO_CACHE);
 * registration.active?.postMessage({ type: AUDIO_CACHE_CHANGED });
 */

/**
 * The shipped music kept on the device. Named for what it holds, not for the app's version: each
 * file's name carries a hash of its content, so a new app version keeps every stored file whose
 * name it still ships, and never fetches it again (AUDIO-NOTES, re-downloads).
 */
export const AUDIO_CACHE = 'grounded-audio';

/** One cache per app version for pages, code and icons; a new version replaces the one before. */
export const SHELL_CACHE_PREFIX = 'grounded-shell-';

/** Every shipped audio file lives under this path; only these URLs are answered from `AUDIO_CACHE`. */
export const AUDIO_PATH_PREFIX = '/audio/';

/** Page → waiting worker: take over now (the person chose to update). */
export const SKIP_WAITING = 'SKIP_WAITING';

/** Page → active worker: files were added to or removed from `AUDIO_CACHE`. */
export const AUDIO_CACHE_CHANGED = 'AUDIO_CACHE_CHANGED';

export type WorkerMessageType = typeof SKIP_WAITING | typeof AUDIO_CACHE_CHANGED;

/** True when `data` is the message `{ type }`; anything else posted to the worker is ignored. */
export function isWorkerMessage(data: unknown, type: WorkerMessageType): boolean {
	return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === type;
}

/**
 * A take-home pack handed over by the share sheet (Android Chrome's `share_target`): the worker
 * receives the POST, keeps the file here under `SHARED_PACK_URL`, and sends the page to the
 * receive page, which takes it out and opens it. Never more than the one file.
 */
export const SHARED_PACK_CACHE = 'grounded-shared-pack';
export const SHARED_PACK_URL = '/take-home/receive/shared-pack';
/** Where the share sheet and the installed app's file handler send a pack. */
export const RECEIVE_PATH = '/take-home/receive/';
/** The form field the share target names the file. */
export const SHARED_PACK_FIELD = 'pack';
