import { describe, expect, it } from 'vitest';
import { TARGET_LUFS, TRUE_PEAK_CEILING_DBTP } from '../../src/lib/library/import-audio';
import {
	contentId,
	ImportedTrackStore,
	importedTrackKey,
	LEVELLING,
	needsLevelling,
	type ImportedTrack
} from '../../src/lib/library/imported-tracks';
import { relevelTracks, type RelevelProgress } from '../../src/lib/library/relevel-tracks';
import { integratedLoudness } from '../../src/lib/loudness/loudness';
import { truePeakDb } from '../../src/lib/loudness/true-peak';
import { memoryBackend } from '../../src/lib/storage/key-value';
import { fakeAudioBuffer, fakeDecoders, FULL_RATE, memoryFiles, RATE, wavBytes } from './levelling-fixtures';

const noPause = async () => undefined;

/** A record as the first levelling rule saved it: gain within ±12 dB, no true peak, no rule number. */
type OldRecord = Omit<ImportedTrack, 'truePeakDb' | 'levelling'>;

async function oldRecord(tone: number, title: string, loudnessLufs: number, importedAt: number): Promise<OldRecord> {
	const bytes = wavBytes(tone);
	return {
		version: 1,
		id: await contentId(bytes.buffer),
		title,
		artist: 'Someone',
		fileName: `${title}.wav`,
		bytes: bytes.byteLength,
		durationSeconds: 10,
		loudnessLufs,
		gainDb: Math.min(12, Math.max(-12, TARGET_LUFS - loudnessLufs)),
		mime: 'audio/wav',
		importedAt
	};
}

/** A library holding tracks imported under the old rule: a loud master and a quiet file with high peaks. */
async function oldLibrary() {
	const backend = memoryBackend();
	const files = memoryFiles();
	const store = new ImportedTrackStore({ backend, files });
	const fakes = fakeDecoders();
	const signals = fakes.signals[RATE];
	const loud = await oldRecord(1, 'Loud master', integratedLoudness(signals.loud, RATE), 1000);
	const peaky = await oldRecord(2, 'Quiet with peaks', integratedLoudness(signals.quietWithPeaks, RATE), 2000);
	for (const [tone, record] of [
		[1, loud],
		[2, peaky]
	] as const) {
		await files.write(record.id, wavBytes(tone).buffer, record.mime);
		await backend.set(importedTrackKey(record.id), record);
	}
	const { decode, decodeForPeak } = fakes;
	return { backend, files, store, fakes, loud, peaky, decode, decodeForPeak, decodes: () => fakes.calls.decode };
}

describe('records imported under the first levelling rule', () => {
	it('stay readable, and are known to need levelling', async () => {
		const { store, loud, peaky } = await oldLibrary();
		const listed = await store.list();
		expect(listed).toEqual([loud, peaky]);
		expect(listed.map(needsLevelling)).toEqual([true, true]);
		expect(needsLevelling({ ...loud, levelling: LEVELLING, truePeakDb: -1 })).toBe(false);
		// A later rule's record is still listed, and not levelled back to this one.
		expect(needsLevelling({ ...loud, levelling: LEVELLING + 1 })).toBe(false);
	});
});

describe('records levelled by rule 2, whose peak was read at the analysis rate', () => {
	it('are levelled again when they were boosted, as the boost may pass −1 dBTP; their cuts stand', async () => {
		expect(LEVELLING).toBe(3);
		const { backend, store, fakes, loud, peaky, decode, decodeForPeak } = await oldLibrary();
		const signals = fakes.signals[RATE];
		// What rule 2 saved: the quiet file boosted by its peak at the analysis rate, to +1.9 dBTP at full rate.
		const coarse = truePeakDb(signals.quietWithPeaks);
		const boosted = { ...peaky, truePeakDb: coarse, gainDb: TRUE_PEAK_CEILING_DBTP - coarse, levelling: 2 };
		const cut = {
			...loud,
			truePeakDb: truePeakDb(signals.loud),
			gainDb: TARGET_LUFS - loud.loudnessLufs!,
			levelling: 2
		};
		expect(truePeakDb(fakes.signals[FULL_RATE].quietWithPeaks) + boosted.gainDb).toBeGreaterThan(1.5);
		await backend.set(importedTrackKey(boosted.id), boosted);
		await backend.set(importedTrackKey(cut.id), cut);
		expect([cut, boosted].map(needsLevelling)).toEqual([false, true]);

		const result = await relevelTracks(store, { decode, decodeForPeak, pause: noPause });
		expect(result.levelled.map((track) => track.id)).toEqual([peaky.id]);
		const peak = truePeakDb(fakes.signals[FULL_RATE].quietWithPeaks);
		expect(await store.get(peaky.id)).toEqual({
			...boosted,
			truePeakDb: peak,
			gainDb: TRUE_PEAK_CEILING_DBTP - peak,
			levelling: LEVELLING
		});
		expect(await store.get(loud.id)).toEqual(cut);
	});
});

describe('relevelTracks', () => {
	it('levels again a loud master and a quiet file with high peaks imported under the old rule', async () => {
		const { store, fakes, loud, peaky, decode, decodeForPeak } = await oldLibrary();
		const signals = fakes.signals[RATE];
		// Under the old rule the master stayed too loud: its cut was capped at 12 dB.
		expect(loud.loudnessLufs!).toBeGreaterThan(-8);
		expect(loud.gainDb).toBe(-12);
		// And the quiet file got its whole boost, pushing its clicks past full scale.
		expect(peaky.gainDb).toBeGreaterThan(6);

		const progress: RelevelProgress[] = [];
		const result = await relevelTracks(store, {
			decode,
			decodeForPeak,
			pause: noPause,
			onProgress: (p) => progress.push(p)
		});
		expect(result.failed).toEqual([]);
		expect(result.cancelled).toBe(false);

		const [newLoud, newPeaky] = await store.list();
		expect(result.levelled).toEqual([newLoud, newPeaky]);
		// Everything but the level is as it was.
		expect(newLoud).toEqual({
			...loud,
			truePeakDb: truePeakDb(signals.loud),
			gainDb: TARGET_LUFS - loud.loudnessLufs!,
			levelling: LEVELLING
		});
		expect(newLoud!.gainDb).toBeLessThan(-15);
		// Its bright clicks measured at full rate, where they read higher than at the analysis rate.
		const peak = truePeakDb(fakes.signals[FULL_RATE].quietWithPeaks);
		expect(peak).toBeGreaterThan(truePeakDb(signals.quietWithPeaks) + 2);
		expect(newPeaky).toEqual({
			...peaky,
			truePeakDb: peak,
			gainDb: TRUE_PEAK_CEILING_DBTP - peak,
			levelling: LEVELLING
		});
		expect(newPeaky!.gainDb).toBeLessThan(peaky.gainDb - 4);

		expect(progress).toEqual([
			{ done: 0, total: 2, current: 'Loud master' },
			{ done: 1, total: 2, current: 'Quiet with peaks' },
			{ done: 2, total: 2, current: '' }
		]);
	});

	it('levels each track once: a second run finds nothing to do', async () => {
		const { store, fakes, decode, decodeForPeak, decodes } = await oldLibrary();
		await relevelTracks(store, { decode, decodeForPeak, pause: noPause });
		expect(decodes()).toBe(2);
		expect(fakes.calls.decodeForPeak).toBe(1);
		const progress: RelevelProgress[] = [];
		const again = await relevelTracks(store, {
			decode,
			decodeForPeak,
			pause: noPause,
			onProgress: (p) => progress.push(p)
		});
		expect(again).toEqual({ levelled: [], failed: [], cancelled: false });
		expect(decodes()).toBe(2);
		expect(fakes.calls.decodeForPeak).toBe(1);
		expect(progress).toEqual([{ done: 0, total: 0, current: '' }]);
	});

	it('leaves a track whose file no longer decodes as it was, says so by title, and goes on', async () => {
		for (const failing of [
			async (): Promise<AudioBuffer> => {
				throw new DOMException('Unable to decode audio data', 'EncodingError');
			},
			async () => fakeAudioBuffer([new Float32Array(0)])
		]) {
			const { backend, store, loud, peaky, decode, decodeForPeak } = await oldLibrary();
			const result = await relevelTracks(store, {
				pause: noPause,
				decodeForPeak,
				decode: (bytes) => (new Uint8Array(bytes).at(-1) === 1 ? failing() : decode(bytes))
			});
			expect(result.failed).toEqual([
				{
					track: loud,
					reason: '“Loud master”: its file could not be read as audio just now. It keeps its earlier level.'
				}
			]);
			expect(backend.data.get(importedTrackKey(loud.id))).toEqual(loud);
			expect(result.levelled.map((track) => track.id)).toEqual([peaky.id]);
			expect((await store.get(peaky.id))!.levelling).toBe(LEVELLING);
		}
	});

	it('leaves a track whose file is gone as it was, and says so', async () => {
		const { backend, files, store, loud, decode, decodeForPeak } = await oldLibrary();
		await files.remove(loud.id);
		const result = await relevelTracks(store, { decode, decodeForPeak, pause: noPause });
		expect(result.failed.map((failure) => failure.reason)).toEqual([
			'“Loud master”: its file is no longer on this device, so it could not be levelled. It keeps its earlier level.'
		]);
		expect(backend.data.get(importedTrackKey(loud.id))).toEqual(loud);
		expect(result.levelled).toHaveLength(1);
	});

	it('leaves the old level in place when the new one can’t be saved', async () => {
		const { backend, store, loud, peaky, decode, decodeForPeak } = await oldLibrary();
		const set = backend.set;
		backend.set = async (key, value) => {
			if (key === importedTrackKey(loud.id)) throw new DOMException('The disk is full', 'QuotaExceededError');
			return set(key, value);
		};
		const result = await relevelTracks(store, { decode, decodeForPeak, pause: noPause });
		expect(result.failed.map((failure) => failure.reason)).toEqual([
			'“Loud master”: there isn’t enough storage space on this device to save this track’s new level. It keeps its earlier level.'
		]);
		expect(backend.data.get(importedTrackKey(loud.id))).toEqual(loud);
		expect(result.levelled.map((track) => track.id)).toEqual([peaky.id]);
	});

	it('passes over a track removed while it was being measured', async () => {
		const { store, loud, peaky, decode, decodeForPeak } = await oldLibrary();
		const result = await relevelTracks(store, {
			pause: noPause,
			decodeForPeak,
			decode: async (bytes) => {
				const buffer = await decode(bytes);
				if (new Uint8Array(bytes).at(-1) === 1) await store.remove(loud.id);
				return buffer;
			}
		});
		expect(result.failed).toEqual([]);
		expect(result.levelled.map((track) => track.id)).toEqual([peaky.id]);
		expect((await store.list()).map((track) => track.id)).toEqual([peaky.id]);
	});

	it('stops before the next track when asked, keeping the track it had measured', async () => {
		const { store, loud, peaky, decode, decodeForPeak, decodes } = await oldLibrary();
		const controller = new AbortController();
		const result = await relevelTracks(store, {
			pause: noPause,
			decodeForPeak,
			signal: controller.signal,
			decode: async (bytes) => {
				controller.abort();
				return decode(bytes);
			}
		});
		expect(result.cancelled).toBe(true);
		expect(decodes()).toBe(1);
		expect(result.levelled.map((track) => track.id)).toEqual([loud.id]);
		expect(needsLevelling((await store.get(peaky.id))!)).toBe(true);
	});
});
