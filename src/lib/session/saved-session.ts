/**
 * A session in progress, as kept on the device so that a reload or a crash
 * loses nothing: the playlist, the dosing clock, what was playing and where,
 * and the log. Read back only through `parseSavedSession`.
 */
import * as v from 'valibot';
import type { LogEntry } from './session-log';
import type { PlaylistItem } from './playlist';
import type { SessionState } from './session-clock';
import type { Milliseconds, Seconds } from '../units';

export interface PlayingRecord {
	key: string;
	phaseIndex: number;
	/** Index in the phase's items; null for a fallback soundscape. */
	itemIndex: number | null;
	item: PlaylistItem;
	/** Wall-clock time the item began. */
	startedAt: Milliseconds;
	/** For soundscapes between tracks: how long they play; null means until the phase moves on. */
	playFor: Seconds | null;
}

export interface SavedSession {
	version: 1;
	playlistId: string;
	clock: SessionState;
	/** When each phase began, in order. */
	history: { index: number; startedAt: Milliseconds }[];
	/** Per phase index: items played, and tracks that failed. */
	played: Record<string, number[]>;
	failed: Record<string, number[]>;
	playing: PlayingRecord | null;
	/** Position in the playing item when saved. */
	position: Seconds;
	savedAt: Milliseconds;
	paused: boolean;
	log: LogEntry[];
	crossfadeSeconds: Seconds;
	volume: number;
}

const time = v.pipe(v.number(), v.finite(), v.minValue(0));
const index = v.pipe(v.number(), v.integer(), v.minValue(0));

const itemSchema = v.variant('kind', [
	v.object({ kind: v.literal('track'), trackId: v.string() }),
	v.object({
		kind: v.literal('soundscape'),
		soundscape: v.picklist(['warm-drone', 'slow-pads', 'bowls', 'sea', 'rain']),
		seed: index
	})
]);

const schema = v.object({
	version: v.literal(1),
	playlistId: v.pipe(v.string(), v.nonEmpty()),
	clock: v.object({
		startedAt: time,
		doseAt: v.nullable(time),
		phaseIndex: index,
		phaseStartedAt: time,
		mode: v.picklist(['auto', 'manual']),
		held: v.boolean()
	}),
	history: v.array(v.object({ index, startedAt: time })),
	played: v.record(v.string(), v.array(index)),
	failed: v.record(v.string(), v.array(index)),
	playing: v.nullable(
		v.object({
			key: v.string(),
			phaseIndex: index,
			itemIndex: v.nullable(index),
			item: itemSchema,
			startedAt: time,
			playFor: v.nullable(time)
		})
	),
	position: time,
	savedAt: time,
	paused: v.boolean(),
	log: v.pipe(
		v.array(
			v.object({
				at: time,
				kind: v.picklist([
					'session-start',
					'dose',
					'phase',
					'hold',
					'release',
					'mode',
					'item',
					'duck',
					'pause',
					'resume',
					'skip',
					'problem',
					'session-end'
				]),
				text: v.pipe(v.string(), v.maxLength(500)),
				endedAt: v.optional(v.nullable(time))
			})
		),
		v.maxLength(5000)
	),
	crossfadeSeconds: v.pipe(v.number(), v.minValue(0), v.maxValue(12)),
	volume: v.pipe(v.number(), v.minValue(0), v.maxValue(1))
});

/** A saved session, or null when there is none or it cannot be trusted (then it is dropped, never used). */
export function parseSavedSession(stored: unknown): SavedSession | null {
	const parsed = v.safeParse(schema, stored);
	return parsed.success ? (parsed.output as SavedSession) : null;
}
