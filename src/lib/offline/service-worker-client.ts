/**
 * The only place the page talks to the service worker's registration. SvelteKit's own
 * registration is off (svelte.config.js) so that this module decides when and how.
 */
import { dev } from '$app/environment';

export async function registerServiceWorker(): Promise<void> {
	// In dev the worker would cache modules Vite rebuilds on every edit, so it stays off there.
	if (dev || !('serviceWorker' in navigator)) return;
	try {
		// The build emits a classic script (only Vite's dev server serves it as a module).
		await navigator.serviceWorker.register('/service-worker.js', { scope: '/', type: 'classic' });
	} catch {
		// Without a worker the app still works online; it only loses its offline copy. Private
		// windows, some embedded browsers and insecure origins refuse registration, and none of
		// that is worth an error in front of someone in session.
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
