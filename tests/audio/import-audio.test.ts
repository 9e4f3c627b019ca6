/**
 * Importing the therapist's own files in real Chromium: decoding with the browser's own
 * decoders, loudness and true peak from the decoded samples, files kept in the origin private file
 * system, and tracks imported under the old levelling rule levelled again from their kept files.
 * Fixtures are WAV tones and noise made here at known levels, next to files that are not audio at
 * all; a true peak after gain is checked against the file's own samples and a 48 kHz decode.
 * Each test keeps its files in a folder of its own, deleted afterwards.
 */
import { Mp3Encoder } from '@breezystack/lamejs';
import { afterEach, describe, expect, it } from 'vitest';
import {
	decodeForAnalysis,
	importAudioFiles,
	sniffAudioType,
	titleFromFileName,
	TRUE_PEAK_CEILING_DBTP,
	type ImportProgress
} from '../../src/lib/library/import-audio';
import {
	contentId,
	ImportedTrackStore,
	importedTrackKey,
	keyValueTrackFiles,
	LEVELLING,
	opfsTrackFiles,
	type TrackFiles
} from '../../src/lib/library/imported-tracks';
import { relevelTracks } from '../../src/lib/library/relevel-tracks';
import { integratedLoudness } from '../../src/lib/loudness/loudness';
import { mulberry32 } from '../../src/lib/music/prng';
import { truePeakDb } from '../../src/lib/loudness/true-peak';
import { indexedDbBackend, memoryBackend } from '../../src/lib/storage/key-value';

const RATE = 44_100;
const UNREADABLE = 'this file could not be read as audio (it may be damaged or in a format this browser can’t play).';
const OUT_OF_SPACE =
	'there isn’t enough storage space on this device for this track. The music imported before is kept. Removing tracks you no longer use frees space.';

/** A 1 kHz tone, `peakDb` dBFS at its peak, on every channel. */
function tone(seconds: number, peakDb: number, channels = 1): Float32Array[] {
	const amplitude = 10 ** (peakDb / 20);
	const samples = Float32Array.from(
		{ length: Math.round(seconds * RATE) },
		(_, i) =>
			// Rounded to 16 bits as the WAV keeps it, so the expected loudness is that of the stored samples.
			Math.round(amplitude * Math.sin((2 * Math.PI * 1000 * i) / RATE) * 32767) / 32767
	);
	return Array.from({ length: channels }, () => samples);
}

/** 16-bit PCM WAV bytes; `claimFrames` puts another length in the header. */
function wav(channels: Float32Array[], claimFrames?: number): Uint8Array<ArrayBuffer> {
	const frames = channels[0]!.length;
	const blockAlign = channels.length * 2;
	const dataBytes = (claimFrames ?? frames) * blockAlign;
	const data = new DataView(new ArrayBuffer(44 + frames * blockAlign));
	const text = (offset: number, value: string) => {
		for (let i = 0; i < value.length; i += 1) data.setUint8(offset + i, value.charCodeAt(i));
	};
	text(0, 'RIFF');
	data.setUint32(4, 36 + dataBytes, true);
	text(8, 'WAVE');
	text(12, 'fmt ');
	data.setUint32(16, 16, true);
	data.setUint16(20, 1, true);
	data.setUint16(22, channels.length, true);
	data.setUint32(24, RATE, true);
	data.setUint32(28, RATE * blockAlign, true);
	data.setUint16(32, blockAlign, true);
	data.setUint16(34, 16, true);
	text(36, 'data');
	data.setUint32(40, dataBytes, true);
	for (let i = 0; i < frames; i += 1) {
		channels.forEach((x, c) => data.setInt16(44 + i * blockAlign + c * 2, Math.round(x[i]! * 32767), true));
	}
	return new Uint8Array(data.buffer);
}

/** The header of a 10-second WAV cut inside its format chunk, then bytes that mean nothing. */
function corruptWav(): Uint8Array<ArrayBuffer> {
	const header = wav(tone(0.01, -6), 10 * RATE).subarray(0, 26);
	const garbage = Uint8Array.from({ length: 4000 }, (_, i) => (i * 73 + 11) % 256);
	return Uint8Array.from([...header, ...garbage]);
}

/** A 128 kbps stereo MP3 of the samples (at 112 kbps and up this LAME port keeps 44.1 kHz; see scripts/music/encode.js). */
function mp3(channels: Float32Array[]): Uint8Array {
	const pcm = channels.map((x) => Int16Array.from(x, (s) => Math.round(s * 32767)));
	const encoder = new Mp3Encoder(2, RATE, 128);
	const parts = [encoder.encodeBuffer(pcm[0]!, pcm[1] ?? pcm[0]!), encoder.flush()];
	return Uint8Array.from(parts.flatMap((part) => [...part]));
}

/** An ID3v2.3 tag with a UTF-16 title and a Latin-1 artist. */
function id3(title: string, artist: string): Uint8Array {
	const textFrame = (id: string, content: number[]) => [
		...[...id].map((c) => c.charCodeAt(0)),
		...[24, 16, 8, 0].map((shift) => (content.length >> shift) & 0xff),
		0,
		0,
		...content
	];
	const utf16 = [0xff, 0xfe, ...[...title].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])];
	const body = [
		...textFrame('TIT2', [1, ...utf16]),
		...textFrame('TPE1', [0, ...[...artist].map((c) => c.charCodeAt(0))]),
		...new Array<number>(32).fill(0)
	];
	const size = [21, 14, 7, 0].map((shift) => (body.length >> shift) & 0x7f);
	return Uint8Array.from([0x49, 0x44, 0x33, 3, 0, 0, ...size, ...body]);
}

function file(bytes: Uint8Array<ArrayBuffer> | string, name: string): File {
	return new File([bytes], name);
}

interface Fixture {
	store: ImportedTrackStore;
	backend: ReturnType<typeof memoryBackend>;
	files: TrackFiles;
	folder: () => Promise<FileSystemDirectoryHandle>;
}

const folders: string[] = [];

function fixture(wrap: (files: TrackFiles) => TrackFiles = (f) => f): Fixture {
	const name = `tracks-test-${crypto.randomUUID()}`;
	folders.push(name);
	const root = () => navigator.storage.getDirectory();
	const files = opfsTrackFiles(root, name);
	const backend = memoryBackend();
	return {
		store: new ImportedTrackStore({ backend, files: wrap(files) }),
		backend,
		files,
		folder: async () => (await root()).getDirectoryHandle(name)
	};
}

async function namesIn(folder: FileSystemDirectoryHandle): Promise<string[]> {
	const names: string[] = [];
	for await (const name of folder.keys()) names.push(name);
	return names.sort();
}

afterEach(async () => {
	const root = await navigator.storage.getDirectory();
	for (const name of folders.splice(0)) await root.removeEntry(name, { recursive: true }).catch(() => undefined);
});

describe('sniffAudioType', () => {
	it('knows audio by its first bytes, not its name', () => {
		const bytes = (...values: (number | string)[]) =>
			Uint8Array.from(values.flatMap((v) => (typeof v === 'string' ? [...v].map((c) => c.charCodeAt(0)) : [v])));
		expect(sniffAudioType(bytes('ID3', 4, 0, 0, 0, 0, 0, 0, 0xff, 0xfb, 0x90))).toBe('audio/mpeg');
		expect(sniffAudioType(bytes(0xff, 0xfb, 0x90, 0x64))).toBe('audio/mpeg');
		expect(sniffAudioType(bytes(0xff, 0xf1, 0x50, 0x80))).toBe('audio/aac');
		expect(sniffAudioType(bytes('RIFF', 0, 0, 0, 0, 'WAVE'))).toBe('audio/wav');
		expect(sniffAudioType(bytes('RIFF', 0, 0, 0, 0, 'AVI '))).toBeNull();
		expect(sniffAudioType(bytes('fLaC', 0, 0, 0, 0x22))).toBe('audio/flac');
		expect(sniffAudioType(bytes('ID3', 4, 0, 0, 0, 0, 0, 0, 'fLaC'))).toBe('audio/flac');
		expect(sniffAudioType(bytes('OggS', 0, 2))).toBe('audio/ogg');
		expect(sniffAudioType(bytes(0, 0, 0, 0x20, 'ftypM4A '))).toBe('audio/mp4');
		expect(sniffAudioType(bytes('%PDF-1.7'))).toBeNull();
		expect(sniffAudioType(new Uint8Array(0))).toBeNull();
		expect(titleFromFileName('01 Eden.final.flac')).toBe('01 Eden.final');
		expect(titleFromFileName('.mp3')).toBe('.mp3');
	});
});

describe('importAudioFiles', () => {
	it('imports the good files with duration and loudness, and names each refused file with its reason', async () => {
		const { store, files } = fixture();
		const quiet = tone(2, -30);
		const loudStereo = tone(1.5, -1, 2);
		const faint = tone(1, -50);
		const inputs = [
			file(wav(quiet), 'Quiet tone.wav'),
			file('These are my session notes, not music.', 'notes.mp3'),
			file(wav(loudStereo), 'loud.mp3'), // misnamed: the bytes say WAV
			file(corruptWav(), 'broken.wav'),
			file(new Uint8Array(0), 'empty.wav'),
			file(wav(faint), 'faint.wav')
		];
		const progress: ImportProgress[] = [];
		const result = await importAudioFiles(inputs, { store, onProgress: (p) => progress.push(p) });

		expect(result.refused).toEqual([
			{ name: 'notes.mp3', reason: 'notes.mp3: this isn’t an audio file.' },
			{ name: 'broken.wav', reason: `broken.wav: ${UNREADABLE}` },
			{ name: 'empty.wav', reason: 'empty.wav: this file is empty.' }
		]);
		expect(result.cancelled).toBe(false);
		expect(result.imported.map((t) => [t.title, t.fileName, t.mime, t.artist])).toEqual([
			['Quiet tone', 'Quiet tone.wav', 'audio/wav', null],
			['loud', 'loud.mp3', 'audio/wav', null],
			['faint', 'faint.wav', 'audio/wav', null]
		]);
		const expected = [
			{ seconds: 2, lufs: integratedLoudness(quiet, RATE) },
			{ seconds: 1.5, lufs: integratedLoudness(loudStereo, RATE) },
			{ seconds: 1, lufs: integratedLoudness(faint, RATE) }
		];
		// A 1 kHz sine reads 3.01 dB below its peak, +0.00 dB of K-weighting; stereo adds 3.01 dB.
		expect(expected.map((e) => Math.round(e.lufs))).toEqual([-33, -1, -53]);
		result.imported.forEach((track, n) => {
			expect(Math.abs(track.durationSeconds - expected[n]!.seconds)).toBeLessThan(0.05);
			expect(Math.abs(track.loudnessLufs! - expected[n]!.lufs)).toBeLessThan(0.5);
		});
		expect(Math.abs(result.imported[0]!.gainDb - (-23 - expected[0]!.lufs))).toBeLessThan(0.5);
		// A cut has no limit: −1 LUFS comes down by 22 dB. A boost has: −53 LUFS would want +30 dB, and gets +12.
		expect(Math.abs(result.imported[1]!.gainDb - (-23 - expected[1]!.lufs))).toBeLessThan(0.5);
		expect(result.imported[2]!.gainDb).toBe(12);
		// A 1 kHz tone's true peak is its sample peak.
		expect(result.imported.map((track) => Math.round(track.truePeakDb!))).toEqual([-30, -1, -50]);
		expect(result.imported.map((track) => track.levelling)).toEqual([LEVELLING, LEVELLING, LEVELLING]);

		// The original bytes are kept, not the decoded samples.
		for (const [n, input] of [inputs[0]!, inputs[2]!, inputs[5]!].entries()) {
			const track = result.imported[n]!;
			expect(track.bytes).toBe(input.size);
			expect(track.id).toBe(await contentId(await input.arrayBuffer()));
			const kept = (await files.read(track.id))!;
			expect(new Uint8Array(await kept.arrayBuffer())).toEqual(new Uint8Array(await input.arrayBuffer()));
			expect((await store.fileOf(track.id))!.type).toBe('audio/wav');
		}
		expect(await store.list()).toEqual(result.imported);
		expect(await store.usageBytes()).toBe(inputs[0]!.size + inputs[2]!.size + inputs[5]!.size);

		const total = inputs.reduce((sum, f) => sum + f.size, 0);
		expect(progress.map((p) => [p.filesDone, p.current])).toEqual([
			[0, 'Quiet tone.wav'],
			[1, 'notes.mp3'],
			[2, 'loud.mp3'],
			[3, 'broken.wav'],
			[4, 'empty.wav'],
			[5, 'faint.wav'],
			[6, '']
		]);
		expect(progress.at(-1)).toEqual({ filesDone: 6, filesTotal: 6, bytesDone: total, bytesTotal: total, current: '' });
		expect(progress[2]!.bytesDone).toBe(inputs[0]!.size + inputs[1]!.size);
	});

	it('reads title and artist from the ID3 tag of an MP3', async () => {
		const { store } = fixture();
		const samples = tone(2, -20, 2);
		const bytes = Uint8Array.from([...id3('Ωmega Tide', 'Zoë'), ...mp3(samples)]);
		const result = await importAudioFiles([file(bytes, 'track01.mp3')], { store });
		expect(result.refused).toEqual([]);
		const track = result.imported[0]!;
		expect([track.title, track.artist, track.mime, track.fileName]).toEqual([
			'Ωmega Tide',
			'Zoë',
			'audio/mpeg',
			'track01.mp3'
		]);
		// Chromium keeps the encoder's delay and padding (under 2 × 1152 samples), and LAME comes out
		// about 0.45 dB quieter than its input (scripts/music/README.md).
		expect(track.durationSeconds).toBeGreaterThanOrEqual(2 - 0.001);
		expect(track.durationSeconds).toBeLessThan(2 + 0.06);
		expect(Math.abs(track.loudnessLufs! - integratedLoudness(samples, RATE))).toBeLessThan(1);
	});

	it('keeps the same file once, however often it is imported, and frees its space when removed', async () => {
		const { store, folder } = fixture();
		const bytes = wav(tone(1, -20));
		const other = wav(tone(0.5, -20));
		const first = await importAudioFiles([file(bytes, 'a.wav'), file(bytes, 'a copy.wav')], { store });
		expect(first.refused).toEqual([]);
		expect(first.imported).toHaveLength(1);
		const again = await importAudioFiles([file(bytes, 'renamed.wav'), file(other, 'b.wav')], { store });
		expect(again.imported[0]).toEqual(first.imported[0]);
		expect(again.imported[0]!.fileName).toBe('a.wav');
		const ids = again.imported.map((t) => t.id);
		expect((await store.list()).map((t) => t.id).sort()).toEqual([...ids].sort());
		expect(await namesIn(await folder())).toEqual([...ids].sort());
		expect(await store.usageBytes()).toBe(bytes.length + other.length);

		expect(await store.remove(ids[0]!)).toEqual({ ok: true, value: undefined });
		expect(await store.usageBytes()).toBe(other.length);
		expect(await store.fileOf(ids[0]!)).toBeNull();
		expect(await store.get(ids[0]!)).toBeNull();
		expect(await namesIn(await folder())).toEqual([ids[1]]);
	});

	it('does not decode a file again that the library already keeps, but does when its kept file is gone', async () => {
		const { store, files } = fixture();
		const decoded: number[] = [];
		const decode = (bytes: ArrayBuffer) => {
			decoded.push(bytes.byteLength);
			return new OfflineAudioContext(1, 1, 22_050).decodeAudioData(bytes);
		};
		const kept = wav(tone(1, -20));
		const fresh = wav(tone(0.5, -20));
		const first = await importAudioFiles([file(kept, 'kept.wav')], { store, decode });
		expect(decoded).toEqual([kept.length]);

		decoded.length = 0;
		const again = await importAudioFiles([file(kept, 'kept again.wav'), file(fresh, 'fresh.wav')], { store, decode });
		expect(decoded).toEqual([fresh.length]);
		expect(again.refused).toEqual([]);
		expect(again.imported.map((t) => t.fileName)).toEqual(['kept.wav', 'fresh.wav']);
		expect(again.imported[0]).toEqual(first.imported[0]);

		// Details without their file are not a kept track: the file is decoded and stored anew.
		const id = first.imported[0]!.id;
		await files.remove(id);
		decoded.length = 0;
		const restored = await importAudioFiles([file(kept, 'kept.wav')], { store, decode });
		expect(decoded).toEqual([kept.length]);
		expect(restored.imported.map((t) => t.id)).toEqual([id]);
		expect(new Uint8Array(await (await store.fileOf(id))!.arrayBuffer())).toEqual(kept);
	});

	it('stops on a full disk with a plain message, keeps what came before and leaves nothing partial', async () => {
		let writes = 0;
		const { store, files, folder } = fixture((real) => ({
			...real,
			write: async (id, bytes, mime) => {
				writes += 1;
				if (writes !== 2) return real.write(id, bytes, mime);
				// Half of the file reaches the disk before it is full.
				await real.write(id, (bytes as ArrayBuffer).slice(0, (bytes as ArrayBuffer).byteLength / 2), mime);
				throw new DOMException('full', 'QuotaExceededError');
			}
		}));
		const keep = wav(tone(1, -20));
		const tooMuch = wav(tone(1.2, -20));
		const result = await importAudioFiles([file(keep, 'keep.wav'), file(tooMuch, 'too much.wav')], { store });

		expect(result.refused).toEqual([{ name: 'too much.wav', reason: `too much.wav: ${OUT_OF_SPACE}` }]);
		expect(result.imported.map((t) => t.fileName)).toEqual(['keep.wav']);
		const keptId = await contentId(keep.buffer);
		const lostId = await contentId(tooMuch.buffer);
		expect((await store.list()).map((t) => t.id)).toEqual([keptId]);
		expect(await store.get(lostId)).toBeNull();
		expect(await files.read(lostId)).toBeNull();
		expect(await namesIn(await folder())).toEqual([keptId]);
		expect((await store.fileOf(keptId))!.size).toBe(keep.length);
		expect(await store.usageBytes()).toBe(keep.length);
	});

	it('stops before the next file when cancelled, keeping the files already imported', async () => {
		const { store } = fixture();
		const controller = new AbortController();
		const inputs = [file(wav(tone(0.5, -20)), 'one.wav'), file(wav(tone(0.6, -20)), 'two.wav')];
		const result = await importAudioFiles(inputs, {
			store,
			signal: controller.signal,
			onProgress: (p) => {
				if (p.filesDone === 1) controller.abort();
			}
		});
		expect(result).toEqual({
			imported: [expect.objectContaining({ fileName: 'one.wav' })],
			refused: [],
			cancelled: true
		});
		expect((await store.list()).map((t) => t.fileName)).toEqual(['one.wav']);
	});

	it('keeps files in IndexedDB where there is no origin private file system', async () => {
		const backend = indexedDbBackend();
		const store = new ImportedTrackStore({ backend, files: keyValueTrackFiles(backend) });
		const bytes = wav(tone(0.8, -20));
		const id = await contentId(bytes.buffer);
		try {
			const result = await importAudioFiles([file(bytes, 'idb.wav')], { store });
			expect(result.imported.map((t) => t.id)).toEqual([id]);
			const stored = await backend.get(`imported-track-file:${id}`);
			expect(stored).toBeInstanceOf(Blob);
			expect(new Uint8Array(await (await store.fileOf(id))!.arrayBuffer())).toEqual(bytes);
		} finally {
			await store.remove(id);
		}
		expect(await backend.get(`imported-track-file:${id}`)).toBeUndefined();
		expect(await backend.get(`imported-track:${id}`)).toBeUndefined();
	});
});

describe('levelling with the browser’s decoders', () => {
	/**
	 * A quiet tone (−30 dBFS) with a short burst of 5 kHz at −3 dBFS every second, as a quiet
	 * recording with sharp transients. The burst rises and falls smoothly (a Hann window), so it
	 * stays below the 11 kHz the analysis rate keeps: an abrupt one, or noise, reads lower there
	 * (see ANALYSIS_SAMPLE_RATE).
	 */
	function quietWithPeaks(seconds: number): Float32Array[] {
		const [quiet] = tone(seconds, -30);
		const burst = 10 ** (-3 / 20);
		const length = 64;
		const samples = quiet!.map((v, i) => {
			const at = (i % RATE) - 100;
			if (at < 0 || at >= length) return v;
			const window = 0.5 - 0.5 * Math.cos((2 * Math.PI * at) / length);
			return Math.round(burst * window * Math.sin((2 * Math.PI * 5000 * at) / RATE + 0.7) * 32767) / 32767;
		});
		return [samples, samples];
	}

	/**
	 * Bursts of white noise, each dying away within some 30 ms, twice a second, at `lufs`: a quiet
	 * file whose peaks lie partly in the top octave the analysis rate loses (ANALYSIS_SAMPLE_RATE).
	 */
	function noiseHits(seconds: number, lufs: number): Float32Array[] {
		const random = mulberry32(14);
		const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
		const raw = Float32Array.from(
			{ length: Math.round(seconds * RATE) },
			(_, i) => gauss() * Math.exp(-(i % (RATE / 2)) / (0.008 * RATE))
		);
		const scale = 10 ** ((lufs - integratedLoudness([raw, raw], RATE)) / 20);
		const samples = raw.map((v) => Math.round(v * scale * 32767) / 32767);
		return [samples, samples];
	}

	/** The true peak of a WAV as a device running at 48 kHz plays it: decoded (resampled) there, 4× oversampled. */
	async function truePeakAt48k(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
		const decoded = await new OfflineAudioContext(1, 1, 48_000).decodeAudioData(bytes.buffer.slice(0));
		return truePeakDb(Array.from({ length: decoded.numberOfChannels }, (_, c) => decoded.getChannelData(c)));
	}

	it('boosts a quiet, bright file only as far as keeps its true peak at −1 dBTP, measured at full rate', async () => {
		const { store } = fixture();
		const samples = noiseHits(6, -35);
		const bytes = wav(samples);
		const result = await importAudioFiles([file(bytes, 'hits.wav')], { store });
		expect(result.refused).toEqual([]);
		const track = result.imported[0]!;
		// Measured here, apart from the app: the file's own samples, and what a 48 kHz device plays.
		const own = truePeakDb(samples);
		const played = await truePeakAt48k(bytes);
		expect(Math.abs(integratedLoudness(samples, RATE) - -35)).toBeLessThan(0.1);
		expect(track.gainDb).toBeGreaterThan(3);
		expect(track.gainDb).toBeLessThan(-23 - -35);
		expect(Math.abs(track.truePeakDb! - own)).toBeLessThan(0.01);
		expect(own + track.gainDb).toBeLessThanOrEqual(TRUE_PEAK_CEILING_DBTP + 0.01);
		// Resampling to 48 kHz moves a noise burst's peak: here 0.05 dB up (1.5 dB down for others).
		expect(played + track.gainDb).toBeLessThanOrEqual(TRUE_PEAK_CEILING_DBTP + 0.1);
		// The analysis rate alone reads its peak over 3 dB low: a boost by that would end above +2 dBTP.
		const analysed = await decodeForAnalysis(bytes.buffer.slice(0));
		expect(own - truePeakDb([analysed.getChannelData(0), analysed.getChannelData(1)])).toBeGreaterThan(3);
	});

	it('boosts a quiet file with high peaks only as far as its true peak stays at −1 dBTP', async () => {
		const { store } = fixture();
		const samples = quietWithPeaks(4);
		const result = await importAudioFiles([file(wav(samples), 'peaky.wav')], { store });
		expect(result.refused).toEqual([]);
		const track = result.imported[0]!;
		// Measured again at the file's own rate, as the peak may limit the boost: the file's own samples' peak.
		const peak = truePeakDb(samples);
		expect(peak).toBeGreaterThan(-4);
		expect(Math.abs(track.truePeakDb! - peak)).toBeLessThan(0.2);
		expect(track.loudnessLufs!).toBeLessThan(-23 - 3);
		expect(track.gainDb).toBeCloseTo(TRUE_PEAK_CEILING_DBTP - track.truePeakDb!, 10);
		expect(track.gainDb).toBeLessThan(-23 - track.loudnessLufs!);
	});

	it('levels again a loud track and a quiet, bright one imported under the old rule, from their kept files', async () => {
		const { store, backend, files } = fixture();
		const loud = tone(3, -1, 2);
		const hits = noiseHits(3, -35);
		const old = [];
		for (const [n, samples, title, gainDb] of [
			[1, loud, 'Loud master', -12],
			[2, hits, 'Quiet hits', 12]
		] as const) {
			const bytes = wav(samples);
			const id = await contentId(bytes.buffer);
			const record = {
				version: 1,
				id,
				title,
				artist: null,
				fileName: `${title}.wav`,
				bytes: bytes.byteLength,
				durationSeconds: 3,
				loudnessLufs: integratedLoudness(samples, RATE),
				gainDb,
				mime: 'audio/wav',
				importedAt: n
			};
			await files.write(id, bytes.buffer.slice(0), 'audio/wav');
			await backend.set(importedTrackKey(id), record);
			old.push({ record, samples, bytes });
		}

		// With the app's own decoders, as “Your music” runs it.
		const result = await relevelTracks(store);
		expect(result.failed).toEqual([]);
		const [master, quiet] = await store.list();
		for (const [n, track] of [master!, quiet!].entries()) {
			expect(track).toEqual({
				...old[n]!.record,
				loudnessLufs: track.loudnessLufs,
				truePeakDb: track.truePeakDb,
				gainDb: track.gainDb,
				levelling: LEVELLING
			});
		}
		const lufs = old[0]!.record.loudnessLufs;
		expect(Math.abs(master!.loudnessLufs! - lufs)).toBeLessThan(0.5);
		expect(Math.abs(master!.truePeakDb! - -1)).toBeLessThan(0.1);
		expect(Math.abs(master!.gainDb - (-23 - lufs))).toBeLessThan(0.5);
		expect(master!.gainDb).toBeLessThan(-20);
		// The old rule's +12 dB took the hits past full scale; today's stops at the ceiling.
		const { samples, bytes } = old[1]!;
		expect(truePeakDb(samples) + 12).toBeGreaterThan(0);
		expect(quiet!.gainDb).toBeGreaterThan(3);
		expect(truePeakDb(samples) + quiet!.gainDb).toBeLessThanOrEqual(TRUE_PEAK_CEILING_DBTP + 0.01);
		expect((await truePeakAt48k(bytes)) + quiet!.gainDb).toBeLessThanOrEqual(TRUE_PEAK_CEILING_DBTP + 0.1);
	});
});
