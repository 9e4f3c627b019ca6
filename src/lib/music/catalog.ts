/**
 * The curated tracks Grounded ships (made by scripts/music/make-music.mjs),
 * checked once against their schema, and turned into playable sources.
 */
import * as v from 'valibot';
import type { PlaylistItem } from '../session/playlist';
import type { Seconds } from '../units';
import catalogJson from './curated-tracks.json';
import type { MusicSource } from './types';
import { LOUDNESS_TARGET } from './types';

const trackSchema = v.object({
	id: v.pipe(v.string(), v.nonEmpty()),
	title: v.pipe(v.string(), v.nonEmpty()),
	mood: v.string(),
	phase: v.string(),
	durationSeconds: v.pipe(v.number(), v.minValue(1)),
	fadeInSeconds: v.pipe(v.number(), v.minValue(0), v.maxValue(30)),
	fadeOutSeconds: v.pipe(v.number(), v.minValue(0), v.maxValue(30)),
	licence: v.string(),
	loudnessLufs: v.pipe(v.number(), v.finite()),
	truePeakDbtp: v.pipe(v.number(), v.finite()),
	file: v.pipe(v.string(), v.startsWith('/audio/')),
	bytes: v.pipe(v.number(), v.integer()),
	sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{16}$/))
});

const catalogSchema = v.object({ version: v.literal(1), tracks: v.array(trackSchema) });

export type CuratedTrack = v.InferOutput<typeof trackSchema>;

/** The shipped catalog; a malformed one is a build error, caught by the unit tests. */
export const CURATED_TRACKS: readonly CuratedTrack[] = v.parse(catalogSchema, catalogJson).tracks;

const byId = new Map(CURATED_TRACKS.map((track) => [track.id, track]));

export function curatedTrack(id: string): CuratedTrack | undefined {
	return byId.get(id);
}

export function trackDuration(id: string): Seconds | undefined {
	return byId.get(id)?.durationSeconds;
}

/** A playlist item as something the engine can play; undefined for an unknown track. */
export function sourceOf(item: PlaylistItem, key: string): MusicSource | undefined {
	if (item.kind === 'soundscape') {
		return {
			kind: 'soundscape',
			key,
			title: SOUNDSCAPE_TITLES[item.soundscape],
			soundscape: item.soundscape,
			seed: item.seed
		};
	}
	const track = byId.get(item.trackId);
	if (!track) return undefined;
	return {
		kind: 'track',
		key,
		title: track.title,
		src: track.file,
		gainDb: LOUDNESS_TARGET - track.loudnessLufs,
		durationSeconds: track.durationSeconds,
		openingFade: track.fadeInSeconds,
		closingFade: track.fadeOutSeconds
	};
}

export const SOUNDSCAPE_TITLES = {
	'warm-drone': 'Warm drone (generated)',
	'slow-pads': 'Slow pads (generated)',
	bowls: 'Bowls (generated)',
	sea: 'Sea (generated)',
	rain: 'Rain (generated)'
} as const;
