/**
 * The only place the page talks to the service worker's registration. SvelteKit's own
 * registration is off (svelte.config.js) so that this module decides when and how.
 *
 * A new version of the app installs in the background and then waits: nothing reloads by itself,
 * because a reload would cut the music (AUDIO-NOTES, updates mid-session). The page shows that an
 * update is ready (`subscribeUpdate`) and applies it when the person chooses (`applyUpdate`), which
 * it refuses while anything plays.
 *
 * @example
 * onMount(() => subscribeUpdate((update) => (ready = update === 'ready')));
 * const result = await applyUpdate(); // reloads the page; not ok while music plays
 */
import { dev } from '$app/environment';
import type { Result } from '../result';
import { isPlaying } from '../platform/audio-activity';
import { AUDIO_CACHE_CHANGED, SKIP_WAITING } from './cache-names';

/** `ready`: a new version is installed and waiting; `applying`: the person chose it and the page is about to reload. */
export type UpdateState = 'none' | 'ready' | 'applying';

/** The browser checks for a new version on every full page load; a console left open for hours checks now and then too. */
const UPDATE_CHECK_EVERY_MS = 60 * 60 * 1000;

let updateState: UpdateState = 'none';
const updateListeners = new Set<(state: UpdateState) => void>();
let watched: ServiceWorkerRegistration | undefined;

export async function registerServiceWorker(): Promise<void> {
	// In dev the worker would cache modules Vite rebuilds on every edit, so it stays off there.
	if (dev || !('serviceWorker' in navigator)) return;
	let registration: ServiceWorkerRegistration;
	try {
		// The build emits a classic script (only Vite's dev server serves it as a module).
		registration = await navigator.serviceWorker.register('/service-worker.js', { scope: '/', type: 'classic' });
	} catch {
		// Without a worker the app still works online; it only loses its offline copy. Private
		// windows, some embedded browsers and insecure origins refuse registration, and none of
		// that is worth an error in front of someone in session.
		return;
	}
	watchForUpdates(registration);
}

/** Calls `listener` now with the update state, then on every change; returns the unsubscribe. */
export function subscribeUpdate(listener: (state: UpdateState) => void): () => void {
	updateListeners.add(listener);
	listener(updateState);
	return () => {
		updateListeners.delete(listener);
	};
}

function setUpdateState(state: UpdateState): void {
	if (state === updateState) return;
	updateState = state;
	for (const listener of [...updateListeners]) listener(state);
}

/**
 * Follows the registration: a worker that finishes installing while another is active is an
 * update, and waits (the worker skips waiting by itself only on a first install).
 */
function watchForUpdates(registration: ServiceWorkerRegistration): void {
	if (watched === registration) return;
	watched = registration;
	const check = (): void => {
		if (updateState === 'applying') return;
		setUpdateState(registration.waiting && registration.active ? 'ready' : 'none');
	};
	const follow = (worker: ServiceWorker | null): void => {
		worker?.addEventListener('statechange', check);
	};
	follow(registration.installing);
	follow(registration.waiting);
	registration.addEventListener('updatefound', () => follow(registration.installing));
	check();
	let lastCheck = Date.now();
	document.addEventListener('visibilitychange', () => {
		if (document.visibilityState !== 'visible' || Date.now() - lastCheck < UPDATE_CHECK_EVERY_MS) return;
		lastCheck = Date.now();
		// Offline this fails, and the next visible moment tries again; nothing to tell anyone.
		registration.update().catch(() => undefined);
	});
}

/**
 * Applies the waiting update: the new worker takes over and the page reloads under it. Refused
 * (nothing happens) while anything plays, and when no update waits.
 */
export async function applyUpdate(): Promise<Result<void>> {
	if (isPlaying()) {
		return { ok: false, reason: 'The update waits until the music has ended, so that nothing is cut off.' };
	}
	const registration = watched ?? (await navigator.serviceWorker?.getRegistration());
	const waiting = registration?.waiting;
	if (!waiting) {
		setUpdateState('none');
		return {
			ok: false,
			reason: 'There is no update waiting any more. Reload the page to be sure you have the latest.'
		};
	}
	setUpdateState('applying');
	const container = navigator.serviceWorker;
	// A page the old worker controlled hears controllerchange; one it did not (a hard reload)
	// only sees the new worker activate. Either way the page reloads once, because the person chose it.
	await new Promise<void>((resolve) => {
		const done = (): void => {
			container.removeEventListener('controllerchange', done);
			waiting.removeEventListener('statechange', activated);
			resolve();
		};
		const activated = (): void => {
			if (waiting.state === 'activated' || waiting.state === 'redundant') done();
		};
		container.addEventListener('controllerchange', done);
		waiting.addEventListener('statechange', activated);
		waiting.postMessage({ type: SKIP_WAITING });
	});
	location.reload();
	return { ok: true, value: undefined };
}

/**
 * Tells the active worker that music was stored in or removed from the audio cache, so it answers
 * those files from the cache (or stops to). Without a worker there is no one to tell.
 */
export async function notifyAudioCacheChanged(): Promise<void> {
	if (dev || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
	try {
		const registration = await navigator.serviceWorker.getRegistration();
		registration?.active?.postMessage({ type: AUDIO_CACHE_CHANGED });
	} catch {
		// No registration to reach: the worker reads the cache afresh whenever it starts.
	}
}

/**
 * Resolves true once an active service worker controls this page, so the shell is cached and
 * this page's own later requests (the lazily loaded Tone.js chunk) are answered offline.
 * Resolves false when no worker can take over within `timeoutMs`, instead of hanging: a worker
 * can be missing (dev, unsupported, registration refused) or not control a hard-reloaded page.
 */
export async function whenOfflineReady(timeoutMs = 10_000): Promise<boolean> {
	if (dev || !('serviceWorker' in navigator)) return false;
	const container = navigator.serviceWorker;
	const controlled = (async () => {
		await container.ready;
		if (container.controller) return true;
		// The first install claims open pages; that shows up as a controllerchange.
		await new Promise<void>((resolve) =>
			container.addEventListener('controllerchange', () => resolve(), { once: true })
		);
		return container.controller !== null;
	})();
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timedOut = new Promise<boolean>((resolve) => {
		timer = setTimeout(() => resolve(false), timeoutMs);
	});
	try {
		return await Promise.race([controlled, timedOut]);
	} finally {
		clearTimeout(timer);
	}
}
