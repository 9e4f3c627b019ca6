/**
 * Brings the therapist's own audio files into the app: each file is recognised by its bytes and,
 * unless the library already keeps those bytes, decoded to prove it plays here, measured for
 * loudness and true peak so it sits at the level of the curated music (`levelFile`, `gainFor`),
 * and kept through the `ImportedTrackStore`. The original bytes are what is kept and played; the
 * decoded samples are only for checking and measuring, at a low rate to save memory, and decoded
 * again at full rate only for a track whose true peak may limit its boost.
 *
 * Files are handled one at a time, so hundreds can be imported without holding them all in
 * memory. A file that can't be used is reported by name with the reason, and the rest go on.
 *
 * @example
 * const result = await importAudioFiles([...input.files], {
 *   store,
 *   onProgress: (p) => (progress = p.bytesDone / p.bytesTotal),
 *   signal: controller.signal
 * });
 * for (const { reason } of result.refused) show(reason); // “take.mp3: this isn’t an audio file.”
 */
import { integratedLoudness } from '../loudness/loudness';
import { toDbtp, truePeak } from '../loudness/true-peak';
import type { Decibels, Hertz, Seconds } from '../units';
import { id3v2Length } from './id3';
import { readFileInfo } from './tags';
import { contentId, LEVELLING, type ImportedTrack, type ImportedTrackStore, type TrackLevel } from './imported-tracks';

/** The loudness the curated music is mastered to (EBU R128). */
export const TARGET_LUFS: Decibels = -23;
/** After gain, an imported track's true peak stays at or under this (EBU R128's ceiling for distribution). */
export const TRUE_PEAK_CEILING_DBTP: Decibels = -1;
/**
 * The most any imported track is turned up. A track that needs more is mostly silence or a very
 * quiet recording, whose noise floor a bigger boost would lift into the room.
 */
export const MAX_BOOST_DB: Decibels = 12;
/**
 * Decoding for analysis only: half the CD rate keeps a 10-minute stereo file near 100 MB of samples.
 *
 * The decoder's resampling keeps only what lies below 11 kHz. That is nearly all of music's
 * loudness, but where the top octave carries the peaks the true peak reads low. Measured in
 * Chromium on 6 s stereo WAVs at 44.1 and 48 kHz peaking at −6 dBFS: a square wave and a sawtooth
 * 0.5–0.6 dB low, white noise 4.2–4.4 dB, decaying noise hits 3.9–4.2 dB, sharper hits 5.2–5.5 dB
 * and high-passed hits like a lone hi-hat 9–10 dB. Cuts don't depend on the peak; a boost the peak
 * may limit (`peakMayLimit`) has it measured again at the file's own rate (`levelFile`).
 */
export const ANALYSIS_SAMPLE_RATE: Hertz = 22_050;
/**
 * The highest rate the true peak is measured at when it may limit a boost, and the rate used when
 * the file's headers don't say its own. Above it lies nothing a person hears: a 96 kHz file is
 * measured at 48 kHz. Chromium's resampling from 44.1 to 48 kHz softens the sharpest noise bursts
 * by up to 1.6 dB, so a file is decoded at its own rate where that is known.
 */
export const PEAK_SAMPLE_RATE: Hertz = 48_000;
/**
 * How far the analysis rate's true peak is taken to read low when the peak can't be measured at
 * full rate (the track is too long for that decode, or it fails): more than any of the measures
 * above but the lone hi-hat. No margin covers every signal (one whose peaks all lie above 11 kHz
 * reads nothing there), but whole tracks of music are not made of such.
 */
export const COARSE_PEAK_MARGIN_DB: Decibels = 6;
/**
 * Bytes of samples a decode for the true peak may hold: about 35 minutes of stereo at 48 kHz. A
 * larger decode could push a phone's tab over its memory and kill it, which no `catch` would see,
 * so a longer track keeps `COARSE_PEAK_MARGIN_DB` instead.
 */
export const PEAK_DECODE_MAX_BYTES = 800_000_000;
/** Frames measured for true peak between pauses: about 6 s at the analysis rate, some milliseconds of work. */
const TRUE_PEAK_SLICE_FRAMES = 1 << 17;

export interface ImportProgress {
	filesDone: number;
	filesTotal: number;
	bytesDone: number;
	bytesTotal: number;
	/** Name of the file being imported; empty when all are done. */
	current: string;
}

/** The decoders (see `levelFile`) are for tests to replace. */
export interface ImportOptions extends LevelOptions {
	store: ImportedTrackStore;
	onProgress?(progress: ImportProgress): void;
	/** Stops before the next file; the files already imported are kept. */
	signal?: AbortSignal;
}

export interface ImportRefusal {
	name: string;
	/** A sentence that starts with the file's name, ready to show. */
	reason: string;
}

export interface ImportResult {
	/** Tracks now in the library, in the order of the files; a file imported before gives its earlier track. */
	imported: ImportedTrack[];
	refused: ImportRefusal[];
	/** True when the signal stopped the import before every file was handled. */
	cancelled: boolean;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
	return String.fromCharCode(...bytes.subarray(at, at + length));
}

/**
 * The audio type of a file from its first bytes (after any ID3 tag), or null when it is not a
 * kind of audio this app takes. The name's extension is not trusted: files are often misnamed.
 *
 * @example
 * sniffAudioType(new TextEncoder().encode('fLaC\0\0\0\x22')); // 'audio/flac'
 */
export function sniffAudioType(bytes: Uint8Array): string | null {
	const tagged = id3v2Length(bytes);
	if (tagged > 0) {
		// A tag is almost always followed by MPEG audio; FLAC files sometimes carry one too.
		return ascii(bytes, tagged, 4) === 'fLaC' ? 'audio/flac' : 'audio/mpeg';
	}
	if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WAVE') return 'audio/wav';
	if (ascii(bytes, 0, 4) === 'fLaC') return 'audio/flac';
	if (ascii(bytes, 0, 4) === 'OggS') return 'audio/ogg';
	if (ascii(bytes, 4, 4) === 'ftyp') return 'audio/mp4';
	const [b0, b1] = [bytes[0] ?? 0, bytes[1] ?? 0];
	if (b0 === 0xff && (b1 & 0xe0) === 0xe0) {
		// Eleven set bits start an MPEG frame; layer bits 00 mean an AAC (ADTS) stream instead.
		const layer = (b1 >> 1) & 0x03;
		const version = (b1 >> 3) & 0x03;
		if (layer === 0 && (b1 & 0xf0) === 0xf0) return 'audio/aac';
		if (layer !== 0 && version !== 1) return 'audio/mpeg';
	}
	return null;
}

/** The file's name without its extension, as a title for files that carry none. */
export function titleFromFileName(name: string): string {
	const base = name.replace(/\.[^./\\]{1,5}$/, '').trim();
	return base === '' ? name : base;
}

/**
 * The gain for a track (the levelling rule `LEVELLING` names): a track louder than the target comes all
 * the way down to it, however loud; a quieter one goes up towards it, but never by more than
 * `MAX_BOOST_DB`, nor further than keeps its true peak at or under `TRUE_PEAK_CEILING_DBTP`, and
 * never down. Silence (no finite loudness) gets 0.
 *
 * @example
 * gainFor(-7, -0.1); // −16: a loud master comes down to −23 LUFS
 * gainFor(-30, -2); // +1: the peaks allow no more
 * gainFor(-30, -20); // +7: the whole way
 */
export function gainFor(loudness: Decibels, truePeakDb: Decibels): Decibels {
	if (!Number.isFinite(loudness)) return 0;
	const wanted = TARGET_LUFS - loudness;
	if (wanted <= 0) return wanted;
	// An unknown peak (NaN) allows no boost; silence in the peaks (−Infinity) cannot happen with a finite loudness.
	const headroom = Number.isNaN(truePeakDb) ? 0 : TRUE_PEAK_CEILING_DBTP - truePeakDb;
	return Math.max(0, Math.min(wanted, MAX_BOOST_DB, headroom));
}

/** Decodes a file's bytes, which it takes (detaches), as `BaseAudioContext.decodeAudioData` does. */
export type Decoder = (bytes: ArrayBuffer) => Promise<AudioBuffer>;

/** Decodes a file's bytes for measuring only, at `ANALYSIS_SAMPLE_RATE`; the decoder takes (detaches) the bytes. */
export async function decodeForAnalysis(bytes: ArrayBuffer): Promise<AudioBuffer> {
	// decodeAudioData resamples to the context's rate; the context itself renders nothing.
	return new OfflineAudioContext(1, 1, ANALYSIS_SAMPLE_RATE).decodeAudioData(bytes);
}

/** Decodes a file's bytes at `sampleRate`, for its true peak; the decoder takes (detaches) the bytes. */
export async function decodeForTruePeak(bytes: ArrayBuffer, sampleRate: Hertz): Promise<AudioBuffer> {
	return new OfflineAudioContext(1, 1, sampleRate).decodeAudioData(bytes);
}

/** Whether a decoder gave something with sound in it to measure and play. */
export function isDecodedAudio(buffer: AudioBuffer | null): buffer is AudioBuffer {
	return !!buffer && buffer.length > 0 && Number.isFinite(buffer.duration) && buffer.duration > 0;
}

/**
 * Gives the page a turn between slices of a long measurement. A message, not a timer: a hidden
 * page's timers wake at most once a second, later once a minute
 * (developer.chrome.com/blog/timer-throttling-in-chrome-88), which would stretch an import left
 * running in another tab from seconds to hours.
 */
function nextTask(): Promise<void> {
	if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
	return new Promise((resolve) => {
		const { port1, port2 } = new MessageChannel();
		port1.onmessage = () => {
			port1.close();
			port2.close();
			resolve();
		};
		port2.postMessage(null);
	});
}

const channelsOf = (buffer: AudioBuffer): Float32Array[] =>
	Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));

/** The true peak over every channel, in slices with `pause` between them: a long track takes seconds of work. */
async function peakOf(channels: readonly Float32Array[], pause: () => Promise<void>): Promise<Decibels> {
	const length = channels[0]?.length ?? 0;
	let peak = 0;
	for (let from = 0; from < length; from += TRUE_PEAK_SLICE_FRAMES) {
		if (from > 0) await pause();
		peak = Math.max(peak, truePeak(channels, from, from + TRUE_PEAK_SLICE_FRAMES));
	}
	return toDbtp(peak);
}

/**
 * Whether a true peak read at the analysis rate leaves a track's gain in doubt: the track wants a
 * boost, and were its peak `COARSE_PEAK_MARGIN_DB` higher, the ceiling would stop that boost short.
 * A cut, or a boost with room to spare, is the same whatever the peak at full rate.
 *
 * @example
 * peakMayLimit(-30, -20); // false: +7 dB, and even a peak of −14 dBTP allows it
 * peakMayLimit(-30, -10); // true
 * peakMayLimit(-8, 0); // false: a cut
 */
export function peakMayLimit(loudness: Decibels, coarsePeakDb: Decibels): boolean {
	const unlimited = gainFor(loudness, -Infinity);
	return unlimited > 0 && gainFor(loudness, coarsePeakDb + COARSE_PEAK_MARGIN_DB) < unlimited;
}

export interface LevelOptions {
	/** For loudness, duration and a first true peak; `decodeForAnalysis` by default. */
	decode?: Decoder;
	/** For the true peak when it may limit a boost, at the rate given; `decodeForTruePeak` by default. */
	decodeForPeak?: (bytes: ArrayBuffer, sampleRate: Hertz) => Promise<AudioBuffer>;
	/** Between slices of a long measurement; a macrotask by default, so the page stays responsive. */
	pause?: () => Promise<void>;
}

export interface MeasuredFile {
	level: TrackLevel;
	durationSeconds: Seconds;
}

interface Analysis {
	loudness: Decibels;
	peakDb: Decibels;
	durationSeconds: Seconds;
	sampleRate: Hertz;
	channels: number;
}

/** What the analysis decode gives; the decode itself is let go on return. Null when it isn't audio. */
async function analyse(
	read: () => Promise<ArrayBuffer>,
	decode: Decoder,
	pause: () => Promise<void>
): Promise<Analysis | null> {
	let buffer: AudioBuffer | null;
	try {
		buffer = await decode(await read());
	} catch {
		buffer = null;
	}
	if (!isDecodedAudio(buffer)) return null;
	const channels = channelsOf(buffer);
	return {
		loudness: integratedLoudness(channels, buffer.sampleRate),
		peakDb: await peakOf(channels, pause),
		durationSeconds: buffer.duration,
		sampleRate: buffer.sampleRate,
		channels: buffer.numberOfChannels
	};
}

/** The true peak of a decode at `sampleRate`, or null when it can't be had. */
async function fullRatePeak(
	read: () => Promise<ArrayBuffer>,
	sampleRate: Hertz,
	options: LevelOptions,
	pause: () => Promise<void>
): Promise<Decibels | null> {
	const decode = options.decodeForPeak ?? decodeForTruePeak;
	let buffer: AudioBuffer | null;
	try {
		buffer = await decode(await read(), sampleRate);
	} catch {
		// Out of memory, most likely; the caller allows for the analysis rate's peak reading low.
		return null;
	}
	if (!isDecodedAudio(buffer)) return null;
	const peakDb = await peakOf(channelsOf(buffer), pause);
	return Number.isFinite(peakDb) ? peakDb : null;
}

/** The rate to measure a file's true peak at: its own, up to `PEAK_SAMPLE_RATE`. */
function peakRateFor(fileSampleRate: Hertz | null | undefined): Hertz {
	// 8 kHz is the lowest rate every browser's OfflineAudioContext must take.
	if (!fileSampleRate || !Number.isFinite(fileSampleRate) || fileSampleRate < 8_000) return PEAK_SAMPLE_RATE;
	return Math.min(fileSampleRate, PEAK_SAMPLE_RATE);
}

/**
 * Decodes a file, measures it and decides its gain by `gainFor`, the rule `LEVELLING` names. The
 * loudness and a first true peak come from a decode at the analysis rate. When that peak may limit
 * a boost (`peakMayLimit`), the true peak is measured again on a decode at the file's own rate
 * (`fileSampleRate`, up to `PEAK_SAMPLE_RATE`) and takes its place. Should that decode be too
 * large (`PEAK_DECODE_MAX_BYTES`) or fail, the gain allows `COARSE_PEAK_MARGIN_DB` over the first
 * peak instead, and the first peak is what is kept. Null when the file does not decode to audio.
 *
 * `read` gives the file's bytes afresh at each call, as a decoder takes those it is given. Only
 * one decode is held at a time: the first is let go before the second is made.
 *
 * @example
 * const { sampleRate } = await readFileInfo(file, mime);
 * const measured = await levelFile(() => file.arrayBuffer(), { fileSampleRate: sampleRate });
 * // { level: { loudnessLufs: -8.7, truePeakDb: 0.4, gainDb: -14.3, levelling: 3 }, durationSeconds: 215.3 }
 */
export async function levelFile(
	read: () => Promise<ArrayBuffer>,
	options: LevelOptions & { fileSampleRate?: Hertz | null } = {}
): Promise<MeasuredFile | null> {
	const pause = options.pause ?? nextTask;
	const analysis = await analyse(read, options.decode ?? decodeForAnalysis, pause);
	if (!analysis) return null;
	const { loudness, durationSeconds } = analysis;
	const peakRate = peakRateFor(options.fileSampleRate);
	let peakDb = analysis.peakDb;
	let gainPeakDb = peakDb;
	// A file stored at the analysis rate or below lost nothing in that decode: its first peak is its own.
	if (peakRate > analysis.sampleRate && peakMayLimit(loudness, peakDb)) {
		const decodedBytes = durationSeconds * peakRate * analysis.channels * Float32Array.BYTES_PER_ELEMENT;
		const fullRate = decodedBytes <= PEAK_DECODE_MAX_BYTES ? await fullRatePeak(read, peakRate, options, pause) : null;
		if (fullRate === null) gainPeakDb = peakDb + COARSE_PEAK_MARGIN_DB;
		else peakDb = gainPeakDb = fullRate;
	}
	return {
		level: {
			loudnessLufs: Number.isFinite(loudness) ? loudness : null,
			truePeakDb: Number.isFinite(peakDb) ? peakDb : null,
			gainDb: gainFor(loudness, gainPeakDb),
			levelling: LEVELLING
		},
		durationSeconds
	};
}

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

type Outcome = { ok: true; track: ImportedTrack } | { ok: false; reason: string };

async function importOne(file: File, options: ImportOptions): Promise<Outcome | null> {
	const { store, signal } = options;
	const name = file.name;
	if (file.size === 0) return { ok: false, reason: `${name}: this file is empty.` };
	let bytes: ArrayBuffer;
	try {
		bytes = await file.arrayBuffer();
	} catch {
		return {
			ok: false,
			reason: `${name}: this file could not be opened. It may have been moved or changed since it was chosen.`
		};
	}
	const head = new Uint8Array(bytes);
	const mime = sniffAudioType(head);
	if (!mime) return { ok: false, reason: `${name}: this isn’t an audio file.` };

	// Importing a folder again is common; a file already kept (details and bytes) was decoded and
	// measured then, and decoding is by far the slowest step, so it is not done twice.
	const id = await contentId(bytes);
	const kept = await store.get(id);
	if (kept && (await store.fileOf(id))) return { ok: true, track: kept };

	// Tags of every common format (ID3, MP4, Vorbis comments, FLAC), and the sample rate, read
	// from the file by slices.
	const { tags, sampleRate } = await readFileInfo(file, mime);
	// A decoder takes the bytes it is given; each gets a copy so the original can be kept.
	const measured = await levelFile(async () => bytes.slice(0), { ...options, fileSampleRate: sampleRate });
	if (!measured) {
		return {
			ok: false,
			reason: `${name}: this file could not be read as audio (it may be damaged or in a format this browser can’t play).`
		};
	}
	if (signal?.aborted) return null;
	const added = await store.add(bytes, {
		title: tags.title ?? titleFromFileName(name),
		artist: tags.artist,
		fileName: name,
		durationSeconds: measured.durationSeconds,
		...measured.level,
		mime,
		importedAt: Date.now()
	});
	return added.ok ? { ok: true, track: added.value } : { ok: false, reason: `${name}: ${lowerFirst(added.reason)}` };
}

/**
 * Imports audio files one after another. Never throws for a bad file: each is either imported
 * or refused with a reason that names it.
 */
export async function importAudioFiles(files: File[], options: ImportOptions): Promise<ImportResult> {
	const { onProgress, signal } = options;
	const imported: ImportedTrack[] = [];
	const refused: ImportRefusal[] = [];
	const bytesTotal = files.reduce((sum, file) => sum + file.size, 0);
	let bytesDone = 0;
	let filesDone = 0;
	for (const file of files) {
		if (signal?.aborted) return { imported, refused, cancelled: true };
		onProgress?.({ filesDone, filesTotal: files.length, bytesDone, bytesTotal, current: file.name });
		let outcome: Outcome | null;
		try {
			outcome = await importOne(file, options);
		} catch {
			// A bug or a browser fault with this one file; the others still get their turn.
			outcome = { ok: false, reason: `${file.name}: this file could not be imported just now. Try it again.` };
		}
		if (outcome === null) return { imported, refused, cancelled: true };
		if (outcome.ok) {
			if (!imported.some((track) => track.id === outcome.track.id)) imported.push(outcome.track);
		} else {
			refused.push({ name: file.name, reason: outcome.reason });
		}
		filesDone += 1;
		bytesDone += file.size;
	}
	onProgress?.({ filesDone, filesTotal: files.length, bytesDone, bytesTotal, current: '' });
	return { imported, refused, cancelled: false };
}
