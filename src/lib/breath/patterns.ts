/**
 * Breath patterns: what one breath cycle is made of.
 *
 * Pure data and functions, no audio, DOM or storage. A pattern is turned into
 * the phases of one cycle; zero-length holds are left out.
 *
 * @example
 * cyclePhases({ kind: 'box' }) // inhale 4, hold-in 4, exhale 4, hold-out 4
 */
import type { BreathsPerMinute, Seconds } from '../units';
import { SECONDS_PER_MINUTE } from '../units';

export type PhaseKind = 'inhale' | 'inhale-top' | 'hold-in' | 'exhale' | 'hold-out';

export interface Phase {
	readonly kind: PhaseKind;
	readonly duration: Seconds;
}

export interface CustomDurations {
	inhale: Seconds;
	holdIn: Seconds;
	exhale: Seconds;
	holdOut: Seconds;
}

export type BreathPattern =
	| { readonly kind: 'coherent'; readonly breathsPerMinute: BreathsPerMinute }
	| { readonly kind: 'box' }
	| { readonly kind: 'four-seven-eight' }
	| { readonly kind: 'extended-exhale' }
	| { readonly kind: 'sigh' }
	| { readonly kind: 'custom'; readonly durations: CustomDurations };

export type PatternKind = BreathPattern['kind'];

export const COHERENT_DEFAULT_RATE: BreathsPerMinute = 5.5;
export const COHERENT_RATE_RANGE = { min: 3, max: 7 } as const;
export const CUSTOM_LIMITS = {
	/** Every part of a custom pattern lies within 0–20 s … */
	max: 20,
	/** … inhale and exhale last at least 1 s … */
	minBreath: 1,
	/** … and values are kept to 0.1 s. */
	step: 0.1
} as const;

export const PATTERN_INFO: Record<PatternKind, { readonly name: string; readonly summary: string }> = {
	coherent: {
		name: 'Coherent breathing',
		summary: 'Slow, even breaths in and out, about five and a half a minute.'
	},
	box: { name: 'Box breathing', summary: 'In 4, hold 4, out 4, hold 4.' },
	'four-seven-eight': { name: '4-7-8', summary: 'In 4, hold 7, out 8.' },
	'extended-exhale': { name: 'Longer out-breath', summary: 'In 4, out 6: the long out-breath settles the body.' },
	sigh: {
		name: 'Physiological sigh',
		summary: 'A breath in, a short second sip of air on top, then a long slow breath out.'
	},
	custom: { name: 'Your own pattern', summary: 'Choose the length of each part of the breath.' }
};

export const PHASE_NAMES: Record<PhaseKind, string> = {
	inhale: 'Breathe in',
	'inhale-top': 'A little more in',
	'hold-in': 'Hold',
	exhale: 'Breathe out',
	'hold-out': 'Rest'
};

/** True for the phases during which the lungs fill (the shape grows). */
export function isInhale(kind: PhaseKind): boolean {
	return kind === 'inhale' || kind === 'inhale-top';
}

/** The phases of one breath cycle, in order, with zero-length holds left out. */
export function cyclePhases(pattern: BreathPattern): Phase[] {
	switch (pattern.kind) {
		case 'coherent': {
			const half = SECONDS_PER_MINUTE / pattern.breathsPerMinute / 2;
			return [
				{ kind: 'inhale', duration: half },
				{ kind: 'exhale', duration: half }
			];
		}
		case 'box':
			return fromDurations({ inhale: 4, holdIn: 4, exhale: 4, holdOut: 4 });
		case 'four-seven-eight':
			return fromDurations({ inhale: 4, holdIn: 7, exhale: 8, holdOut: 0 });
		case 'extended-exhale':
			return fromDurations({ inhale: 4, holdIn: 0, exhale: 6, holdOut: 0 });
		case 'sigh':
			// Two-part inhale through the nose, then a long exhale through the mouth.
			return [
				{ kind: 'inhale', duration: 2.5 },
				{ kind: 'inhale-top', duration: 1 },
				{ kind: 'exhale', duration: 6.5 }
			];
		case 'custom':
			return fromDurations(pattern.durations);
	}
}

function fromDurations(d: CustomDurations): Phase[] {
	const phases: Phase[] = [
		{ kind: 'inhale', duration: d.inhale },
		{ kind: 'hold-in', duration: d.holdIn },
		{ kind: 'exhale', duration: d.exhale },
		{ kind: 'hold-out', duration: d.holdOut }
	];
	return phases.filter((phase) => phase.duration > 0);
}

/** Length of one breath cycle. */
export function cycleLength(pattern: BreathPattern): Seconds {
	return cyclePhases(pattern).reduce((sum, phase) => sum + phase.duration, 0);
}

/** The pattern's own breathing rate. */
export function patternRate(pattern: BreathPattern): BreathsPerMinute {
	return SECONDS_PER_MINUTE / cycleLength(pattern);
}
