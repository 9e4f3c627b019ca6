/**
 * The breath timeline: (pattern, length, ramp) → the exact list of phase events.
 *
 * Pure: no audio, DOM or storage. Times are seconds from the start of practice.
 * The audio scheduler and the visual both read this one list, so what you hear
 * and what you see cannot disagree.
 *
 * Rules:
 * - A timed practice keeps every phase that ends within the chosen length, then
 *   drops trailing phases so that it always ends on a completed out-breath.
 * - A counted practice is that many whole breaths; the last rest is left out.
 * - A ramp starts at a faster rate and slows linearly (in breaths per minute,
 *   by the start time of each breath) to the pattern's own rate; each breath's
 *   phases are stretched in proportion.
 *
 * @example
 * const t = buildTimeline({ pattern: { kind: 'box' }, length: { kind: 'minutes', minutes: 1 } });
 * t.events.length // 15
 */
import type { BreathPattern, PhaseKind } from './patterns';
import { cycleLength, cyclePhases, patternRate } from './patterns';
import type { BreathsPerMinute, Seconds } from '../units';
import { SECONDS_PER_MINUTE } from '../units';

export type PracticeLength = { kind: 'minutes'; minutes: number } | { kind: 'breaths'; count: number };

export interface Ramp {
	/** The rate of the first breath; slows to the pattern's own rate. */
	readonly fromRate: BreathsPerMinute;
	/** How long the slowing takes. */
	readonly minutes: number;
}

export interface TimelineRequest {
	readonly pattern: BreathPattern;
	readonly length: PracticeLength;
	readonly ramp?: Ramp | undefined;
}

export interface PhaseEvent {
	/** Position of this event in the timeline. */
	readonly index: number;
	/** Which breath (0-based) the phase belongs to. */
	readonly breath: number;
	readonly kind: PhaseKind;
	readonly start: Seconds;
	readonly duration: Seconds;
}

export interface Timeline {
	readonly events: readonly PhaseEvent[];
	/** When the last out-breath ends; the closing bell sounds here. */
	readonly end: Seconds;
	/** Number of breaths begun. */
	readonly breaths: number;
}

/** Floating-point slack, so that 165 breaths of 60/5.5 s fit into 30 minutes. */
const EPSILON: Seconds = 1e-6;
/** A guard against runaway loops if a caller bypasses validation. */
const MAX_EVENTS = 100_000;

/** The breathing rate for a breath that starts at `time`. */
export function rateAt(time: Seconds, target: BreathsPerMinute, ramp: Ramp | undefined): BreathsPerMinute {
	if (!ramp) return target;
	const rampSeconds = ramp.minutes * SECONDS_PER_MINUTE;
	if (rampSeconds <= 0 || time >= rampSeconds) return target;
	return ramp.fromRate + (target - ramp.fromRate) * (time / rampSeconds);
}

export function buildTimeline(request: TimelineRequest): Timeline {
	const phases = cyclePhases(request.pattern);
	const baseCycle = cycleLength(request.pattern);
	if (phases.length === 0 || !(baseCycle > 0)) return { events: [], end: 0, breaths: 0 };
	const target = patternRate(request.pattern);
	const limit: Seconds =
		request.length.kind === 'minutes' ? request.length.minutes * SECONDS_PER_MINUTE : Number.POSITIVE_INFINITY;
	const breathLimit = request.length.kind === 'breaths' ? request.length.count : Number.POSITIVE_INFINITY;

	const events: PhaseEvent[] = [];
	let time: Seconds = 0;
	let breath = 0;
	outer: while (breath < breathLimit && events.length < MAX_EVENTS) {
		const period = SECONDS_PER_MINUTE / rateAt(time, target, request.ramp);
		const stretch = period / baseCycle;
		for (const phase of phases) {
			const duration = phase.duration * stretch;
			if (time + duration > limit + EPSILON) break outer;
			events.push({ index: events.length, breath, kind: phase.kind, start: time, duration });
			time += duration;
		}
		breath += 1;
	}

	trimToLastExhale(events);
	if (events.length === 0) {
		// The length is shorter than one breath: give one whole breath rather than nothing.
		return buildTimeline({ ...request, length: { kind: 'breaths', count: 1 } });
	}
	const last = events[events.length - 1]!;
	return { events, end: last.start + last.duration, breaths: last.breath + 1 };
}

function trimToLastExhale(events: PhaseEvent[]): void {
	while (events.length > 0 && events[events.length - 1]!.kind !== 'exhale') events.pop();
}

/** Where practice stands at `position` seconds. */
export interface TimelinePosition {
	readonly event: PhaseEvent;
	/** 0 at the start of the phase, 1 at its end. */
	readonly progress: number;
	readonly remaining: Seconds;
}

/**
 * The phase under `position`, found by binary search; null before the start
 * and after the end.
 */
export function positionAt(timeline: Timeline, position: Seconds): TimelinePosition | null {
	const { events } = timeline;
	if (events.length === 0 || position < 0 || position >= timeline.end) return null;
	let low = 0;
	let high = events.length - 1;
	while (low < high) {
		const mid = (low + high + 1) >> 1;
		if (events[mid]!.start <= position) low = mid;
		else high = mid - 1;
	}
	const event = events[low]!;
	const elapsed = position - event.start;
	return {
		event,
		progress: Math.min(1, Math.max(0, elapsed / event.duration)),
		remaining: Math.max(0, event.duration - elapsed)
	};
}

/** The start of the breath that contains `position`: where a resumed practice picks up. */
export function breathStartAt(timeline: Timeline, position: Seconds): Seconds {
	const at = positionAt(timeline, position);
	if (!at) return Math.min(Math.max(0, position), timeline.end);
	const first = timeline.events.find((event) => event.breath === at.event.breath);
	return first ? first.start : at.event.start;
}

/**
 * How full the lungs are (0–1) at `position`: rises through in-breaths, stays
 * through holds, falls through out-breaths. Drives the visual shape and the
 * "ocean" swell alike.
 */
export function fullnessAt(timeline: Timeline, position: Seconds): number {
	const at = positionAt(timeline, position);
	if (!at) return 0;
	const { event, progress } = at;
	return fullnessAtEvent(timeline, event, progress);
}

function fullnessAtEvent(timeline: Timeline, event: PhaseEvent, progress: number): number {
	const eased = easeInOut(progress);
	switch (event.kind) {
		case 'inhale': {
			// With a two-part inhale the first part fills to 80 %, the top-up the rest.
			const next = timeline.events[event.index + 1];
			const top = next?.kind === 'inhale-top' ? 0.8 : 1;
			return eased * top;
		}
		case 'inhale-top':
			return 0.8 + 0.2 * eased;
		case 'hold-in':
			return 1;
		case 'exhale':
			return 1 - eased;
		case 'hold-out':
			return 0;
	}
}

/** Breathing is not linear: it starts and ends gently. */
export function easeInOut(x: number): number {
	return 0.5 - 0.5 * Math.cos(Math.PI * Math.min(1, Math.max(0, x)));
}
