/**
 * Brings the therapist's own audio files into the app: each file is recognised by its bytes and,
 * unless the library already keeps those bytes, decoded to prove it plays here, measured for
 * loudness and true peak so it sits at the level of the curated music (`gainFor`), and kept
 * through the `ImportedTrackStore`. The original bytes are what is kept and played; the decoded
 * samples are only for checking and measuring, at a low rate to save memory.
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
import type { Decibels, Hertz } from '../units';
import { id3v2Length } from './id3';
import { readTags } from './tags';
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
 * The decoder's resampling keeps only what lies below 11 kHz, so the true peak is that of the audio
 * up to there. For band-limited material the two agree within about 0.1 dB; where the highest band
 * carries the peaks they read low (measured in Chromium from 44.1 kHz WAV: a sawtooth 0.6 dB, an
 * abrupt 5 kHz burst 0.7 dB, white noise 2.4 dB, decaying noise hits 4.1 dB). Only boosts depend on
 * it: a quiet track of such material may end over −1 dBTP by as much as its peak reads low.
 */
export const ANALYSIS_SAMPLE_RATE: Hertz = 22_050;
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

export interface ImportOptions {
	store: ImportedTrackStore;
	onProgress?(progress: ImportProgress): void;
	/** Stops before the next file; the files already imported are kept. */
	signal?: AbortSignal;
	/** Decodes a file's bytes (which it may detach); an OfflineAudioContext at 22 050 Hz by default. */
	decode?: (bytes: ArrayBuffer) => Promise<AudioBuffer>;
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
 * The gain for a track (levelling rule 2, `LEVELLING`): a track louder than the target comes all
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

/** Decodes a file's bytes for measuring only, at `ANALYSIS_SAMPLE_RATE`; the decoder takes (detaches) the bytes. */
export async function decodeForAnalysis(bytes: ArrayBuffer): Promise<AudioBuffer> {
	// decodeAudioData resamples to the context's rate; the context itself renders nothing.
	return new OfflineAudioContext(1, 1, ANALYSIS_SAMPLE_RATE).decodeAudioData(bytes);
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

/**
 * Measures decoded audio and decides its gain: integrated loudness, true peak over every channel
 * (in slices with `pause` between them, as a long track takes about a second of work), and
 * `gainFor` of the two.
 *
 * @example
 * const level = await measureLevel(await decodeForAnalysis(bytes)); // { loudnessLufs: -8.7, truePeakDb: 0.4, gainDb: -14.3, levelling: 2 }
 */
export async function measureLevel(buffer: AudioBuffer, pause: () => Promise<void> = nextTask): Promise<TrackLevel> {
	const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
	const loudness = integratedLoudness(channels, buffer.sampleRate);
	let peak = 0;
	for (let from = 0; from < buffer.length; from += TRUE_PEAK_SLICE_FRAMES) {
		if (from > 0) await pause();
		peak = Math.max(peak, truePeak(channels, from, from + TRUE_PEAK_SLICE_FRAMES));
	}
	const peakDb = toDbtp(peak);
	return {
		loudnessLufs: Number.isFinite(loudness) ? loudness : null,
		truePeakDb: Number.isFinite(peakDb) ? peakDb : null,
		gainDb: gainFor(loudness, peakDb),
		levelling: LEVELLING
	};
}

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

type Outcome = { ok: true; track: ImportedTrack } | { ok: false; reason: string };

async function importOne(
	file: File,
	store: ImportedTrackStore,
	decode: (bytes: ArrayBuffer) => Promise<AudioBuffer>,
	signal: AbortSignal | undefined
): Promise<Outcome | null> {
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

	let buffer: AudioBuffer | null;
	try {
		// The decoder takes the bytes it is given; it gets a copy so the original can be kept.
		buffer = await decode(bytes.slice(0));
	} catch {
		buffer = null;
	}
	if (!isDecodedAudio(buffer)) {
		return {
			ok: false,
			reason: `${name}: this file could not be read as audio (it may be damaged or in a format this browser can’t play).`
		};
	}
	if (signal?.aborted) return null;

	const level = await measureLevel(buffer);
	if (signal?.aborted) return null;
	// Tags of every common format (ID3, MP4, Vorbis comments, FLAC), read from the file by slices.
	const tags = await readTags(file, mime);
	const added = await store.add(bytes, {
		title: tags.title ?? titleFromFileName(name),
		artist: tags.artist,
		fileName: name,
		durationSeconds: buffer.duration,
		...level,
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
	const { store, onProgress, signal } = options;
	const decode = options.decode ?? decodeForAnalysis;
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
			outcome = await importOne(file, store, decode, signal);
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
