import { describe, expect, it } from 'vitest';
import type { PhasePlan } from '../../src/lib/session/playlist';
import { MIN_SOUNDSCAPE, OPEN_SOUNDSCAPE, nextItem } from '../../src/lib/session/sequencer';

const durations: Record<string, number> = { a: 200, b: 300, c: 250 };
const durationOf = (id: string) => durations[id];

const phase: PhasePlan = {
	id: 'deepening',
	name: 'Deepening',
	kind: 'deepening',
	minutes: 40,
	items: [
		{ kind: 'soundscape', soundscape: 'slow-pads', seed: 3 },
		{ kind: 'track', trackId: 'a' },
		{ kind: 'soundscape', soundscape: 'warm-drone', seed: 4 },
		{ kind: 'track', trackId: 'b' },
		{ kind: 'track', trackId: 'c' },
		{ kind: 'soundscape', soundscape: 'bowls', seed: 5 }
	]
};

describe('nextItem', () => {
	it('fills a 40-minute phase: soundscapes share the time the tracks leave, then the last one plays on', () => {
		const first = nextItem(phase, { played: [], failed: [], remaining: 2400 }, durationOf);
		// 2400 s less 750 s of tracks, shared by the two soundscapes before the last track.
		expect(first).toEqual({ index: 0, item: phase.items[0], playFor: 825 });
		expect(nextItem(phase, { played: [0], failed: [], remaining: 1575 }, durationOf).index).toBe(1);
		const middle = nextItem(phase, { played: [0, 1], failed: [], remaining: 1375 }, durationOf);
		expect(middle).toMatchObject({ index: 2, playFor: 825 });
		expect(nextItem(phase, { played: [0, 1, 2], failed: [], remaining: 550 }, durationOf).index).toBe(3);
		expect(nextItem(phase, { played: [0, 1, 2, 3], failed: [], remaining: 250 }, durationOf).index).toBe(4);
		expect(nextItem(phase, { played: [0, 1, 2, 3, 4], failed: [], remaining: 0 }, durationOf)).toEqual({
			index: 5,
			item: phase.items[5],
			playFor: null
		});
	});

	it('never repeats a track, and passes over one that failed', () => {
		const next = nextItem(phase, { played: [0, 1, 2], failed: [3], remaining: 900 }, durationOf);
		expect(next.index).toBe(4);
		const played = nextItem(phase, { played: [0, 1, 2, 3, 4, 5], failed: [], remaining: 10 }, durationOf);
		expect(played).toMatchObject({ index: 5, playFor: null });
	});

	it('gives soundscapes a floor, and a fixed time when the phase has no planned end', () => {
		expect(nextItem(phase, { played: [], failed: [], remaining: 100 }, durationOf).playFor).toBe(MIN_SOUNDSCAPE);
		expect(nextItem(phase, { played: [], failed: [], remaining: null }, durationOf).playFor).toBe(OPEN_SOUNDSCAPE);
	});

	it('falls back to a soundscape that fits the phase when it has only tracks', () => {
		const tracksOnly: PhasePlan = { ...phase, kind: 'grounding', items: [{ kind: 'track', trackId: 'a' }] };
		expect(nextItem(tracksOnly, { played: [0], failed: [], remaining: 600 }, durationOf)).toEqual({
			index: null,
			item: { kind: 'soundscape', soundscape: 'sea', seed: 1 },
			playFor: null
		});
	});
});
