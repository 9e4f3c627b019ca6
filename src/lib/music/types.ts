/**
 * What the music engine plays: recorded tracks (howler, through Web Audio
 * gain so fades work everywhere, iOS included) and generative soundscapes
 * (Tone.js, seeded, endless until stopped).
 */
import type { SoundscapeId } from '../session/playlist';
import type { Decibels, Seconds } from '../units';

export interface TrackSource {
	readonly kind: 'track';
	/** Unique within a session, e.g. `${phaseId}:${index}:${trackId}`; the log and resume use it. */
	readonly key: string;
	readonly title: string;
	/** Same-origin URL of the MP3. */
	readonly src: string;
	/** Gain that brings the track to the common loudness (target minus its measured integrated loudness). */
	readonly gainDb: Decibels;
	readonly durationSeconds: Seconds;
	/**
	 * The track's own fades, composed into the file: it swells in over its first
	 * `openingFade` seconds and dies away over its last `closingFade`. In a
	 * crossfade the engine's equal-power fades stand in for them, so the two
	 * never stack into a dip in level. 0 when the track has none (or unknown).
	 */
	readonly openingFade: Seconds;
	readonly closingFade: Seconds;
}

export interface SoundscapeSource {
	readonly kind: 'soundscape';
	readonly key: string;
	readonly title: string;
	readonly soundscape: SoundscapeId;
	readonly seed: number;
}

export type MusicSource = TrackSource | SoundscapeSource;

/** Loudness every item is brought to (EBU R128). */
export const LOUDNESS_TARGET: Decibels = -23;
