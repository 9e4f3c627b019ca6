/**
 * Gentle vibration at phase changes, where the platform has it (not iOS).
 * Always a companion to sound or sight, never the only cue.
 */
import type { PhaseKind } from '../breath/patterns';
import type { Milliseconds } from '../units';

/** In: one soft pulse. Out: two short ones. Holds: none, the stillness is the cue. */
const PATTERNS: Partial<Record<PhaseKind, Milliseconds[]>> = {
	inhale: [70],
	'inhale-top': [40],
	exhale: [35, 90, 35]
};

export function hapticsSupported(): boolean {
	return typeof navigator !== 'undefined' && typeof navigator.vibrate === 'function';
}

export function pulseForPhase(kind: PhaseKind): void {
	const pattern = PATTERNS[kind];
	if (pattern && hapticsSupported()) navigator.vibrate(pattern);
}
