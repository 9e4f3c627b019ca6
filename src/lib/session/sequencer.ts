/**
 * Which item plays next within a phase, and for how long a soundscape plays
 * before the next track, so that tracks and soundscapes together fill any
 * phase length without a track repeating.
 *
 * Pure. Rules:
 * - Items play in their order; each track plays once per phase. Tracks that
 *   failed to load are passed over.
 * - A soundscape between tracks plays for an equal share of the time left
 *   after the remaining tracks (at least MIN_SOUNDSCAPE); with no plan to
 *   share (a held, manual or open phase) it plays OPEN_SOUNDSCAPE.
 * - When the tracks run out, the phase's last soundscape plays until the
 *   phase moves on; a phase without one falls back to a soundscape that fits
 *   its kind.
 *
 * @example
 * const next = nextItem(phase, { played: [0], failed: new Set(), remaining: 1200 }, durationOf);
 */
import type { PhaseKind, PhasePlan, PlaylistItem, SoundscapeId } from './playlist';
import type { Seconds } from '../units';

export const MIN_SOUNDSCAPE: Seconds = 180;
export const OPEN_SOUNDSCAPE: Seconds = 300;

/** A soundscape for each kind of phase, for when a phase runs out of items. */
export const FALLBACK_SOUNDSCAPE: Record<PhaseKind, SoundscapeId> = {
	arrival: 'warm-drone',
	onset: 'slow-pads',
	deepening: 'slow-pads',
	return: 'warm-drone',
	grounding: 'sea'
};

export interface PhaseProgress {
	/** Indexes of items already played in this phase, in order. */
	readonly played: readonly number[];
	/** Indexes of tracks that could not be played. */
	readonly failed: readonly number[];
	/** Planned time left in the phase, or null when it has no end (held, manual, waiting for the dose). */
	readonly remaining: Seconds | null;
}

export interface NextItem {
	/** Index in the phase's items, or null for the fallback soundscape. */
	readonly index: number | null;
	readonly item: PlaylistItem;
	/** For soundscapes: how long before the next item; null means until the phase moves on. */
	readonly playFor: Seconds | null;
}

export function nextItem(
	phase: PhasePlan,
	progress: PhaseProgress,
	durationOf: (trackId: string) => Seconds | undefined
): NextItem {
	const last = progress.played.at(-1) ?? -1;
	const playedTracks = new Set(progress.played.filter((i) => phase.items[i]?.kind === 'track'));
	const usable = (i: number) => {
		const item = phase.items[i];
		if (!item) return false;
		return item.kind === 'soundscape' || (!playedTracks.has(i) && !progress.failed.includes(i));
	};
	const ahead = phase.items.map((_, i) => i).filter((i) => i > last && usable(i));
	const tracksAhead = ahead.filter((i) => phase.items[i]?.kind === 'track');

	if (tracksAhead.length === 0) {
		const lastSoundscape = [...phase.items.keys()].reverse().find((i) => phase.items[i]?.kind === 'soundscape');
		if (lastSoundscape !== undefined)
			return { index: lastSoundscape, item: phase.items[lastSoundscape]!, playFor: null };
		return {
			index: null,
			item: { kind: 'soundscape', soundscape: FALLBACK_SOUNDSCAPE[phase.kind], seed: 1 },
			playFor: null
		};
	}

	const index = ahead[0]!;
	const item = phase.items[index]!;
	if (item.kind === 'track') return { index, item, playFor: null };

	// A soundscape with tracks still to come: share out the time the tracks leave.
	if (progress.remaining === null) return { index, item, playFor: OPEN_SOUNDSCAPE };
	const trackTime = tracksAhead.reduce((sum, i) => {
		const next = phase.items[i];
		return sum + (next?.kind === 'track' ? (durationOf(next.trackId) ?? 0) : 0);
	}, 0);
	const soundscapesAhead = ahead.filter((i) => i < tracksAhead.at(-1)! && phase.items[i]?.kind === 'soundscape').length;
	const share = (progress.remaining - trackTime) / Math.max(1, soundscapesAhead);
	return { index, item, playFor: Math.max(MIN_SOUNDSCAPE, share) };
}
