import { describe, expect, it } from 'vitest';
import { memoryBackend, type KeyValueBackend } from '../../src/lib/storage/key-value';
import { encodeWav } from '../../src/lib/voice/clip';
import { VoiceClipStore, voiceClipKey, type NewClip } from '../../src/lib/voice/clip-store';

function wav(frames: number): Blob {
	return new Blob([encodeWav(new Float32Array(frames).fill(0.1), 24_000)], { type: 'audio/wav' });
}

function clip(scriptId: string, stepId: string, frames = 2400, recordedAt = 1_700_000_000_000): NewClip {
	return { scriptId, stepId, wav: wav(frames), durationSeconds: frames / 24_000, gainDb: 6.5, recordedAt };
}

/** A backend whose writes fail as a full disk does; reads and deletes work. */
function fullDisk(memory: ReturnType<typeof memoryBackend>): KeyValueBackend {
	return {
		get: memory.get,
		delete: memory.delete,
		entries: memory.entries,
		set: async () => {
			throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
		}
	};
}

async function bytesOf(blob: Blob | undefined): Promise<number[]> {
	return blob ? [...new Uint8Array(await blob.arrayBuffer())] : [];
}

describe('VoiceClipStore', () => {
	it('keeps a clip per script and step, under voice-clip:<script>:<step>, Blob and all', async () => {
		const memory = memoryBackend();
		const store = new VoiceClipStore(memory);
		const first = clip('calm-place', 'step-1');
		const saved = await store.put(first);
		expect(saved).toEqual({ ok: true, value: { ...first, version: 1 } });
		expect([...memory.data.keys()]).toEqual(['voice-clip:calm-place:step-1']);
		expect(voiceClipKey('calm-place', 'step-1')).toBe('voice-clip:calm-place:step-1');

		const read = await store.get('calm-place', 'step-1');
		expect(read).not.toBeNull();
		expect(read?.wav).toBeInstanceOf(Blob);
		expect(read?.wav.type).toBe('audio/wav');
		expect(read?.wav.size).toBe(44 + 2400 * 2);
		expect(await bytesOf(read?.wav)).toEqual(await bytesOf(first.wav));
		expect({ ...read, wav: null }).toEqual({ ...first, version: 1, wav: null });
		expect(await store.get('calm-place', 'step-2')).toBeNull();
	});

	it('replaces a step’s clip when it is recorded again', async () => {
		const store = new VoiceClipStore(memoryBackend());
		await store.put(clip('s', 'a', 2400, 1));
		await store.put(clip('s', 'a', 4800, 2));
		const read = await store.get('s', 'a');
		expect(read?.recordedAt).toBe(2);
		expect(read?.wav.size).toBe(44 + 4800 * 2);
	});

	it('says so in plain words when the disk is full, and keeps the clip recorded before', async () => {
		const memory = memoryBackend();
		await new VoiceClipStore(memory).put(clip('s', 'a', 2400, 1));
		const store = new VoiceClipStore(fullDisk(memory));
		expect(await store.put(clip('s', 'a', 4800, 2))).toEqual({
			ok: false,
			reason:
				'This recording could not be saved because this device is out of storage space. The recording saved before is kept.'
		});
		const kept = await store.get('s', 'a');
		expect(kept?.recordedAt).toBe(1);
		expect(kept?.wav.size).toBe(44 + 2400 * 2);
	});

	it('says so, more generally, when a write fails for another reason', async () => {
		const memory = memoryBackend();
		const store = new VoiceClipStore({
			...memory,
			set: async () => {
				throw new Error('connection lost');
			}
		});
		expect(await store.put(clip('s', 'a'))).toEqual({
			ok: false,
			reason: 'This recording could not be saved on this device just now. The recording saved before is kept.'
		});
		expect(memory.data.size).toBe(0);
	});

	it('refuses to store what is not a WAV clip', async () => {
		const memory = memoryBackend();
		const store = new VoiceClipStore(memory);
		const refusal = { ok: false, reason: 'This recording could not be saved: it is not a usable voice clip.' };
		expect(
			await store.put({ ...clip('s', 'a'), wav: new Blob([new Uint8Array(100)], { type: 'audio/webm' }) })
		).toEqual(refusal);
		expect(await store.put({ ...clip('s', 'a'), wav: new Blob([new Uint8Array(44)], { type: 'audio/wav' }) })).toEqual(
			refusal
		);
		expect(await store.put({ ...clip('s', 'a'), durationSeconds: Number.NaN })).toEqual(refusal);
		expect(await store.put({ ...clip('', 'a') })).toEqual(refusal);
		expect(memory.data.size).toBe(0);
	});

	it('treats damaged or foreign stored values as no clip, never throwing', async () => {
		const good = { ...clip('s', 'ok'), version: 1 };
		const memory = memoryBackend({
			'voice-clip:s:a': 'not a clip',
			'voice-clip:s:b': { ...good, stepId: 'b', version: 2 },
			'voice-clip:s:c': { ...good, stepId: 'c', wav: 'AAAA' },
			'voice-clip:s:d': { ...good, stepId: 'd', wav: new Blob([new Uint8Array(100)], { type: 'text/plain' }) },
			'voice-clip:s:e': { ...good, stepId: 'e', wav: new Blob([], { type: 'audio/wav' }) },
			'voice-clip:s:f': { ...good, stepId: 'somewhere-else' },
			'voice-clip:s:g': null,
			'voice-clip:s:ok': good
		});
		const store = new VoiceClipStore(memory);
		for (const step of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'missing']) expect(await store.get('s', step)).toBeNull();
		expect((await store.get('s', 'ok'))?.stepId).toBe('ok');
		expect((await store.listFor('s')).map((c) => c.stepId)).toEqual(['ok']);
		expect(await store.usageBytes()).toBe(good.wav.size);
	});

	it('gives no clips, rather than throwing, when the store cannot be read', async () => {
		const broken: KeyValueBackend = {
			get: async () => {
				throw new Error('gone');
			},
			set: async () => undefined,
			delete: async () => {
				throw new Error('gone');
			},
			entries: async () => {
				throw new Error('gone');
			}
		};
		const store = new VoiceClipStore(broken);
		expect(await store.get('s', 'a')).toBeNull();
		expect(await store.listFor('s')).toEqual([]);
		expect(await store.usageBytes()).toBe(0);
		expect(await store.remove('s', 'a')).toEqual({
			ok: false,
			reason: 'This recording could not be deleted from this device just now. Try again.'
		});
		expect(await store.removeAllFor('s')).toEqual({
			ok: false,
			reason: 'The recordings of this script could not be deleted from this device just now. Try again.'
		});
	});

	it('lists, removes and measures a script’s clips without touching other scripts or other data', async () => {
		const memory = memoryBackend({ 'pacer-settings': { version: 1 } });
		const store = new VoiceClipStore(memory);
		await store.put(clip('s', 'b', 1000));
		await store.put(clip('s', 'a', 2000));
		await store.put(clip('s:2', 'a', 3000)); // a script whose id starts like "s:"
		await store.put(clip('t', 'a', 4000));
		expect((await store.listFor('s')).map((c) => `${c.scriptId}/${c.stepId}`)).toEqual(['s/a', 's/b']);
		expect((await store.listFor('s:2')).map((c) => `${c.scriptId}/${c.stepId}`)).toEqual(['s:2/a']);
		expect(await store.usageBytes()).toBe(4 * 44 + 2 * (1000 + 2000 + 3000 + 4000));

		expect(await store.remove('s', 'b')).toEqual({ ok: true, value: undefined });
		expect(await store.get('s', 'b')).toBeNull();
		expect(await store.remove('s', 'never-recorded')).toEqual({ ok: true, value: undefined });

		memory.data.set('voice-clip:s:damaged', { version: 1 });
		expect(await store.removeAllFor('s')).toEqual({ ok: true, value: undefined });
		expect([...memory.data.keys()].sort()).toEqual(['pacer-settings', 'voice-clip:s:2:a', 'voice-clip:t:a']);
		expect(await store.usageBytes()).toBe(2 * 44 + 2 * (3000 + 4000));
	});
});
