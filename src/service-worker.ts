/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />

/**
 * Keeps the app shell (pages, JS, CSS, icons) on the device so Grounded opens with no network
 * after one online visit. A session room may have no signal, and the app must not fail there.
 *
 * Music made available offline (by the page: src/lib/offline/audio-offline.svelte.ts) lives in
 * its own cache, AUDIO_CACHE, which outlives app versions; this worker answers byte ranges from it
 * (media elements ask for ranges) and, on activation, removes only files the app no longer ships.
 */
import { build, files, prerendered, version } from '$service-worker';
// Relative paths: the worker is type-checked on its own (tsconfig.sw.json), without $lib.
import {
	AUDIO_CACHE,
	AUDIO_CACHE_CHANGED,
	AUDIO_PATH_PREFIX,
	isWorkerMessage,
	RECEIVE_PATH,
	SHARED_PACK_CACHE,
	SHARED_PACK_FIELD,
	SHARED_PACK_URL,
	SHELL_CACHE_PREFIX,
	SKIP_WAITING
} from './lib/offline/cache-names';
import { rangeResponse } from './lib/offline/range';

const sw = self as unknown as ServiceWorkerGlobalScope;

const SHELL_CACHE = `${SHELL_CACHE_PREFIX}${version}`;

/** After this long a slow network loses to the cached page: a stalled connection must not keep the screen blank. */
const NAVIGATION_TIMEOUT_MS = 3_000;

/** Audio never joins the shell: it is too large to copy again with every app version (see AUDIO_CACHE). */
const AUDIO_FILE = /\.(?:mp3|ogg|m4a|wav|flac|opus)$/i;

const IMMUTABLE_PREFIX = '/_app/immutable/';

/**
 * Shell files are the same for every request, but hosts often add `Vary: Origin` or
 * `Vary: Accept-Encoding`; honouring that would turn a stored file into a miss offline.
 */
const MATCH: CacheQueryOptions = { ignoreVary: true };

/** SvelteKit's update check reads this file; any stored copy would hide new versions, so it is never cached. */
const VERSION_FILE = '/_app/version.json';

/** Audio URLs ignore `?…`: a cache-busting query must not turn a stored file into a miss offline. */
const AUDIO_MATCH: CacheQueryOptions = { ignoreVary: true, ignoreSearch: true };

const shellFiles = [...build, ...files.filter((file) => !isAudioPath(file) && !AUDIO_FILE.test(file)), ...prerendered];

/**
 * The audio this build ships (static/audio, listed by SvelteKit at build time). The catalog's
 * file names carry a content hash, so this list is also the list of current contents: a stored
 * file not on it belongs to an older version of the app and is removed on activation.
 */
const shippedAudio = new Set(files.filter(isAudioPath));

/**
 * Paths stored in AUDIO_CACHE, known without waiting, so that a request for audio that is not
 * stored reaches the network exactly as if there were no worker (no copy, no implicit caching).
 * Undefined until first read after the worker starts; the page says when it changed the cache.
 */
let storedAudio: Set<string> | undefined;
/** Bumped by every read of AUDIO_CACHE's list, so that an older, slower read cannot undo a newer one. */
let storedAudioReads = 0;
void refreshStoredAudio();

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
			// Only earlier shells go; other caches (AUDIO_CACHE above all) outlive app versions.
			const oldShells = names.filter((name) => name.startsWith(SHELL_CACHE_PREFIX) && name !== SHELL_CACHE);
			await Promise.all(oldShells.map((name) => caches.delete(name)));
			await removeUnshippedAudio();
			// No earlier shell means this is the first install: claim the open page so that the
			// very first visit already works offline (the Tone.js chunk loads later, on a gesture).
			// An update skips this; its pages change hands only through SKIP_WAITING.
			if (oldShells.length === 0) await sw.clients.claim();
		})()
	);
});

sw.addEventListener('message', (event) => {
	if (isWorkerMessage(event.data, SKIP_WAITING)) {
		// The page asked for this after the person chose to update; it reloads on controllerchange.
		event.waitUntil(sw.skipWaiting());
	} else if (isWorkerMessage(event.data, AUDIO_CACHE_CHANGED)) {
		event.waitUntil(refreshStoredAudio());
	}
});

sw.addEventListener('fetch', (event) => {
	const { request } = event;
	if (request.method === 'POST' && new URL(request.url).pathname === RECEIVE_PATH) {
		event.respondWith(receiveShared(request));
		return;
	}
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin) return;
	if (isAudioPath(url.pathname)) {
		// Not stored: the network answers as if there were no worker.
		if (storedAudio && !storedAudio.has(url.pathname)) return;
		event.respondWith(audio(request, url));
		return;
	}
	// Other range requests have no whole stored copy to be cut from; the network answers them.
	if (request.headers.has('range')) return;
	// Left to the network: audio outside AUDIO_PATH_PREFIX, and VERSION_FILE always.
	if (AUDIO_FILE.test(url.pathname) || url.pathname === VERSION_FILE) return;

	if (request.mode === 'navigate') {
		event.respondWith(navigate(request, url));
	} else {
		// Immutable build files never change under their hashed name, and the other static
		// files change only with a new version, which brings a new cache: cache-first for all.
		event.respondWith(cacheFirst(request));
	}
});

function isAudioPath(pathname: string): boolean {
	return pathname.startsWith(AUDIO_PATH_PREFIX);
}

/**
 * A stored file answers: whole, or the byte range asked for as a 206 (media elements ask for
 * `bytes=0-` first, Safari for `bytes=0-1`, and every seek is a new range). A file that is not
 * stored after all (removed a moment ago) comes from the network as it is.
 */
async function audio(request: Request, url: URL): Promise<Response> {
	let cached: Response | undefined;
	try {
		const cache = await caches.open(AUDIO_CACHE);
		cached = await cache.match(url.pathname, AUDIO_MATCH);
	} catch {
		cached = undefined;
	}
	return cached ? rangeResponse(request, cached) : fetch(request);
}

/** Reads AUDIO_CACHE's list of paths into `storedAudio`. */
async function refreshStoredAudio(): Promise<void> {
	const read = ++storedAudioReads;
	let paths: Set<string> | undefined;
	try {
		// `open` would create the cache just to look into it.
		if (!(await caches.has(AUDIO_CACHE))) {
			paths = new Set();
		} else {
			const cache = await caches.open(AUDIO_CACHE);
			paths = new Set((await cache.keys()).map((request) => new URL(request.url).pathname));
		}
	} catch {
		// Unreadable now: every audio request asks the cache itself, which falls back to the network.
		paths = undefined;
	}
	if (read === storedAudioReads) storedAudio = paths;
}

/**
 * Removes stored audio that this version no longer ships, so a track taken out of the catalog
 * does not linger or come back. Everything else is kept: an unchanged file keeps its name and is
 * never fetched again. Only shipped music lives in AUDIO_CACHE, so nothing else can be caught.
 */
async function removeUnshippedAudio(): Promise<void> {
	try {
		if (await caches.has(AUDIO_CACHE)) {
			const cache = await caches.open(AUDIO_CACHE);
			for (const request of await cache.keys()) {
				if (!shippedAudio.has(new URL(request.url).pathname)) await cache.delete(request);
			}
		}
	} catch {
		// A cache that cannot be read now is pruned at the next activation; it must not stop this one.
	}
	await refreshStoredAudio();
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

/**
 * A pack from the share sheet (the manifest's `share_target`): kept for the receive page, which
 * opens it with a preview; nothing is installed here. The 303 turns the POST into a page load.
 */
async function receiveShared(request: Request): Promise<Response> {
	const back = (outcome: string) => Response.redirect(`${RECEIVE_PATH}?shared=${outcome}`, 303);
	try {
		const form = await request.formData();
		const file = form.get(SHARED_PACK_FIELD);
		if (!(file instanceof File)) return back('none');
		const cache = await caches.open(SHARED_PACK_CACHE);
		await cache.put(
			SHARED_PACK_URL,
			new Response(file, {
				headers: { 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent(file.name) }
			})
		);
		return back('1');
	} catch {
		return back('failed');
	}
}
