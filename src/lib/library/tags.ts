/**
 * Title, artist and album from an audio file's own tags, in every common format: ID3 (MP3),
 * MP4 atoms (M4A), Vorbis comments (FLAC, Ogg Vorbis, Opus) and RIFF INFO (WAV), and the sample
 * rate its headers state. The reading is done by music-metadata, a maintained parser, rather
 * than by more parsers of our own.
 *
 * The library (about 90 kB gzipped, split by format) is loaded with import() on the first
 * call, so it is never part of the first page load; the service worker keeps its chunks with
 * the rest of the app, so it also loads offline.
 *
 * Tags are text from outside the app and end up on screen: each value is trimmed, its white
 * space made single spaces, its control and bidirectional-override characters dropped, and it
 * is cut to 200 characters. A value that is empty after that is null.
 *
 * Never throws: a damaged file, one the library can't read, or the library failing to load
 * gives nulls, and the file's name serves as its title.
 *
 * @example
 * const tags = await readTags(file, 'audio/flac');
 * const title = tags.title ?? titleFromFileName(file.name); // 'Eden'
 * tags.artist; // 'Hania Rani', or null when the file names none
 */
// Types only: erased from the build, so the library itself still loads on the first call.
import type { ICommonTagsResult } from 'music-metadata';
import type { Hertz, Seconds } from '../units';

/** The longest title, artist or album kept, in UTF-16 units (String length); longer ones end in “…”. */
export const MAX_TAG_LENGTH = 200;

export interface AudioTags {
	title: string | null;
	artist: string | null;
	album: string | null;
	/** The length the file's headers state, when they state it; the decoded length is the one to trust. */
	durationSeconds: Seconds | null;
}

/** What an audio file's tags and headers say. */
export interface AudioFileInfo {
	tags: AudioTags;
	/** The rate the file's audio is stored at, when its headers state it (levelling measures its true peak there). */
	sampleRate: Hertz | null;
}

const noTags = (): AudioTags => ({ title: null, artist: null, album: null, durationSeconds: null });

/** Line breaks and tabs, which become spaces. */
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
/**
 * Characters that are dropped: the other control characters (C0, DEL, C1), the bidirectional
 * embeddings, overrides and isolates, which could turn the rest of a line around, and the
 * byte-order mark some taggers leave inside values.
 */
const DROPPED = /[\p{Cc}\u202a-\u202e\u2066-\u2069\ufeff]/gu;

/** A tag value made safe to show, or null when nothing is left of it. */
export function cleanTag(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	const text = value.replace(BREAKS, ' ').replace(DROPPED, '').replace(/\s+/g, ' ').trim();
	if (text === '') return null;
	if (text.length <= MAX_TAG_LENGTH) return text;
	let end = MAX_TAG_LENGTH - 1;
	// Never split a surrogate pair: half an emoji shows as a replacement box.
	const last = text.charCodeAt(end - 1);
	if (last >= 0xd800 && last <= 0xdbff) end -= 1;
	return `${text.slice(0, end).trimEnd()}…`;
}

/**
 * The credited artist. ID3v2.4 and Vorbis comments allow several values in one artist tag; the
 * library keeps the first as `artist` and all in `artists`, and all are kept here, joined as
 * id3.ts joined them. A separate list of artists (Picard's ARTISTS) does not replace the credit.
 */
function artistOf({ artist, artists = [] }: ICommonTagsResult): string | undefined {
	return artists.length > 1 && artists[0] === artist ? artists.join(' / ') : (artist ?? artists.join(' / '));
}

/**
 * The tags of an audio file; each is null when the file has none or can't be read. `mime` is
 * the type the file's bytes were recognised as (for example by `sniffAudioType`): the library
 * chooses its parser by type, and a file's own type comes from its name, which may be wrong.
 * An empty `mime` lets the library recognise the bytes itself.
 *
 * Reads only the parts of the file that hold tags and headers, not the audio, so it is quick
 * on large files; cover images are skipped.
 *
 * @example
 * await readTags(file, 'audio/mp4'); // { title: 'Eden', artist: 'Hania Rani', album: 'Home', durationSeconds: 312.4 }
 * await readTags(new Blob(['not audio']), 'audio/mpeg'); // every field null
 */
export async function readTags(file: Blob, mime: string): Promise<AudioTags> {
	return (await readFileInfo(file, mime)).tags;
}

/**
 * The tags of an audio file, as `readTags` gives them, with the sample rate its headers state,
 * from one reading of its headers.
 *
 * @example
 * await readFileInfo(file, 'audio/flac'); // { tags: { title: 'Eden', … }, sampleRate: 44_100 }
 */
export async function readFileInfo(file: Blob, mime: string): Promise<AudioFileInfo> {
	try {
		const { parseBlob } = await import('music-metadata');
		// slice() only relabels the file with the recognised type; no bytes are copied.
		const { common, format } = await parseBlob(file.slice(0, file.size, mime), {
			skipCovers: true,
			// True would read whole MP3 and Ogg files to count their frames; the import decodes them anyway.
			duration: false
		});
		const duration = format.duration;
		const rate = format.sampleRate;
		return {
			tags: {
				title: cleanTag(common.title),
				artist: cleanTag(artistOf(common)),
				album: cleanTag(common.album),
				durationSeconds: duration !== undefined && Number.isFinite(duration) && duration > 0 ? duration : null
			},
			sampleRate: rate !== undefined && Number.isFinite(rate) && rate > 0 ? rate : null
		};
	} catch {
		// Damaged or unknown bytes (the library throws for those), or its chunk failed to load.
		return { tags: noTags(), sampleRate: null };
	}
}
