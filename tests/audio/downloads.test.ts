/**
 * The download manager against the real Cache API in Chromium, with a fake server: in-memory
 * files served as streams that honour `Range: bytes=N-`, can drop the connection at given
 * bytes, and count every byte they send.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
	availability,
	DOWNLOAD_CANCELLED,
	downloadAll,
	OUT_OF_SPACE,
	removeAll,
	RETRYING,
	type DownloadItem,
	type DownloadProgress
} from '../../src/lib/offline/downloads';

const CHUNK = 1_000;
const NO_WAIT = () => 0;

function bytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
	return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) % 251);
}

interface ServerOptions {
	/** Drop the connection once at each of these byte offsets of the file. */
	dropAt?: Record<string, number[]>;
	/** Answer range requests with the whole file (200), as some servers do. */
	ignoreRange?: boolean;
	/** Answer every request for these files with this status. */
	status?: Record<string, number>;
	/** Send a Content-Length other than the real one. */
	claimLength?: Record<string, number>;
}

interface FakeServer {
	fetch: typeof fetch;
	/** Bytes handed to the client, over all requests. */
	served: number;
	requests: { url: string; range: string | null }[];
}

function fakeServer(files: Record<string, Uint8Array<ArrayBuffer>>, options: ServerOptions = {}): FakeServer {
	const drops = Object.fromEntries(Object.entries(options.dropAt ?? {}).map(([url, at]) => [url, [...at]]));
	const server: FakeServer = {
		served: 0,
		requests: [],
		fetch: async (input, init) => {
			const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
			const range = new Headers(init?.headers).get('range');
			server.requests.push({ url, range });
			const data = files[url];
			const forced = options.status?.[url];
			if (forced !== undefined) return new Response('no', { status: forced });
			if (!data) return new Response('not found', { status: 404 });

			const headers = new Headers({ 'content-type': 'audio/mpeg' });
			let offset = 0;
			let status = 200;
			const asked = range === null || options.ignoreRange ? null : /^bytes=(\d+)-$/.exec(range);
			if (asked) {
				offset = Number(asked[1]);
				if (offset >= data.length) return new Response(null, { status: 416 });
				status = 206;
				headers.set('content-range', `bytes ${offset}-${data.length - 1}/${data.length}`);
			}
			headers.set('content-length', String(options.claimLength?.[url] ?? data.length - offset));
			const pending = drops[url] ?? [];
			const body = new ReadableStream<Uint8Array>(
				{
					pull(controller) {
						const dropAt = pending[0];
						if (dropAt !== undefined && offset >= dropAt) {
							pending.shift();
							controller.error(new TypeError('network error'));
							return;
						}
						if (offset >= data.length) {
							controller.close();
							return;
						}
						const end = Math.min(offset + CHUNK, data.length, dropAt ?? Number.POSITIVE_INFINITY);
						const piece = data.slice(offset, end);
						offset = end;
						server.served += piece.length;
						controller.enqueue(piece);
					}
				},
				// Pull only when the client reads, so `served` counts exactly what it received.
				{ highWaterMark: 0 }
			);
			return new Response(body, { status, headers });
		}
	};
	return server;
}

const cacheNames: string[] = [];
function newCacheName(): string {
	const name = `grounded-downloads-test-${crypto.randomUUID()}`;
	cacheNames.push(name);
	return name;
}

afterEach(async () => {
	await Promise.all(cacheNames.splice(0).map((name) => caches.delete(name)));
});

async function stored(cacheName: string, url: string): Promise<Uint8Array | undefined> {
	const response = await (await caches.open(cacheName)).match(url);
	return response ? new Uint8Array(await response.arrayBuffer()) : undefined;
}

async function storedUrls(cacheName: string): Promise<string[]> {
	const keys = await (await caches.open(cacheName)).keys();
	return keys.map((request) => new URL(request.url).pathname).sort();
}

function recorder() {
	const reports: DownloadProgress[] = [];
	return {
		reports,
		onProgress: (p: DownloadProgress) => reports.push({ ...p }),
		bytesDone: () => reports.map((p) => p.bytesDone)
	};
}

function isNonDecreasing(values: number[]): boolean {
	return values.every((value, i) => i === 0 || value >= values[i - 1]!);
}

const A = '/offline-test/a.mp3';
const B = '/offline-test/b.mp3';
const C = '/offline-test/c.mp3';
const PRE = '/offline-test/pre.mp3';
const OTHER = '/offline-test/other.mp3';

const files = { [A]: bytes(10_000, 1), [B]: bytes(4_500, 2), [C]: bytes(2_000, 3), [PRE]: bytes(3_000, 4) };
const item = (url: keyof typeof files): DownloadItem => ({ url, bytes: files[url].length });

async function preStore(cacheName: string, url: string, data: Uint8Array<ArrayBuffer>): Promise<void> {
	const cache = await caches.open(cacheName);
	await cache.put(url, new Response(data, { headers: { 'content-type': 'audio/mpeg' } }));
}

describe('downloadAll', () => {
	it('stores every file whole as a 200 with its type and length, reporting steady progress', async () => {
		const cacheName = newCacheName();
		const server = fakeServer(files);
		const progress = recorder();
		const result = await downloadAll([item(A), item(B)], { cacheName, fetch: server.fetch, ...progress });

		expect(result).toEqual({ ok: true, value: { fetchedBytes: 14_500, skipped: 0 } });
		expect(server.served).toBe(14_500);
		expect(await stored(cacheName, A)).toEqual(files[A]);
		expect(await stored(cacheName, B)).toEqual(files[B]);
		const response = await (await caches.open(cacheName)).match(B);
		expect([response?.status, response?.headers.get('content-type'), response?.headers.get('content-length')]).toEqual([
			200,
			'audio/mpeg',
			'4500'
		]);

		// One report per 1,000-byte chunk, one per finished file.
		expect(progress.bytesDone()).toEqual([
			1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000, 10_000, 11_000, 12_000, 13_000, 14_000,
			14_500, 14_500
		]);
		expect(progress.reports.at(-1)).toEqual({ bytesDone: 14_500, bytesTotal: 14_500, itemsDone: 2, itemsTotal: 2 });
		expect(progress.reports.some((p) => p.retrying !== undefined)).toBe(false);
	});

	it('resumes a dropped file from where it stopped and fetches only the rest', async () => {
		const cacheName = newCacheName();
		const server = fakeServer(files, { dropAt: { [A]: [3_000] } });
		const progress = recorder();
		const attempts: number[] = [];
		const result = await downloadAll([item(A)], {
			cacheName,
			fetch: server.fetch,
			retryDelayMs: (attempt) => (attempts.push(attempt), 0),
			...progress
		});

		expect(result).toEqual({ ok: true, value: { fetchedBytes: 10_000, skipped: 0 } });
		expect(server.requests).toEqual([
			{ url: A, range: null },
			{ url: A, range: 'bytes=3000-' }
		]);
		expect(server.served).toBe(10_000);
		expect(attempts).toEqual([1]);
		expect(await stored(cacheName, A)).toEqual(files[A]);
		const retries = progress.reports.filter((p) => p.retrying !== undefined);
		expect(retries).toEqual([
			{ bytesDone: 3_000, bytesTotal: 10_000, itemsDone: 0, itemsTotal: 1, retrying: RETRYING }
		]);
		expect(RETRYING).toBe('The connection dropped. Trying again from where it stopped…');
		expect(isNonDecreasing(progress.bytesDone())).toBe(true);
		expect(progress.bytesDone().at(-1)).toBe(10_000);
	});

	it('keeps trying as long as each try brings more of the file', async () => {
		const cacheName = newCacheName();
		const drops = [1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000];
		const server = fakeServer(files, { dropAt: { [A]: drops } });
		const result = await downloadAll([item(A)], { cacheName, fetch: server.fetch, retries: 1, retryDelayMs: NO_WAIT });
		expect(result).toEqual({ ok: true, value: { fetchedBytes: 10_000, skipped: 0 } });
		expect(server.requests.map((r) => r.range)).toEqual([null, ...drops.map((at) => `bytes=${at}-`)]);
		expect(await stored(cacheName, A)).toEqual(files[A]);
	});

	it('starts a file again when the server answers a range request with the whole file', async () => {
		const cacheName = newCacheName();
		const server = fakeServer(files, { dropAt: { [A]: [3_000] }, ignoreRange: true });
		const progress = recorder();
		const result = await downloadAll([item(A), item(C)], {
			cacheName,
			fetch: server.fetch,
			retryDelayMs: NO_WAIT,
			...progress
		});

		expect(result).toEqual({ ok: true, value: { fetchedBytes: 15_000, skipped: 0 } });
		expect(server.requests.map((r) => r.range)).toEqual([null, 'bytes=3000-', null]);
		expect(server.served).toBe(15_000);
		expect(await stored(cacheName, A)).toEqual(files[A]);
		expect(await stored(cacheName, C)).toEqual(files[C]);
		// The restart re-reads 3,000 bytes already counted; progress waits for it instead of going back.
		expect(isNonDecreasing(progress.bytesDone())).toBe(true);
		expect(progress.reports.at(-1)).toEqual({ bytesDone: 12_000, bytesTotal: 12_000, itemsDone: 2, itemsTotal: 2 });
	});

	it('skips a file already stored whole, fetching nothing for it, and replaces a stored copy of the wrong size', async () => {
		const cacheName = newCacheName();
		await preStore(cacheName, PRE, files[PRE]);
		await preStore(cacheName, C, files[C].slice(0, 1_500));
		const server = fakeServer(files);
		const progress = recorder();
		const result = await downloadAll([item(PRE), item(C)], { cacheName, fetch: server.fetch, ...progress });

		expect(result).toEqual({ ok: true, value: { fetchedBytes: 2_000, skipped: 1 } });
		expect(server.requests).toEqual([{ url: C, range: null }]);
		expect(await stored(cacheName, C)).toEqual(files[C]);
		expect(progress.reports[0]).toEqual({ bytesDone: 3_000, bytesTotal: 5_000, itemsDone: 1, itemsTotal: 2 });

		const again = fakeServer(files);
		expect(await downloadAll([item(PRE), item(C)], { cacheName, fetch: again.fetch })).toEqual({
			ok: true,
			value: { fetchedBytes: 0, skipped: 2 }
		});
		expect(again.served).toBe(0);
	});

	it('stops when the device is full, removes what this run stored and keeps what was there before', async () => {
		const cacheName = newCacheName();
		await preStore(cacheName, PRE, files[PRE]);
		await preStore(cacheName, OTHER, bytes(100, 9));
		let puts = 0;
		const full: CacheStorage = {
			has: (name) => caches.has(name),
			delete: (name) => caches.delete(name),
			keys: () => caches.keys(),
			match: (request, options) => caches.match(request, options),
			open: async (name) => {
				const real = await caches.open(name);
				return {
					add: (request) => real.add(request),
					addAll: (requests) => real.addAll(requests),
					delete: (request, options) => real.delete(request, options),
					keys: (request, options) => real.keys(request, options),
					match: (request, options) => real.match(request, options),
					matchAll: (request, options) => real.matchAll(request, options),
					put: async (request, response) => {
						puts += 1;
						if (puts === 2) throw new DOMException('full', 'QuotaExceededError');
						await real.put(request, response);
					}
				};
			}
		};
		const server = fakeServer(files);
		const result = await downloadAll([item(PRE), item(A), item(B), item(C)], {
			cacheName,
			fetch: server.fetch,
			caches: full
		});

		expect(result).toEqual({ ok: false, reason: OUT_OF_SPACE });
		expect(OUT_OF_SPACE).toBe(
			'This device is out of storage space. The download was stopped and its partial files removed; nothing that was already saved has been touched.'
		);
		expect(puts).toBe(2);
		expect(server.requests.map((r) => r.url)).toEqual([A, B]);
		expect(await storedUrls(cacheName)).toEqual([OTHER, PRE]);
		expect(await stored(cacheName, PRE)).toEqual(files[PRE]);
	});

	it('cancels mid-file, removing what this run stored and keeping what was there before', async () => {
		const cacheName = newCacheName();
		await preStore(cacheName, PRE, files[PRE]);
		const server = fakeServer(files);
		const controller = new AbortController();
		const progress = recorder();
		const result = await downloadAll([item(PRE), item(C), item(A), item(B)], {
			cacheName,
			fetch: server.fetch,
			signal: controller.signal,
			onProgress: (p) => {
				progress.onProgress(p);
				// 2,000 bytes into A, after PRE (skipped) and C (stored by this run).
				if (p.bytesDone === 7_000) controller.abort();
			}
		});

		expect(result).toEqual({ ok: false, reason: DOWNLOAD_CANCELLED });
		expect(server.requests.map((r) => r.url)).toEqual([C, A]);
		expect(server.served).toBe(4_000);
		expect(progress.bytesDone().at(-1)).toBe(7_000);
		expect(await storedUrls(cacheName)).toEqual([PRE]);
	});

	it('cancels while waiting to try again, without waiting out the delay', async () => {
		const cacheName = newCacheName();
		const controller = new AbortController();
		const failing: typeof fetch = async () => {
			throw new TypeError('Failed to fetch');
		};
		const started = performance.now();
		const result = await downloadAll([item(A)], {
			cacheName,
			fetch: failing,
			signal: controller.signal,
			retryDelayMs: () => 60_000,
			onProgress: (p) => {
				if (p.retrying) setTimeout(() => controller.abort(), 20);
			}
		});
		expect(result).toEqual({ ok: false, reason: DOWNLOAD_CANCELLED });
		expect(performance.now() - started).toBeLessThan(5_000);
	});

	it('gives up after the set number of tries without progress, keeping the files already saved', async () => {
		const cacheName = newCacheName();
		const server = fakeServer(files);
		let calls = 0;
		const flaky: typeof fetch = async (input, init) => {
			if (String(input) !== A) return server.fetch(input, init);
			calls += 1;
			throw new TypeError('Failed to fetch');
		};
		const progress = recorder();
		const result = await downloadAll([item(C), item(A)], {
			cacheName,
			fetch: flaky,
			retries: 3,
			retryDelayMs: NO_WAIT,
			...progress
		});

		expect(result).toEqual({
			ok: false,
			reason:
				'The connection dropped and did not come back, so the download stopped. 1 of 2 files are saved on this device; downloading again fetches only the rest.'
		});
		expect(calls).toBe(4);
		expect(progress.reports.filter((p) => p.retrying === RETRYING)).toHaveLength(3);
		expect(await storedUrls(cacheName)).toEqual([C]);
	});

	it('stops on a server error or a file of the wrong size, storing nothing for it', async () => {
		const cacheName = newCacheName();
		const missing = await downloadAll([item(C)], {
			cacheName,
			fetch: fakeServer(files, { status: { [C]: 404 } }).fetch
		});
		expect(missing).toEqual({
			ok: false,
			reason: 'The download stopped: the server could not send “c.mp3” (error 404). Nothing was saved.'
		});

		const wrongSize =
			'The download stopped: “c.mp3” is not the size Grounded expects. The app may have been updated since this page opened; reload it and try again.';
		const claimed = await downloadAll([item(C)], {
			cacheName,
			fetch: fakeServer(files, { claimLength: { [C]: 1_999 } }).fetch
		});
		expect(claimed).toEqual({ ok: false, reason: wrongSize });
		// The server claims the expected size but sends more.
		const longer = await downloadAll([{ url: C, bytes: 1_500 }], {
			cacheName,
			fetch: fakeServer(files, { claimLength: { [C]: 1_500 } }).fetch
		});
		expect(longer).toEqual({ ok: false, reason: wrongSize });
		expect(await storedUrls(cacheName)).toEqual([]);
	});

	it('retries a busy server and then succeeds', async () => {
		const cacheName = newCacheName();
		const server = fakeServer(files);
		let calls = 0;
		const busy: typeof fetch = async (input, init) => {
			calls += 1;
			return calls <= 2 ? new Response('busy', { status: 503 }) : server.fetch(input, init);
		};
		const result = await downloadAll([item(C)], { cacheName, fetch: busy, retryDelayMs: NO_WAIT });
		expect(result).toEqual({ ok: true, value: { fetchedBytes: 2_000, skipped: 0 } });
		expect(calls).toBe(3);
		expect(await stored(cacheName, C)).toEqual(files[C]);
	});
});

describe('availability and removeAll', () => {
	it('count what is stored whole, and remove only the given files', async () => {
		const cacheName = newCacheName();
		await preStore(cacheName, A, files[A]);
		await preStore(cacheName, B, files[B].slice(0, 10));
		await preStore(cacheName, OTHER, bytes(100, 9));
		const items = [item(A), item(B), item(C)];

		expect(await availability(items, { cacheName })).toEqual({
			itemsCached: 1,
			itemsTotal: 3,
			bytesCached: 10_000,
			bytesTotal: 16_500,
			complete: false
		});
		expect(await downloadAll(items, { cacheName, fetch: fakeServer(files).fetch })).toEqual({
			ok: true,
			value: { fetchedBytes: 6_500, skipped: 1 }
		});
		expect((await availability(items, { cacheName })).complete).toBe(true);

		expect(await removeAll(items, { cacheName })).toBe(3);
		expect(await availability(items, { cacheName })).toEqual({
			itemsCached: 0,
			itemsTotal: 3,
			bytesCached: 0,
			bytesTotal: 16_500,
			complete: false
		});
		expect(await storedUrls(cacheName)).toEqual([OTHER]);
	});

	it('do not create a cache that does not exist', async () => {
		const cacheName = newCacheName();
		expect(await availability([item(A)], { cacheName })).toEqual({
			itemsCached: 0,
			itemsTotal: 1,
			bytesCached: 0,
			bytesTotal: 10_000,
			complete: false
		});
		expect(await removeAll([item(A)], { cacheName })).toBe(0);
		expect(await caches.has(cacheName)).toBe(false);
	});
});
