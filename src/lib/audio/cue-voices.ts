/**
 * The sounds of the breath cues, synthesized with Tone.js.
 *
 * Each function schedules one cue at an exact audio-clock time and returns a
 * handle that knows when the cue has finished and how to release its nodes.
 * Nothing here reads the clock or sets a timer: the caller decides the times.
 *
 * Every envelope starts from silence with a linear attack of at least 8 ms and
 * ends with a linear release to exactly zero, so no cue clicks.
 */
import type { PhaseKind } from '../breath/patterns';
import type { Hertz, Seconds } from '../units';
import type { ToneContext, ToneLib, ToneNode } from './tone';

export interface ScheduledVoice {
	/** Audio-clock time after which the voice is silent and can be released. */
	readonly end: Seconds;
	dispose(): void;
}

export interface VoiceTarget {
	readonly tone: ToneLib;
	readonly context: ToneContext;
	/** Where the voice is connected: the run's bus. */
	readonly output: ToneNode;
}

/** Shortest attack of any cue; the bench checks the rendered rise against it. */
export const MIN_ATTACK: Seconds = 0.008;
/** Silence left before the next phase, so that every tone onset starts from quiet. */
const TONE_GAP: Seconds = 0.15;

interface GlideTone {
	readonly from: Hertz;
	readonly to: Hertz;
	readonly peak: number;
	/** Relative strengths of the harmonics: a soft, slightly reedy sine. */
	readonly partials: number[];
}

/**
 * Soft tones: the in-breath rises a fifth (A3 → E4), the out-breath falls from
 * D4 to G3 with a darker timbre. Holds are silent, so the absence of tone is
 * itself the cue to hold.
 */
const GLIDES: Partial<Record<PhaseKind, GlideTone>> = {
	inhale: { from: 220, to: 329.63, peak: 0.32, partials: [1, 0.22, 0.06] },
	'inhale-top': { from: 329.63, to: 392, peak: 0.26, partials: [1, 0.22, 0.06] },
	exhale: { from: 293.66, to: 196, peak: 0.3, partials: [1, 0.1] }
};

export function scheduleToneCue(
	target: VoiceTarget,
	kind: PhaseKind,
	start: Seconds,
	phaseLength: Seconds
): ScheduledVoice | null {
	const glide = GLIDES[kind];
	if (!glide) return null;
	const { tone, context, output } = target;
	const length = Math.max(0.35, phaseLength - TONE_GAP);
	const attack = Math.max(MIN_ATTACK, Math.min(0.12, length * 0.2));
	const release = Math.min(0.9, length * 0.4);
	const end = start + length;

	const oscillator = new tone.Oscillator({ context, frequency: glide.from, type: 'custom', partials: glide.partials });
	const amp = new tone.Gain({ context, gain: 0 });
	oscillator.connect(amp);
	amp.connect(output);

	oscillator.frequency.setValueAtTime(glide.from, start);
	oscillator.frequency.exponentialRampToValueAtTime(glide.to, end);
	amp.gain.setValueAtTime(0, start);
	amp.gain.linearRampToValueAtTime(glide.peak, start + attack);
	// A gentle swell and fade inside the tone keeps it breathing rather than static.
	amp.gain.linearRampToValueAtTime(glide.peak * 0.8, end - release);
	amp.gain.linearRampToValueAtTime(0, end);
	oscillator.start(start).stop(end + 0.02);

	return {
		end: end + 0.05,
		dispose: () => {
			oscillator.dispose();
			amp.dispose();
		}
	};
}

interface BowlStrike {
	readonly fundamental: Hertz;
	readonly peak: number;
	/** Time for the ring to fall to about a third. */
	readonly decay: Seconds;
}

/** Inharmonic partial ratios and strengths of a small singing bowl. */
const BOWL_PARTIALS: readonly { ratio: number; level: number; decayScale: number }[] = [
	{ ratio: 1, level: 1, decayScale: 1 },
	{ ratio: 1.004, level: 0.5, decayScale: 1 }, // a slow beat against the fundamental: the bowl's shimmer
	{ ratio: 2.76, level: 0.28, decayScale: 0.55 },
	{ ratio: 5.4, level: 0.07, decayScale: 0.3 }
];

const BOWLS: Record<PhaseKind, BowlStrike> = {
	inhale: { fundamental: 392, peak: 0.2, decay: 1.4 },
	'inhale-top': { fundamental: 440, peak: 0.12, decay: 0.9 },
	'hold-in': { fundamental: 329.63, peak: 0.07, decay: 0.8 },
	exhale: { fundamental: 261.63, peak: 0.2, decay: 1.6 },
	'hold-out': { fundamental: 329.63, peak: 0.06, decay: 0.8 }
};

/** The closing bell: a deeper, longer bowl. */
const CLOSING_BELL: BowlStrike = { fundamental: 196, peak: 0.24, decay: 3.2 };

function scheduleBowl(target: VoiceTarget, strike: BowlStrike, start: Seconds): ScheduledVoice {
	const { tone, context, output } = target;
	const attack: Seconds = 0.012;
	const nodes: { dispose(): void }[] = [];
	let end = start;
	for (const partial of BOWL_PARTIALS) {
		const decay = strike.decay * partial.decayScale;
		// After about five time constants the ring is below -40 dB; a short linear tail then reaches zero.
		const ringEnd = start + attack + decay * 5;
		const oscillator = new tone.Oscillator({ context, frequency: strike.fundamental * partial.ratio, type: 'sine' });
		const amp = new tone.Gain({ context, gain: 0 });
		oscillator.connect(amp);
		amp.connect(output);
		const peak = strike.peak * partial.level;
		amp.gain.setValueAtTime(0, start);
		amp.gain.linearRampToValueAtTime(peak, start + attack);
		amp.gain.setTargetAtTime(0, start + attack, decay);
		amp.gain.setValueAtTime(peak * Math.exp(-5), ringEnd);
		amp.gain.linearRampToValueAtTime(0, ringEnd + 0.1);
		oscillator.start(start).stop(ringEnd + 0.12);
		nodes.push(oscillator, amp);
		end = Math.max(end, ringEnd + 0.15);
	}
	return { end, dispose: () => nodes.forEach((node) => node.dispose()) };
}

export function scheduleChimeCue(target: VoiceTarget, kind: PhaseKind, start: Seconds): ScheduledVoice {
	return scheduleBowl(target, BOWLS[kind], start);
}

export function scheduleClosingBell(target: VoiceTarget, start: Seconds): ScheduledVoice {
	return scheduleBowl(target, CLOSING_BELL, start);
}

/** Length of the closing bell, so the pacer knows when practice has fully ended. */
export const CLOSING_BELL_LENGTH: Seconds = 0.012 + CLOSING_BELL.decay * 5 + 0.15;

/**
 * The "ocean" swell: soft pink noise through a low-pass filter, both following
 * the breath. One voice lasts the whole run; each phase adds automation.
 */
export class OceanSwell implements ScheduledVoice {
	static readonly floor = 0.025;
	static readonly peak = 0.16;
	static readonly closedHz: Hertz = 350;
	static readonly openHz: Hertz = 1500;

	readonly #noise;
	readonly #filter;
	readonly #amp;
	#end: Seconds = Number.POSITIVE_INFINITY;

	constructor(target: VoiceTarget, start: Seconds) {
		const { tone, context, output } = target;
		this.#noise = new tone.Noise({ context, type: 'pink' });
		this.#filter = new tone.Filter({ context, type: 'lowpass', frequency: OceanSwell.closedHz, Q: 0.5 });
		this.#amp = new tone.Gain({ context, gain: 0 });
		this.#noise.chain(this.#filter, this.#amp, output);
		this.#amp.gain.setValueAtTime(0, start);
		this.#amp.gain.linearRampToValueAtTime(OceanSwell.floor, start + 1.5);
		this.#filter.frequency.setValueAtTime(OceanSwell.closedHz, start);
		this.#noise.start(start);
	}

	get end(): Seconds {
		return this.#end;
	}

	/** Shapes the swell for one phase that starts at `start` and lasts `length`. */
	follow(kind: PhaseKind, start: Seconds, length: Seconds): void {
		const filling = kind === 'inhale' || kind === 'inhale-top';
		const emptying = kind === 'exhale';
		if (!filling && !emptying) return;
		const level = filling ? OceanSwell.peak * (kind === 'inhale-top' ? 1 : 0.85) : OceanSwell.floor;
		const cutoff = filling ? OceanSwell.openHz : OceanSwell.closedHz;
		this.#amp.gain.setValueAtTime(this.#amp.gain.getValueAtTime(start), start);
		this.#amp.gain.linearRampToValueAtTime(level, start + length);
		this.#filter.frequency.setValueAtTime(this.#filter.frequency.getValueAtTime(start), start);
		this.#filter.frequency.exponentialRampToValueAtTime(cutoff, start + length);
	}

	/** Fades the swell out over `fade` from `at`, and stops it. */
	close(at: Seconds, fade: Seconds): void {
		this.#amp.gain.cancelScheduledValues(at);
		this.#amp.gain.setValueAtTime(this.#amp.gain.getValueAtTime(at), at);
		this.#amp.gain.linearRampToValueAtTime(0, at + fade);
		this.#noise.stop(at + fade + 0.05);
		this.#end = at + fade + 0.1;
	}

	dispose(): void {
		this.#noise.dispose();
		this.#filter.dispose();
		this.#amp.dispose();
	}
}
