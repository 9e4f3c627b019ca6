import { describe, expect, it } from 'vitest';
import { cycleLength, cyclePhases, patternRate, type BreathPattern } from '../../src/lib/breath/patterns';
import { breathStartAt, buildTimeline, fullnessAt, positionAt, rateAt } from '../../src/lib/breath/timeline';

const coherent: BreathPattern = { kind: 'coherent', breathsPerMinute: 5.5 };

describe('cyclePhases', () => {
	it('gives equal in and out for coherent breathing', () => {
		const [inhale, exhale] = cyclePhases(coherent);
		expect(inhale?.kind).toBe('inhale');
		expect(exhale?.kind).toBe('exhale');
		expect(inhale?.duration).toBeCloseTo(60 / 5.5 / 2, 12);
		expect(exhale?.duration).toBe(inhale?.duration);
		expect(patternRate(coherent)).toBeCloseTo(5.5, 12);
	});

	it.each([
		[{ kind: 'box' } as const, ['inhale', 'hold-in', 'exhale', 'hold-out'], 16],
		[{ kind: 'four-seven-eight' } as const, ['inhale', 'hold-in', 'exhale'], 19],
		[{ kind: 'extended-exhale' } as const, ['inhale', 'exhale'], 10],
		[{ kind: 'sigh' } as const, ['inhale', 'inhale-top', 'exhale'], 10]
	])('%o has phases %o lasting %d s', (pattern, kinds, length) => {
		expect(cyclePhases(pattern).map((p) => p.kind)).toEqual(kinds);
		expect(cycleLength(pattern)).toBe(length);
	});

	it('leaves zero-length holds out of a custom pattern', () => {
		const pattern: BreathPattern = { kind: 'custom', durations: { inhale: 3.5, holdIn: 0, exhale: 5.2, holdOut: 1 } };
		expect(cyclePhases(pattern)).toEqual([
			{ kind: 'inhale', duration: 3.5 },
			{ kind: 'exhale', duration: 5.2 },
			{ kind: 'hold-out', duration: 1 }
		]);
	});
});

describe('buildTimeline', () => {
	it('has 165 breaths in 30 minutes at 5.5 a minute, ending on the minute', () => {
		const timeline = buildTimeline({ pattern: coherent, length: { kind: 'minutes', minutes: 30 } });
		expect(timeline.breaths).toBe(165);
		expect(timeline.events).toHaveLength(330);
		expect(timeline.end).toBeCloseTo(1800, 6);
		expect(timeline.events.at(-1)?.kind).toBe('exhale');
	});

	it('has 15 phase changes in one minute of box breathing, ending on an out-breath', () => {
		const timeline = buildTimeline({ pattern: { kind: 'box' }, length: { kind: 'minutes', minutes: 1 } });
		expect(timeline.events).toHaveLength(15);
		expect(timeline.events.map((e) => e.start)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56]);
		expect(timeline.events.at(-1)?.kind).toBe('exhale');
		expect(timeline.end).toBe(60);
	});

	it('counts whole breaths and leaves out the last rest', () => {
		const timeline = buildTimeline({ pattern: { kind: 'box' }, length: { kind: 'breaths', count: 3 } });
		expect(timeline.breaths).toBe(3);
		expect(timeline.events).toHaveLength(11);
		expect(timeline.end).toBe(44);
	});

	it('never ends on an in-breath or a hold', () => {
		// 4-7-8 cycles are 19 s: 3 whole breaths (57 s) and then only an inhale (4 s) fit in a minute.
		const timeline = buildTimeline({ pattern: { kind: 'four-seven-eight' }, length: { kind: 'minutes', minutes: 1 } });
		expect(timeline.events.at(-1)?.kind).toBe('exhale');
		expect(timeline.end).toBe(57);
	});

	it('gives one whole breath when a single breath is longer than the chosen time', () => {
		const pattern: BreathPattern = { kind: 'custom', durations: { inhale: 20, holdIn: 20, exhale: 20.1, holdOut: 0 } };
		const timeline = buildTimeline({ pattern, length: { kind: 'minutes', minutes: 1 } });
		expect(timeline.breaths).toBe(1);
		expect(timeline.end).toBeCloseTo(60.1, 9);
	});

	it('leaves no gap and no overlap between events', () => {
		const timeline = buildTimeline({ pattern: { kind: 'sigh' }, length: { kind: 'minutes', minutes: 10 } });
		timeline.events.forEach((event, i) => {
			expect(event.index).toBe(i);
			const next = timeline.events[i + 1];
			if (next) expect(next.start).toBeCloseTo(event.start + event.duration, 9);
		});
	});

	it('slows from the ramp rate to the pattern rate over the ramp minutes', () => {
		const timeline = buildTimeline({
			pattern: coherent,
			length: { kind: 'minutes', minutes: 10 },
			ramp: { fromRate: 10, minutes: 3 }
		});
		const breathLength = (breath: number) =>
			timeline.events.filter((e) => e.breath === breath).reduce((sum, e) => sum + e.duration, 0);
		expect(breathLength(0)).toBeCloseTo(6, 9); // 10 a minute
		const lengths = Array.from({ length: timeline.breaths }, (_, i) => breathLength(i));
		for (let i = 1; i < lengths.length; i += 1) expect(lengths[i]!).toBeGreaterThanOrEqual(lengths[i - 1]! - 1e-9);
		const late = timeline.events.filter((e) => e.start >= 180);
		expect(late.every((e) => Math.abs(e.duration - 60 / 5.5 / 2) < 1e-9)).toBe(true);
		expect(rateAt(90, 5.5, { fromRate: 10, minutes: 3 })).toBeCloseTo(7.75, 9);
		// Faster early breaths mean more of them than without the ramp.
		expect(timeline.breaths).toBeGreaterThan(55);
	});
});

describe('positions', () => {
	const timeline = buildTimeline({ pattern: { kind: 'box' }, length: { kind: 'minutes', minutes: 1 } });

	it('finds the phase, its progress and what is left', () => {
		const at = positionAt(timeline, 5);
		expect(at?.event.kind).toBe('hold-in');
		expect(at?.progress).toBeCloseTo(0.25, 9);
		expect(at?.remaining).toBeCloseTo(3, 9);
		expect(positionAt(timeline, -0.1)).toBeNull();
		expect(positionAt(timeline, 60)).toBeNull();
	});

	it('resumes from the start of the interrupted breath', () => {
		expect(breathStartAt(timeline, 27)).toBe(16);
		expect(breathStartAt(timeline, 0)).toBe(0);
	});

	it('fills the lungs on the in-breath and empties them on the out-breath', () => {
		expect(fullnessAt(timeline, 0)).toBeCloseTo(0, 9);
		expect(fullnessAt(timeline, 2)).toBeCloseTo(0.5, 9);
		expect(fullnessAt(timeline, 6)).toBe(1);
		expect(fullnessAt(timeline, 10)).toBeCloseTo(0.5, 9);
		expect(fullnessAt(timeline, 14)).toBe(0);
	});
});
