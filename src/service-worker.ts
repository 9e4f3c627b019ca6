/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />

/**
 * Keeps the app shell (pages, JS, CSS, icons) on the device so Grounded opens with no network
 * after one online visit. A session room may have no signal, and the app must not fail there.
 */
import { build, files, prerendered, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;

const SHELL_PREFIX = 'grounded-shell-';
const SHELL_CACHE = `${SHELL_PREFIX}${version}`;

/** After this long a slow network loses to the cached page: a stalled connection must not keep the screen blank. */
const NAVIGATION_TIMEOUT_MS = 3_000;

/** Audio gets its own content-keyed cache later; it is too large to copy again with every app version. */
const AUDIO_FILE = /\.(?:mp3|ogg|m4a|wav|flac|opus)$/i;

const IMMUTABLE_PREFIX = '/_app/immutable/';

/**
 * Shell files are the same for every request, but hosts often add `Vary: Origin` or
 * `Vary: Accept-Encoding`; honouring that would turn a stored file into a miss offline.
 */
const MATCH: CacheQueryOptions = { ignoreVary: true };

/** SvelteKit's update check reads this file; any stored copy would hide new versions, so it is never cached. */
const VERSION_FILE = '/_app/version.json';

const shellFiles = [...build, ...files.filter((file) => !AUDIO_FILE.test(file)), ...prerendered];

sw.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			await precacheShell();
			// Nothing controls the page yet on a first visit, so taking over at once interrupts
			// nothing. An update instead waits until the person agrees (the SKIP_WAITING message).
			if (!sw.registration.active) await sw.skipWaiting();
		})()
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			const names = await caches.keys();
			// Only earlier shells go; other caches (the future grounded-audio-*) outlive app versions.
			const oldShells = names.filter((name) => name.startsWith(SHELL_PREFIX) && name !== SHELL_CACHE);
			await Promise.all(oldShells.map((name) => caches.delete(name)));
			// No earlier shell means this is the first install: claim the open page so that the
			// very first visit already works offline (the Tone.js chunk loads later, on a gesture).
			// An update skips this; its pages change hands only through SKIP_WAITING.
			if (oldShells.length === 0) await sw.clients.claim();
		})()
	);
});

sw.addEventListener('message', (event) => {
	if (isSkipWaitingMessage(event.data)) void sw.skipWaiting();
});

sw.addEventListener('fetch', (event) => {
	const { request } = event;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin) return;
	// Range requests (media seeking) go to the network untouched for now: a cached full
	// response cannot answer them as is. Issue 5 adds range support for the audio cache.
	if (request.headers.has('range')) return;
	// Left to the network: audio until issue 5 gives it its cache (see AUDIO_FILE), and VERSION_FILE always.
	if (AUDIO_FILE.test(url.pathname) || url.pathname === VERSION_FILE) return;

	if (request.mode === 'navigate') {
		event.respondWith(navigate(request, url));
	} else {
		// Immutable build files never change under their hashed name, and the other static
		// files change only with a new version, which brings a new cache: cache-first for all.
		event.respondWith(cacheFirst(request));
	}
});

function isSkipWaitingMessage(data: unknown): boolean {
	return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'SKIP_WAITING';
}

/** Fetches and stores every shell file; any failure fails the install, so a shell is never half cached. */
async function precacheShell(): Promise<void> {
	const cache = await caches.open(SHELL_CACHE);
	await Promise.all(
		shellFiles.map(async (path) => {
			// Hashed build files are safe to take from the HTTP cache. Anything else may be a stale
			// copy of an older version there, so it is revalidated with the server.
			const request = new Request(path, { cache: path.startsWith(IMMUTABLE_PREFIX) ? 'default' : 'no-cache' });
			const response = await fetch(request);
			if (!isCacheable(response)) throw new Error(`Precaching ${path} failed with status ${response.status}`);
			await cache.put(path, await withoutRedirect(response));
		})
	);
}

/**
 * Network first so that online visits always get the current page; the cached prerendered page
 * answers when the network fails or takes longer than NAVIGATION_TIMEOUT_MS.
 */
async function navigate(request: Request, url: URL): Promise<Response> {
	// Settles to undefined on failure so that neither the race nor a late await can reject.
	const networkOrUndefined = fetch(request).catch(() => undefined);
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<'timeout'>((resolve) => {
		timer = setTimeout(() => resolve('timeout'), NAVIGATION_TIMEOUT_MS);
	});
	const first = await Promise.race([networkOrUndefined, timeout]);
	clearTimeout(timer);

	if (first === 'timeout') {
		const cached = await cachedPage(url.pathname);
		if (cached) return cached;
		// Nothing cached for this path: a slow answer still beats none.
		const late = await networkOrUndefined;
		return late ?? (await offlineFallback());
	}
	if (first === undefined) return offlineFallback(url.pathname);
	// A 5xx from a struggling host is worse than the cached copy of the same page; anything
	// else (including redirects, which come back opaque for navigations) is the real answer.
	if (first.status >= 500) return (await cachedPage(url.pathname)) ?? first;
	return first;
}

/** The cached page for this path, else the cached home page, else a plain offline response. */
async function offlineFallback(pathname?: string): Promise<Response> {
	const page = (pathname === undefined ? undefined : await cachedPage(pathname)) ?? (await cachedPage('/'));
	return (
		page ??
		new Response('Grounded is offline and has no saved copy of this page yet.', {
			status: 503,
			headers: { 'content-type': 'text/plain; charset=utf-8' }
		})
	);
}

/**
 * Finds a prerendered page whatever the link's trailing slash: with trailingSlash 'always',
 * adapter-static writes /breathe/index.html and SvelteKit lists it as /breathe/, while other
 * settings write /breathe.html listed as /breathe.
 */
async function cachedPage(pathname: string): Promise<Response | undefined> {
	const trimmed = pathname.replace(/\/$/, '');
	const candidates = new Set([pathname, `${trimmed}/`, trimmed || '/', `${trimmed}/index.html`]);
	if (trimmed) candidates.add(`${trimmed}.html`);
	const cache = await caches.open(SHELL_CACHE);
	for (const candidate of candidates) {
		const response = await cache.match(candidate, { ...MATCH, ignoreSearch: true });
		if (response) return response;
	}
	return undefined;
}

async function cacheFirst(request: Request): Promise<Response> {
	const cache = await caches.open(SHELL_CACHE);
	const cached = await cache.match(request, MATCH);
	if (cached) return cached;
	const response = await fetch(request);
	// Files first met after install (none today) join the current shell and leave with it.
	if (isCacheable(response)) await cache.put(request, response.clone());
	return response;
}

/** Opaque, error and partial (206) responses would poison the cache, so only a full 200 from this origin goes in. */
function isCacheable(response: Response): boolean {
	return response.status === 200 && response.type === 'basic';
}

/**
 * Browsers refuse a response marked `redirected` as the answer to a navigation, and a host may
 * redirect /breathe to /breathe/ while precaching. A copy without the flag avoids that.
 */
async function withoutRedirect(response: Response): Promise<Response> {
	if (!response.redirected) return response;
	return new Response(await response.blob(), {
		status: response.status,
		statusText: response.statusText,
		headers: response.headers
	});
}
