import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseStoredSettings, type PacerSettings } from '../../src/lib/breath/settings';
import {
	blobsAsBytes,
	bytesAsBlobs,
	containsBlob,
	indexedDbBackend,
	memoryBackend,
	StoredValue,
	type KeyValueBackend
} from '../../src/lib/storage/key-value';

const custom: PacerSettings = { ...DEFAULT_SETTINGS, pattern: 'box', cueSet: 'chimes', volume: 0.4 };

describe('StoredValue with IndexedDB', () => {
	it('remembers settings across store instances (a reload)', async () => {
		const first = new StoredValue(indexedDbBackend(), 'pacer-settings', parseStoredSettings);
		expect(await first.load()).toEqual(DEFAULT_SETTINGS);
		expect(await first.save(custom)).toEqual({ ok: true, value: custom });
		const second = new StoredValue(indexedDbBackend(), 'pacer-settings', parseStoredSettings);
		expect(await second.load()).toEqual(custom);
	});

	it('falls back to defaults for a corrupt stored value', async () => {
		const backend = indexedDbBackend();
		await backend.set('corrupt', { version: 1, pattern: 'nonsense', volume: Number.POSITIVE_INFINITY });
		const stored = new StoredValue(backend, 'corrupt', parseStoredSettings);
		expect(await stored.load()).toEqual(DEFAULT_SETTINGS);
	});
});

describe('StoredValue failures', () => {
	it('says so in plain words when the disk is full, and keeps the earlier value', async () => {
		const memory = memoryBackend({ 'pacer-settings': custom });
		const full: KeyValueBackend = {
			get: memory.get,
			delete: memory.delete,
			entries: memory.entries,
			set: async () => {
				throw new DOMException('full', 'QuotaExceededError');
			}
		};
		const stored = new StoredValue(full, 'pacer-settings', parseStoredSettings);
		const result = await stored.save({ ...custom, volume: 1 });
		expect(result.ok).toBe(false);
		if (!result.ok)
			expect(result.reason).toMatch(
				/^Your settings could not be saved because this device is out of storage space\. The copy saved before is kept\.$/
			);
		expect(await stored.load()).toEqual(custom);
	});

	it('gives defaults when the store cannot be read at all', async () => {
		const broken: KeyValueBackend = {
			get: async () => {
				throw new Error('gone');
			},
			set: async () => undefined,
			delete: async () => undefined,
			entries: async () => []
		};
		expect(await new StoredValue(broken, 'k', parseStoredSettings).load()).toEqual(DEFAULT_SETTINGS);
	});
});

describe('copyOfMyData', () => {
	it('copies every stored value', async () => {
		const { copyOfMyData } = await import('../../src/lib/storage/export');
		const copy = await copyOfMyData(memoryBackend({ 'pacer-settings': custom, other: [1, 2] }));
		expect(copy.ok).toBe(true);
		if (copy.ok) {
			expect(copy.value.app).toBe('Grounded');
			expect(copy.value.data).toEqual({ 'pacer-settings': custom, other: [1, 2] });
		}
	});

	it('writes recordings as data: URLs and leaves imported audio files out, saying so', async () => {
		const { copyOfMyData } = await import('../../src/lib/storage/export');
		const wav = new Blob([new Uint8Array([82, 73, 70, 70, 0, 255])], { type: 'audio/wav' });
		const copy = await copyOfMyData(
			memoryBackend({
				'voice-clip:mine:step-1': { version: 1, wav, durationSeconds: 2 },
				'imported-track-file:0123456789abcdef': new Blob([new Uint8Array(1234)], { type: 'audio/mpeg' })
			})
		);
		expect(copy.ok && copy.value.data).toEqual({
			'voice-clip:mine:step-1': { version: 1, wav: 'data:audio/wav;base64,UklGRgD/', durationSeconds: 2 },
			'imported-track-file:0123456789abcdef':
				'Imported audio file (1234 bytes): kept on this device, not copied into this file.'
		});
	});
});

describe('Blobs where IndexedDB will not keep them', () => {
	it('keeps a Blob as its bytes and gives it back as a Blob of the same type', async () => {
		const wav = new Blob([new Uint8Array([82, 73, 70, 70, 1, 2, 3])], { type: 'audio/wav' });
		const value = { version: 1, takes: [{ step: 'a', wav }], note: 'kept' };
		expect(containsBlob(value)).toBe(true);
		const asBytes = await blobsAsBytes(value);
		expect(containsBlob(asBytes)).toBe(false);
		const back = bytesAsBlobs(structuredClone(asBytes)) as typeof value;
		expect(back.note).toBe('kept');
		const restored = back.takes[0]!.wav;
		expect(restored).toBeInstanceOf(Blob);
		expect(restored.type).toBe('audio/wav');
		expect([...new Uint8Array(await restored.arrayBuffer())]).toEqual([82, 73, 70, 70, 1, 2, 3]);
	});

	it('leaves values without Blobs as they are', async () => {
		const settings = { ...custom };
		expect(containsBlob(settings)).toBe(false);
		expect(bytesAsBlobs(settings)).toBe(settings);
		expect(await blobsAsBytes(settings)).toEqual(settings);
	});

	it('stores a value with a Blob through the app’s backend where Blobs are refused, and reads the Blob back', async () => {
		// As WebKit does in an ephemeral session: any write that holds a Blob fails.
		const put = IDBObjectStore.prototype.put;
		IDBObjectStore.prototype.put = function (value: unknown, key?: IDBValidKey) {
			if (containsBlob(value)) throw new DOMException('Blobs are not kept here', 'DataCloneError');
			return put.call(this, value, key);
		};
		const backend = indexedDbBackend();
		const clip = { version: 1, wav: new Blob([new Uint8Array([1, 2, 3, 4])], { type: 'audio/wav' }) };
		try {
			await backend.set('voice-clip:test', clip);
		} finally {
			IDBObjectStore.prototype.put = put;
		}
		const read = (await backend.get('voice-clip:test')) as typeof clip;
		expect(read.wav).toBeInstanceOf(Blob);
		expect(read.wav.type).toBe('audio/wav');
		expect(read.wav.size).toBe(4);
		const listed = new Map(await backend.entries());
		expect((listed.get('voice-clip:test') as typeof clip).wav).toBeInstanceOf(Blob);
	});
});
