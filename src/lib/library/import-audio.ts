/**
 * Brings the therapist's own audio files into the app: each file is recognised by its bytes and,
 * unless the library already keeps those bytes, decoded to prove it plays here, measured for
 * loudness so it sits at the level of the curated music, and kept through the `ImportedTrackStore`.
 * The original bytes are what is kept and played; the decoded samples are only for checking and
 * measuring, at a low rate to save memory.
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
import type { Decibels, Hertz } from '../units';
import { id3v2Length, readId3v2 } from './id3';
import { contentId, type ImportedTrack, type ImportedTrackStore } from './imported-tracks';

/** The loudness the curated music is mastered to (EBU R128). */
export const TARGET_LUFS: Decibels = -23;
/** No imported track is turned up or down by more than this. */
export const MAX_GAIN_DB: Decibels = 12;
/** Decoding for analysis only: half the CD rate keeps a 10-minute stereo file near 100 MB of samples. */
export const ANALYSIS_SAMPLE_RATE: Hertz = 22_050;

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

/** The gain that brings a measured loudness to the target, within ±12 dB; 0 for silence. */
export function gainFor(loudness: Decibels): Decibels {
	if (!Number.isFinite(loudness)) return 0;
	return Math.min(MAX_GAIN_DB, Math.max(-MAX_GAIN_DB, TARGET_LUFS - loudness));
}

async function decodeForAnalysis(bytes: ArrayBuffer): Promise<AudioBuffer> {
	// decodeAudioData resamples to the context's rate; the context itself renders nothing.
	return new OfflineAudioContext(1, 1, ANALYSIS_SAMPLE_RATE).decodeAudioData(bytes);
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
	if (!buffer || buffer.length === 0 || !Number.isFinite(buffer.duration) || buffer.duration <= 0) {
		return {
			ok: false,
			reason: `${name}: this file could not be read as audio (it may be damaged or in a format this browser can’t play).`
		};
	}
	if (signal?.aborted) return null;

	const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
	const loudness = integratedLoudness(channels, buffer.sampleRate);
	const tags = mime === 'audio/mpeg' ? readId3v2(head) : null;
	const added = await store.add(bytes, {
		title: tags?.title ?? titleFromFileName(name),
		artist: tags?.artist ?? null,
		fileName: name,
		durationSeconds: buffer.duration,
		loudnessLufs: Number.isFinite(loudness) ? loudness : null,
		gainDb: gainFor(loudness),
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
