/**
 * The offline store against the real Cache API in Chromium, with a fake server: making sets
 * available, the question about keeping storage (asked once, remembered), removal that spares what
 * another chosen set needs, cancel, and a full disk that leaves what was there before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AudioOffline, type PersistentStorage } from '../../src/lib/offline/audio-offline.svelte';
import { OUT_OF_SPACE } from '../../src/lib/offline/downloads';
import type { DownloadItem } from '../../src/lib/offline/downloads';
import { memoryBackend } from '../../src/lib/storage/key-value';

const files: Record<string, Uint8Array<ArrayBuffer>> = {
	'/offline-store-test/a.mp3': Uint8Array.from({ length: 5_000 }, (_, i) => i % 251),
	'/offline-store-test/b.mp3': Uint8Array.from({ length: 3_000 }, (_, i) => (i * 7) % 251),
	'/offline-store-test/c.mp3': Uint8Array.from({ length: 4_000 }, (_, i) => (i * 13) % 251),
	'/offline-store-test/d.mp3': Uint8Array.from({ length: 2_000 }, (_, i) => (i * 17) % 251)
};
const item = (name: 'a' | 'b' | 'c' | 'd'): DownloadItem => {
	const url = `/offline-store-test/${name}.mp3`;
	return { url, bytes: files[url]!.length };
};

/** Serves `files` whole, in 1,000-byte chunks; `gate` holds the body of the next request until released. */
function fakeServer() {
	const served: string[] = [];
	let hold: { release: () => void; reached: Promise<void> } | undefined;
	const fetchFake: typeof fetch = async (input) => {
		const url = typeof input === 'string' ? input : input instanceof URL ? input.pathname : input.url;
		served.push(url);
		const data = files[url];
		if (!data) return new Response('missing', { status: 404 });
		const gate = hold;
		let offset = 0;
		const body = new ReadableStream<Uint8Array>(
			{
				async pull(controller) {
					if (offset >= data.length) return controller.close();
					if (gate && offset >= 1_000) {
						gate.release();
						await new Promise(() => undefined); // never more: the test cancels
					}
					controller.enqueue(data.slice(offset, offset + 1_000));
					offset += 1_000;
				}
			},
			{ highWaterMark: 0 }
		);
		return new Response(body, {
			headers: { 'content-type': 'audio/mpeg', 'content-length': String(data.length) }
		});
	};
	return {
		fetch: fetchFake,
		served,
		/** The next request stalls after its first chunk; resolves when it got there. */
		stallNext(): Promise<void> {
			let release = () => undefined as void;
			const reached = new Promise<void>((resolve) => (release = resolve));
			hold = { release, reached };
			return reached;
		}
	};
}

function fakeStorage(answer: boolean) {
	const calls = { persist: 0 };
	const storage: PersistentStorage = {
		persist: async () => {
			calls.persist += 1;
			return answer;
		},
		persisted: async () => false
	};
	return { storage, calls };
}

const cacheNames: string[] = [];
afterEach(async () => {
	await Promise.all(cacheNames.splice(0).map((name) => caches.delete(name)));
});

function makeStore(options: { answer?: boolean; backend?: ReturnType<typeof memoryBackend> } = {}) {
	const cacheName = `grounded-offline-store-test-${crypto.randomUUID()}`;
	cacheNames.push(cacheName);
	const server = fakeServer();
	const { storage, calls } = fakeStorage(options.answer ?? false);
	const backend = options.backend ?? memoryBackend();
	let changes = 0;
	const store = new AudioOffline({
		cacheName,
		sets: [
			{ id: 'first', label: 'First', items: [item('a'), item('b')] },
			{ id: 'second', label: 'Second', items: [item('b'), item('c')] },
			{ id: 'inner', label: 'Inner', items: [item('b')] },
			{ id: 'late', label: 'Late', items: [item('d'), item('c')] }
		],
		backend,
		storage,
		fetch: server.fetch,
		retryDelayMs: () => 0,
		onCacheChanged: () => {
			changes += 1;
		}
	});
	const stored = async () =>
		(await (await caches.open(cacheName)).keys()).map((request) => new URL(request.url).pathname).sort();
	return { store, server, calls, backend, stored, changes: () => changes, cacheName };
}

describe('AudioOffline', () => {
	it('makes a set available, asks once to keep storage, remembers the answer, and tells the worker', async () => {
		const { store, calls, backend, stored, changes } = makeStore({ answer: true });
		await store.refresh();
		expect(store.sets.first?.status).toBe('missing');
		expect([store.sets.first?.itemsTotal, store.sets.first?.bytesTotal]).toEqual([2, 8_000]);

		await store.makeAvailable('first');
		expect(store.sets.first?.status).toBe('available');
		expect(store.sets.first?.message).toBe('');
		expect(await stored()).toEqual(['/offline-store-test/a.mp3', '/offline-store-test/b.mp3']);
		// Sharing b: the inner set is whole now too, the second only in part.
		expect(store.sets.inner?.status).toBe('available');
		expect(store.sets.second?.status).toBe('partial');
		expect([store.sets.second?.itemsCached, store.sets.second?.bytesCached]).toEqual([1, 3_000]);
		// Only “first” was chosen: removing it would free both files; the others would free nothing.
		const spare = (id: string) => {
			const set = store.sets[id]!;
			return { chosen: set.chosen, removableBytes: set.removableBytes, keptFor: set.keptFor };
		};
		expect(spare('first')).toEqual({ chosen: true, removableBytes: 8_000, keptFor: [] });
		expect(spare('inner')).toEqual({ chosen: false, removableBytes: 0, keptFor: ['First'] });
		expect(spare('second')).toEqual({ chosen: false, removableBytes: 0, keptFor: ['First'] });
		expect(spare('late')).toEqual({ chosen: false, removableBytes: 0, keptFor: [] });
		expect(calls.persist).toBe(1);
		expect(store.persistence).toBe('granted');
		expect(store.askedFor).toBe('first');
		expect(store.persistenceText).toBe('This device will keep these files until you remove them.');
		expect(backend.data.get('storage-persistence')).toEqual({ version: 1, answer: 'granted' });
		expect(backend.data.get('offline-sets')).toEqual({ version: 1, ids: ['first'] });
		expect(changes()).toBeGreaterThanOrEqual(3); // after each file and at the end
		expect(store.busy).toBe(null);

		await store.makeAvailable('second');
		expect(store.sets.second?.status).toBe('available');
		expect(calls.persist).toBe(1);

		// A new page (a new store on the same storage) does not ask again either.
		const again = makeStore({ answer: false, backend });
		await again.store.loadPersistence();
		expect(again.store.persistence).toBe('granted');
		await again.store.makeAvailable('inner');
		expect(again.calls.persist).toBe(0);
	});

	it('says plainly what a refusal means', async () => {
		const { store } = makeStore({ answer: false });
		await store.makeAvailable('inner');
		expect(store.persistence).toBe('refused');
		expect(store.persistenceText).toMatch(/^The browser may clear these files .*\(Safari: after 7 days\)/);
	});

	it('removes a set but spares the files another chosen, whole set uses', async () => {
		const { store, stored } = makeStore();
		await store.makeAvailable('first');
		await store.makeAvailable('second');
		expect(await stored()).toEqual([
			'/offline-store-test/a.mp3',
			'/offline-store-test/b.mp3',
			'/offline-store-test/c.mp3'
		]);

		await store.remove('first');
		expect(await stored()).toEqual(['/offline-store-test/b.mp3', '/offline-store-test/c.mp3']);
		expect(store.sets.first?.status).toBe('partial');
		expect(store.sets.second?.status).toBe('available');
		expect(store.sets.first?.message).toBe(
			'Removed the pieces only this used. The others stay on this device: “Second” uses them too.'
		);

		// “Inner” is whole only because of the others: removing “second” takes b with it.
		expect(store.sets.inner?.status).toBe('available');
		await store.remove('second');
		expect(await stored()).toEqual([]);
		expect(store.sets.second?.status).toBe('missing');
		expect(store.sets.second?.message).toBe('Removed from this device.');
		expect(store.sets.inner?.status).toBe('missing');
	});

	it('cancels a download and leaves the device as it was', async () => {
		const { store, server, stored } = makeStore();
		await store.makeAvailable('inner');
		const stalled = server.stallNext();
		const running = store.makeAvailable('second');
		await stalled;
		expect(store.sets.second?.status).toBe('downloading');
		expect(store.busy).toBe('second');
		// Another set waits for this one.
		await store.makeAvailable('first');
		expect(store.sets.first?.status).not.toBe('downloading');
		store.cancel();
		await running;
		expect(store.sets.second?.status).toBe('partial');
		expect(store.sets.second?.message).toBe('');
		expect(await stored()).toEqual(['/offline-store-test/b.mp3']);
		expect(store.busy).toBe(null);
	});

	it('stops on a full disk with the message, removing only what this download stored', async () => {
		const { store, stored } = makeStore();
		await store.makeAvailable('first');
		const before = await stored();
		expect(before).toEqual(['/offline-store-test/a.mp3', '/offline-store-test/b.mp3']);
		const put = Cache.prototype.put;
		Cache.prototype.put = async function (this: Cache, request: RequestInfo | URL, response: Response) {
			const url = typeof request === 'string' ? request : request instanceof URL ? request.href : request.url;
			if (url.endsWith('/c.mp3')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
			return put.call(this, request, response);
		};
		try {
			// d is stored, then c does not fit: d goes again, a and b (there before) stay.
			await store.makeAvailable('late');
		} finally {
			Cache.prototype.put = put;
		}
		expect(store.sets.late?.message).toBe(OUT_OF_SPACE);
		expect(store.sets.late?.status).toBe('missing');
		expect(await stored()).toEqual(before);
		expect(store.sets.first?.status).toBe('available');
	});
});
