/**
 * Generative soundscapes for the session-music console: drones, pads, bowls,
 * sea and rain, synthesized with Tone.js in the same AudioContext as the
 * recorded tracks, so the music engine can crossfade between them.
 *
 * - Seeded: every random choice comes from a `Random` derived from the seed,
 *   so the same (id, seed) always gives the same music, sample for sample.
 * - Endless: musical events (chord changes, bowl strikes, wave swells, slow
 *   swells of level and brightness) are placed on the audio clock in chunks,
 *   HORIZON seconds ahead, and topped up from the context's own clock (a
 *   worker live, the render loop offline). A busy main thread never delays a
 *   scheduled event; one stalled for minutes only holds the sound still.
 * - Bounded: every soundscape is a fixed set of long-lived nodes (30 native
 *   nodes at most, bowls included: strikes reuse three slots) whose
 *   parameters are automated; nothing is made per chord, strike or wave, and
 *   the plans are generators that hold only their current state.
 * - Level: each soundscape comes out near −23 LUFS integrated, like the
 *   normalized tracks, with peaks well below −1 dBFS (tests/audio/soundscapes.test.ts).
 *   It comes in at that level too: its own fade-in is all of its rise (the
 *   music engine starts its crossfade once FADE_IN is over), and the sea and
 *   the bowls join their plans part-way (`joinedAt`), so they do not always
 *   open on a cresting wave or a fresh strike.
 *
 * Musical rules (the team's MUSIC-NOTES): no beat, no percussive
 * onsets, soft attacks and long releases, brightness kept below ~4–6 kHz,
 * slow dynamics, consonant modal harmony. The pure planners (`padChords`,
 * `bowlStrikes`, `seaWaves`, …) decide what happens and when; the audio part
 * only turns their plans into automation.
 */
import type { SoundscapeId } from '../session/playlist';
import type { ToneContext, ToneLib, ToneNode } from '../audio/tone';
import type { BiquadFilter, Gain, Panner, ToneBufferSource, ToneOscillatorNode } from 'tone';
import type { Decibels, Hertz, Seconds } from '../units';
import { Random } from './prng';

export interface Soundscape {
	/** Connect this to a deck gain; the soundscape never connects itself to the destination. */
	readonly output: ToneNode;
	/** Starts sound at audio-clock time `at` (fades in over ~2 s by itself so a start is never abrupt). */
	start(at: Seconds): void;
	/** Fades out over `fade` seconds from `at` and stops every source; call dispose() after. */
	stop(at: Seconds, fade?: Seconds): void;
	/** Releases every node and timer. */
	dispose(): void;
}

/** The fade-in every start makes by itself. */
export const FADE_IN: Seconds = 2;
/** The fade-out of stop() when none is given. */
export const STOP_FADE: Seconds = 3;
/** How far ahead events are placed on the audio clock at each top-up. */
export const HORIZON: Seconds = 120;
/** A top-up happens when any part has fewer than this many seconds placed ahead. */
export const TOP_UP_BELOW: Seconds = 90;
/** How often the soundscape looks whether a top-up is due. */
const CHECK_EVERY: Seconds = 1;

/**
 * Output level of each soundscape (after its fade-in), measured so that each
 * comes out near −23 LUFS integrated over a minute or more, whatever the seed.
 */
export const LEVELS: Record<SoundscapeId, Decibels> = {
	'warm-drone': -15.1,
	'slow-pads': -15,
	bowls: -5.8,
	sea: -10.3,
	rain: -18.9
};

// ─── Plans: pure, seeded, no audio ───────────────────────────────────────────

/** How a point is reached: a jump, a ramp, or (`target`) an exponential approach with time constant `constant`. */
export type Curve = 'set' | 'linear' | 'exponential' | 'target';

/** One automation step: reach `value` at `time` (seconds from the start), jumping or ramping from the step before. */
export interface Point {
	/** Which parameter, e.g. `filter.frequency` or `voice2.gain`. */
	readonly target: string;
	readonly time: Seconds;
	readonly value: number;
	readonly curve: Curve;
	/** Time constant of a `target` approach. */
	readonly constant?: Seconds;
}

/** Automation steps that belong together, due at `time` (its points may reach a little past it). */
export interface Cue {
	readonly time: Seconds;
	readonly points: readonly Point[];
}

export interface DriftOptions {
	readonly low: number;
	readonly high: number;
	/** Shortest and longest time between two targets. */
	readonly gaps: readonly [Seconds, Seconds];
	/** `exponential` for frequencies: targets are then drawn evenly in log scale. */
	readonly curve?: 'linear' | 'exponential';
	/** Value at the start; a random one in range when not given. */
	readonly from?: number;
}

/**
 * A slow random walk: a new target in [low, high] every `gaps` seconds,
 * reached by a ramp, so the value never jumps and breathes slowly.
 */
export function* drift(random: Random, target: string, options: DriftOptions): Generator<Cue, never> {
	const curve = options.curve ?? 'linear';
	const draw = () =>
		curve === 'exponential'
			? options.low * Math.pow(options.high / options.low, random.next())
			: random.range(options.low, options.high);
	let time: Seconds = 0;
	yield { time, points: [{ target, time, value: options.from ?? draw(), curve: 'set' }] };
	for (;;) {
		time += random.range(options.gaps[0], options.gaps[1]);
		yield { time, points: [{ target, time, value: draw(), curve }] };
	}
}

/** Where the sea and the bowls join their endless plans: past the plans' own first minute, at a seeded moment. */
export const JOIN_WITHIN: readonly [Seconds, Seconds] = [30, 60];

/** One lane's last point before the join, the value the lane had as it began, and its first point after. */
interface Lane {
	last: Point;
	before: number;
	next?: Point;
}

/** A lane's value at `time`, as Web Audio runs its points (`time` between `last` and `next`). */
function laneValue(lane: Lane, time: Seconds, next: Point | undefined): number {
	const { last } = lane;
	if (next && (next.curve === 'linear' || next.curve === 'exponential')) {
		// Web Audio starts a ramp after an approach from wherever the approach is when the ramp is added: no plan does that.
		if (last.curve === 'target') throw new Error(`A ramp right after an approach cannot be joined: ${last.target}`);
		const x = next.time > last.time ? (time - last.time) / (next.time - last.time) : 1;
		if (next.curve === 'linear') return last.value + (next.value - last.value) * x;
		// An exponential ramp from zero, or across zero, holds its start value until its end (Web Audio).
		if (last.value === 0 || last.value * next.value < 0) return x >= 1 ? next.value : last.value;
		return last.value * Math.pow(next.value / last.value, x);
	}
	if (last.curve === 'target') {
		return last.value + (lane.before - last.value) * Math.exp(-(time - last.time) / (last.constant ?? 1));
	}
	return last.value;
}

/**
 * An endless plan heard from `at` seconds into it, as if it had been playing
 * all along: each lane starts (at 0) from the value it has there, a ramp or a
 * decay under way carries on, and everything after follows, `at` seconds
 * earlier. A plan that always begins the same way (the first wave rising, the
 * first bowl struck) would otherwise open the same way every time, with its
 * level in the first seconds set by that opening rather than by the music's
 * own average. Lanes are looked ahead at most `lookAhead` seconds for the end
 * of a ramp under way; none is longer.
 */
export function* joinedAt(cues: Iterator<Cue>, at: Seconds, lookAhead: Seconds = HORIZON): Generator<Cue, void> {
	const lanes = new Map<string, Lane>();
	const carried: Point[] = [];
	const ahead: Cue[] = [];
	const noteNext = (point: Point): void => {
		const lane = lanes.get(point.target);
		if (lane && !lane.next) lane.next = point;
	};
	let next = cues.next();
	// A cue's points are never before its time, so every point before `at` is in a cue before it.
	for (; next.done !== true && next.value.time < at; next = cues.next()) {
		for (const point of next.value.points) {
			if (point.time >= at) {
				carried.push(point);
				noteNext(point);
				continue;
			}
			const lane = lanes.get(point.target);
			const before = lane ? laneValue(lane, point.time, point) : 0;
			lanes.set(point.target, { last: point, before });
		}
	}
	while (next.done !== true && next.value.time < at + lookAhead && [...lanes.values()].some((lane) => !lane.next)) {
		ahead.push(next.value);
		for (const point of next.value.points) noteNext(point);
		next = cues.next();
	}
	const shift = (point: Point): Point => ({ ...point, time: point.time - at });
	const start: Point[] = [];
	for (const [target, lane] of lanes) {
		start.push({ target, time: 0, value: laneValue(lane, at, lane.next), curve: 'set' });
		const { last } = lane;
		if (last.curve === 'target') start.push({ ...last, time: 0 });
	}
	yield { time: 0, points: [...start, ...carried.map(shift)] };
	for (const cue of ahead) yield { time: cue.time - at, points: cue.points.map(shift) };
	for (; next.done !== true; next = cues.next())
		yield { time: next.value.time - at, points: next.value.points.map(shift) };
}

/** Equal temperament, A4 = 440 Hz. */
export function midiToHz(midi: number): Hertz {
	return 440 * Math.pow(2, (midi - 69) / 12);
}

// warm-drone ──────────────────────────────────────────────────────────────────

/** Roots of the warm drone: C2 to G2, low and warm. */
export const DRONE_ROOTS: readonly Hertz[] = [65.41, 73.42, 82.41, 87.31, 98];

export function droneRoot(seed: number): Hertz {
	return new Random(seed).derive('drone.root').pick(DRONE_ROOTS);
}

/** Multiples of the root the high drone voice visits: the twelfth, two octaves, and the fifth above those. */
export const DRONE_HIGH_RATIOS: readonly number[] = [3, 4, 6];

/**
 * The high voice of the warm drone: rests, then swells in over 15–30 s on an
 * open interval above the root, holds, and swells out again. It changes pitch
 * only while silent, so no note ever glides or starts abruptly.
 */
export function* droneHighVoice(seed: number, root: Hertz): Generator<Cue, never> {
	const random = new Random(seed).derive('drone.high');
	let ratio = random.pick(DRONE_HIGH_RATIOS);
	let time: Seconds = 0;
	yield {
		time,
		points: [
			{ target: 'high.gain', time, value: 0, curve: 'set' },
			{ target: 'high.frequency', time, value: root * ratio, curve: 'set' }
		]
	};
	for (;;) {
		const rest = time + random.range(12, 35);
		const full = rest + random.range(15, 30);
		const hold = full + random.range(10, 30);
		const out = hold + random.range(15, 30);
		const level = random.range(0.6, 1);
		ratio = random.pick(DRONE_HIGH_RATIOS.filter((r) => r !== ratio));
		yield {
			time: rest,
			points: [
				{ target: 'high.frequency', time: rest, value: root * ratio, curve: 'set' },
				{ target: 'high.gain', time: rest, value: 0, curve: 'set' },
				{ target: 'high.gain', time: full, value: level, curve: 'linear' },
				{ target: 'high.gain', time: hold, value: level, curve: 'linear' },
				{ target: 'high.gain', time: out, value: 0, curve: 'linear' }
			]
		};
		time = out;
	}
}

// slow-pads ───────────────────────────────────────────────────────────────────

export type PadMode = 'lydian' | 'mixolydian';

export const MODE_SCALES: Record<PadMode, readonly number[]> = {
	lydian: [0, 2, 4, 6, 7, 9, 11],
	mixolydian: [0, 2, 4, 5, 7, 9, 10]
};

interface ChordShape {
	/** Bass pitch class, in semitones above the tonic. */
	readonly bass: number;
	/** Four pitch classes for the upper voices, in semitones above the tonic. */
	readonly tones: readonly number[];
	/** Chords that may follow; a name listed twice is twice as likely. */
	readonly next: readonly string[];
}

/**
 * Modal chords: add9, sus and seventh colours that stay inside the mode, and
 * moves between them that share tones (the Lydian I–II sway, the Mixolydian
 * I–♭VII), so no change ever sounds like a modulation.
 */
const PAD_CHORDS: Record<PadMode, Readonly<Record<string, ChordShape>>> = {
	lydian: {
		I: { bass: 0, tones: [0, 2, 4, 7], next: ['II', 'II', 'vi', 'iii', 'Vsus'] },
		II: { bass: 2, tones: [2, 6, 9, 4], next: ['I', 'I', 'Imaj7', 'vi'] },
		Imaj7: { bass: 0, tones: [4, 7, 11, 2], next: ['II', 'vi', 'I'] },
		vi: { bass: 9, tones: [9, 0, 4, 7], next: ['II', 'Vsus', 'I'] },
		iii: { bass: 4, tones: [4, 7, 11, 2], next: ['vi', 'II'] },
		Vsus: { bass: 7, tones: [7, 0, 2, 9], next: ['I', 'Imaj7'] }
	},
	mixolydian: {
		I: { bass: 0, tones: [0, 4, 7, 2], next: ['bVII', 'bVII', 'IV', 'Isus4', 'v'] },
		Isus4: { bass: 0, tones: [0, 5, 7, 2], next: ['I', 'bVII'] },
		bVII: { bass: 10, tones: [10, 2, 5, 0], next: ['I', 'IV', 'Isus4'] },
		IV: { bass: 5, tones: [5, 9, 0, 7], next: ['I', 'bVII', 'Isus4'] },
		v: { bass: 7, tones: [7, 10, 2, 5], next: ['IV', 'bVII'] }
	}
};

/** Tonics of the pads (MIDI): C3 to A3. */
export const PAD_TONICS: readonly number[] = [48, 50, 51, 53, 55, 57];
/** Shortest and longest time a chord lasts. */
export const CHORD_GAPS: readonly [Seconds, Seconds] = [12, 30];

export interface PadKey {
	/** MIDI note of the tonic (upper voices sit around it, the bass an octave below). */
	readonly tonic: number;
	readonly mode: PadMode;
}

export function padKey(seed: number): PadKey {
	const random = new Random(seed).derive('pads.key');
	return { tonic: random.pick(PAD_TONICS), mode: random.pick(['lydian', 'mixolydian'] as const) };
}

export interface PadChord {
	readonly time: Seconds;
	readonly name: string;
	/** MIDI notes: the bass, four upper voices (low to high not guaranteed), and a soft high "air" voice. */
	readonly bass: number;
	readonly upper: readonly number[];
	readonly air: number;
}

const PERMUTATIONS_OF_FOUR: readonly (readonly number[])[] = (() => {
	const out: number[][] = [];
	const walk = (prefix: number[], rest: number[]) => {
		if (rest.length === 0) out.push(prefix);
		rest.forEach((item, i) => walk([...prefix, item], [...rest.slice(0, i), ...rest.slice(i + 1)]));
	};
	walk([], [0, 1, 2, 3]);
	return out;
})();

/** The pitch with pitch class `pc` nearest to `near`, kept within [low, high]. */
function nearestPitch(pc: number, near: number, low: number, high: number): number {
	let best = low + ((((pc - low) % 12) + 12) % 12);
	for (let pitch = best; pitch <= high; pitch += 12) {
		if (Math.abs(pitch - near) < Math.abs(best - near)) best = pitch;
	}
	return best;
}

/**
 * Voice leading for the four upper pad voices: each voice takes one chord tone
 * (absolute pitch class, 0 = C) at the octave nearest where it is, choosing the
 * assignment that moves least, with no two voices closer than a whole tone.
 */
export function voiceLead(previous: readonly number[], tones: readonly number[], low: number, high: number): number[] {
	let best: number[] = [];
	let bestCost = Number.POSITIVE_INFINITY;
	for (const permutation of PERMUTATIONS_OF_FOUR) {
		const pitches = previous.map((pitch, voice) => nearestPitch(tones[permutation[voice]!]!, pitch, low, high));
		const sorted = [...pitches].sort((a, b) => a - b);
		// A semitone (or unison) between neighbours would rub; a big leap is fine but costs.
		const clash = sorted.some((pitch, i) => i > 0 && pitch - sorted[i - 1]! < 2);
		const cost = pitches.reduce((sum, pitch, voice) => sum + Math.abs(pitch - previous[voice]!), 0) + (clash ? 100 : 0);
		if (cost < bestCost) {
			bestCost = cost;
			best = pitches;
		}
	}
	return best;
}

/**
 * The chord progression of the pads: starts on I, moves to a neighbouring
 * chord every 12–30 s (seeded), with the upper voices led smoothly.
 */
export function* padChords(seed: number): Generator<PadChord, never> {
	const { tonic, mode } = padKey(seed);
	const chords = PAD_CHORDS[mode];
	const random = new Random(seed).derive('pads.chords');
	const pc = (degree: number) => (tonic + degree) % 12;
	const [upperLow, upperHigh] = [tonic - 3, tonic + 19];
	const [bassLow, bassHigh] = [tonic - 15, tonic - 4];
	const [airLow, airHigh] = [tonic + 19, tonic + 28];
	let name = 'I';
	let shape = chords[name]!;
	let upper = voiceLead([tonic, tonic + 5, tonic + 9, tonic + 14], shape.tones.map(pc), upperLow, upperHigh);
	let bass = nearestPitch(pc(shape.bass), tonic - 12, bassLow, bassHigh);
	let air = nearestPitch(pc(7), tonic + 24, airLow, airHigh);
	let time: Seconds = 0;
	for (;;) {
		yield { time, name, bass, upper, air };
		time += random.range(CHORD_GAPS[0], CHORD_GAPS[1]);
		name = random.pick(shape.next);
		shape = chords[name]!;
		upper = voiceLead(upper, shape.tones.map(pc), upperLow, upperHigh);
		bass = nearestPitch(pc(shape.bass), bass, bassLow, bassHigh);
		// The air voice doubles a chord tone other than the bass, high and soft.
		const airTones = shape.tones.filter((tone) => tone !== shape.bass);
		air = airTones
			.map((tone) => nearestPitch(pc(tone), air, airLow, airHigh))
			.reduce((a, b) => (Math.abs(b - air) < Math.abs(a - air) ? b : a));
	}
}

export interface PadVoice {
	/** Peak gain of the voice. */
	readonly level: number;
	/** When the voice enters (seconds from the start, drawn in this range), and over how long. */
	readonly entry: readonly [Seconds, Seconds];
	readonly entryFade: Seconds;
	readonly side: 'left' | 'centre' | 'right';
}

/**
 * Bass, four upper voices, air. The first three sound from the start, rising with the soundscape's
 * own fade-in: the music engine begins its crossfade when FADE_IN is over, so a voice still rising
 * then would stack a second fade on it (with 6–8 s entries the pads came in 5 dB under their level).
 * The others enter one by one: the texture widens over the first minutes.
 */
export const PAD_VOICES: readonly PadVoice[] = [
	{ level: 0.3, entry: [0, 0], entryFade: FADE_IN, side: 'centre' },
	{ level: 0.2, entry: [0, 0], entryFade: FADE_IN, side: 'left' },
	{ level: 0.2, entry: [0, 0], entryFade: FADE_IN, side: 'right' },
	{ level: 0.14, entry: [20, 40], entryFade: 16, side: 'left' },
	{ level: 0.14, entry: [45, 80], entryFade: 16, side: 'right' },
	{ level: 0.06, entry: [90, 150], entryFade: 20, side: 'centre' }
];

/**
 * Automation for the pad voices. A voice whose note changes fades out (2.5–4 s),
 * takes its new note while silent and fades back in (3.5–6 s), a little after
 * the others (0–2 s), so a chord change is a slow morph, never a jump or a glide.
 * Targets: `voice<i>.gain`, `voice<i>.frequency`.
 */
export function* padScore(seed: number): Generator<Cue, never> {
	const random = new Random(seed).derive('pads.voices');
	const entries = PAD_VOICES.map((voice) => random.range(voice.entry[0], voice.entry[1]));
	/** Time until which each voice's gain is already automated. */
	const free = entries.map((entry, i) => entry + PAD_VOICES[i]!.entryFade);
	let previous: number[] | undefined;
	for (const chord of padChords(seed)) {
		const notes = [chord.bass, ...chord.upper, chord.air];
		const points: Point[] = [];
		notes.forEach((note, i) => {
			const voice = PAD_VOICES[i]!;
			const gain = `voice${i}.gain`;
			const frequency = `voice${i}.frequency`;
			const hz = midiToHz(note);
			if (previous === undefined) {
				const entry = entries[i]!;
				points.push(
					{ target: frequency, time: 0, value: hz, curve: 'set' },
					{ target: gain, time: 0, value: 0, curve: 'set' },
					{ target: gain, time: entry, value: 0, curve: 'set' },
					{ target: gain, time: entry + voice.entryFade, value: voice.level, curve: 'linear' }
				);
				return;
			}
			if (note === previous[i]) return;
			if (chord.time < entries[i]!) {
				// Not yet sounding: just retune.
				points.push({ target: frequency, time: chord.time, value: hz, curve: 'set' });
				return;
			}
			const start = Math.max(chord.time + random.range(0, 2), free[i]!);
			const silent = start + random.range(2.5, 4);
			const back = silent + 0.05 + random.range(3.5, 6);
			points.push(
				{ target: gain, time: start, value: voice.level, curve: 'set' },
				{ target: gain, time: silent, value: 0, curve: 'linear' },
				{ target: frequency, time: silent + 0.05, value: hz, curve: 'set' },
				{ target: gain, time: silent + 0.05, value: 0, curve: 'set' },
				{ target: gain, time: back, value: voice.level, curve: 'linear' }
			);
			free[i] = back;
		});
		previous = notes;
		yield { time: chord.time, points };
	}
	throw new Error('unreachable: padChords never ends');
}

// bowls ───────────────────────────────────────────────────────────────────────

/** Bowls sound these multiples of the bed's root: consonant with it, and never the same twice running. */
export const BOWL_RATIOS: readonly number[] = [3, 4, 6, 8];
/** Shortest and longest time between two strikes. */
export const BOWL_GAPS: readonly [Seconds, Seconds] = [8, 25];
/** Gentlest and firmest attack: a soft mallet, never a click. */
export const BOWL_ATTACK: readonly [Seconds, Seconds] = [0.25, 0.5];

export interface BowlStrike {
	readonly time: Seconds;
	readonly frequency: Hertz;
	/** 0–1. */
	readonly velocity: number;
	readonly attack: Seconds;
	/** Time constant of the ring's decay; it is heard for about seven of these. */
	readonly decay: Seconds;
	/** Beat between the bowl's two near-equal modes: its slow shimmer. */
	readonly beat: Hertz;
}

export function bowlRoot(seed: number): Hertz {
	return new Random(seed).derive('bowls.root').pick(DRONE_ROOTS);
}

/** How long a strike sounds, from its time to the end of its release. */
export function bowlLength(strike: BowlStrike): Seconds {
	return strike.attack + 5 * strike.decay + 1;
}

/** Bowl strikes, 8–25 s apart (seeded), each a little different in pitch, strength and ring. */
export function* bowlStrikes(seed: number): Generator<BowlStrike, never> {
	const root = bowlRoot(seed);
	const random = new Random(seed).derive('bowls.strikes');
	let time: Seconds = random.range(3, 6);
	let gap: Seconds = (BOWL_GAPS[0] + BOWL_GAPS[1]) / 2;
	let ratio = 0;
	for (;;) {
		ratio = random.pick(BOWL_RATIOS.filter((r) => r !== ratio));
		yield {
			time,
			frequency: root * ratio,
			velocity: random.range(0.7, 1),
			attack: random.range(BOWL_ATTACK[0], BOWL_ATTACK[1]),
			decay: random.range(2.5, 4),
			beat: random.range(0.6, 2)
		};
		// Irregular, yet steady over a minute: a short gap makes a longer one likelier next.
		const mean = (BOWL_GAPS[0] + BOWL_GAPS[1]) / 2;
		const spread = (BOWL_GAPS[1] - BOWL_GAPS[0]) / 2;
		gap = Math.min(BOWL_GAPS[1], Math.max(BOWL_GAPS[0], mean + (mean - gap) * 0.6 + random.range(-0.7, 0.7) * spread));
		time += gap;
	}
}

/**
 * Bowls ring on a fixed set of slots (left, centre, right), reused: a strike
 * takes a free slot, chosen at random. A strike lasts under 22 s and strikes are
 * at least 8 s apart, so three slots are always enough and no node is ever made
 * per strike.
 */
export const BOWL_SLOTS = 3;
/** Peak gain of a bowl's body at velocity 1; its second mode peaks at 0.6 of that and decays twice as fast. */
export const BOWL_PEAK = 0.32;

/**
 * Automation for the bowl slots. Targets: `bowl<slot>.body.gain`,
 * `bowl<slot>.body.frequency`, and the same for `.shimmer`. A slot is retuned
 * only while silent. The oscillators run a quarter of the bowl's pitch (their
 * waves hold the bowl's partials as harmonics 4, 11, 21, 33).
 */
export function* bowlScore(seed: number): Generator<Cue, never> {
	const random = new Random(seed).derive('bowls.slots');
	const free: Seconds[] = Array.from({ length: BOWL_SLOTS }, () => 0);
	const first: Point[] = [];
	for (let slot = 0; slot < BOWL_SLOTS; slot += 1) {
		for (const part of ['body', 'shimmer']) {
			first.push({ target: `bowl${slot}.${part}.gain`, time: 0, value: 0, curve: 'set' });
		}
	}
	yield { time: 0, points: first };
	for (const strike of bowlStrikes(seed)) {
		const open = free.flatMap((until, slot) => (until <= strike.time ? [slot] : []));
		// Never happens with the gaps and decays above; if it did, the strike waits for the first slot to free up.
		const slot = open.length > 0 ? random.pick(open) : free.indexOf(Math.min(...free));
		const at = Math.max(strike.time, free[slot]!);
		const ring = at + strike.attack + 5 * strike.decay;
		const end = at + bowlLength(strike);
		free[slot] = end + 0.05;
		const peak = BOWL_PEAK * strike.velocity;
		const parts = [
			{ name: 'body', frequency: strike.frequency, peak, decay: strike.decay },
			{ name: 'shimmer', frequency: strike.frequency + strike.beat, peak: peak * 0.6, decay: strike.decay / 2 }
		];
		const points = parts.flatMap((part): Point[] => {
			const gain = `bowl${slot}.${part.name}.gain`;
			// Picked up exactly where the exponential is, then down to zero in a second.
			const tail = part.peak * Math.exp(-(ring - at - strike.attack) / part.decay);
			return [
				{ target: `bowl${slot}.${part.name}.frequency`, time: at, value: part.frequency / 4, curve: 'set' },
				{ target: gain, time: at, value: 0, curve: 'set' },
				{ target: gain, time: at + strike.attack, value: part.peak, curve: 'linear' },
				{ target: gain, time: at + strike.attack, value: 0, curve: 'target', constant: part.decay },
				{ target: gain, time: ring, value: tail, curve: 'set' },
				{ target: gain, time: end, value: 0, curve: 'linear' }
			];
		});
		yield { time: at, points };
	}
	throw new Error('unreachable: bowlStrikes never ends');
}

// sea ─────────────────────────────────────────────────────────────────────────

export const WAVE_PERIODS: readonly [Seconds, Seconds] = [6, 14];

export interface Wave {
	/** When the swell starts to rise. */
	readonly time: Seconds;
	/** Until the next wave starts. */
	readonly period: Seconds;
	/** Time from trough to crest. */
	readonly rise: Seconds;
	/** Level at the crest and at the trough that follows, 0–1. */
	readonly crest: number;
	readonly trough: number;
	/** How far the surf's low-pass opens at the crest. */
	readonly cutoff: Hertz;
	/** Where the wave breaks, −1 (left) to 1 (right). */
	readonly pan: number;
}

/**
 * Waves: irregular periods of 6–14 s; crests come in loose sets (a slow
 * random walk of the crest height), as on a real shore.
 */
export function* seaWaves(seed: number): Generator<Wave, never> {
	const random = new Random(seed).derive('sea.waves');
	let time: Seconds = 0;
	let swell = random.range(0.7, 0.9);
	for (;;) {
		swell = Math.min(0.95, Math.max(0.65, swell + random.range(-0.1, 0.1)));
		const period = random.range(WAVE_PERIODS[0], WAVE_PERIODS[1]);
		yield {
			time,
			period,
			rise: period * random.range(0.35, 0.5),
			crest: swell * random.range(0.85, 1),
			trough: random.range(0.1, 0.18),
			cutoff: 700 * Math.pow(2, random.range(0.3, 1.8)),
			pan: random.range(-0.4, 0.4)
		};
		time += period;
	}
}

/** Raised-cosine rise, sampled: a swell that starts and ends gently. */
const RISE_SHAPE: readonly (readonly [number, number])[] = [
	[0.25, 0.146],
	[0.5, 0.5],
	[0.75, 0.854],
	[1, 1]
];
/** The wash after the crest: quick at first, then a long ebb. */
const FALL_SHAPE: readonly (readonly [number, number])[] = [
	[0.15, 0.82],
	[0.4, 0.45],
	[0.7, 0.15],
	[1, 0]
];

/**
 * Automation for the sea. Targets: `surf.gain`, `surf.frequency` (its
 * low-pass), `surf.pan`, `foam.gain` (the hiss of the breaking crest, which
 * follows it by a moment).
 */
export function* seaScore(seed: number): Generator<Cue, never> {
	let first = true;
	for (const wave of seaWaves(seed)) {
		const points: Point[] = [];
		const t = wave.time;
		const fall = wave.period - wave.rise;
		const closed: Hertz = 380;
		if (first) {
			points.push(
				{ target: 'surf.gain', time: 0, value: wave.trough, curve: 'set' },
				{ target: 'surf.frequency', time: 0, value: closed, curve: 'set' },
				{ target: 'surf.pan', time: 0, value: 0, curve: 'set' },
				{ target: 'foam.gain', time: 0, value: 0, curve: 'set' }
			);
			first = false;
		}
		for (const [x, y] of RISE_SHAPE) {
			const time = t + wave.rise * x;
			points.push({ target: 'surf.gain', time, value: wave.trough + (wave.crest - wave.trough) * y, curve: 'linear' });
		}
		for (const [x, y] of FALL_SHAPE) {
			points.push({
				target: 'surf.gain',
				time: t + wave.rise + fall * x,
				// Falls toward the next wave's trough; the next wave ramps on from here.
				value: wave.trough + (wave.crest - wave.trough) * y,
				curve: 'linear'
			});
		}
		points.push(
			{ target: 'surf.frequency', time: t + wave.rise * 1.1, value: wave.cutoff, curve: 'exponential' },
			{ target: 'surf.frequency', time: t + wave.period, value: closed, curve: 'exponential' },
			{ target: 'surf.pan', time: t + wave.rise, value: wave.pan, curve: 'linear' },
			{ target: 'foam.gain', time: t + wave.rise * 0.7, value: 0, curve: 'set' },
			{ target: 'foam.gain', time: t + wave.rise + fall * 0.1, value: wave.crest, curve: 'linear' },
			{ target: 'foam.gain', time: t + wave.rise + fall * 0.55, value: 0, curve: 'linear' }
		);
		yield { time: t, points };
	}
	throw new Error('unreachable: seaWaves never ends');
}

// ─── Audio: turning plans into Tone nodes and automation ─────────────────────

/** What the automation needs of a Tone Param (any units). */
interface Automatable {
	setValueAtTime(value: number, time: Seconds): unknown;
	linearRampToValueAtTime(value: number, time: Seconds): unknown;
	exponentialRampToValueAtTime(value: number, time: Seconds): unknown;
	setTargetAtTime(value: number, time: Seconds, constant: Seconds): unknown;
	cancelAndHoldAtTime(time: Seconds): unknown;
}

/** A long-lived source: started with the soundscape, stopped with it. */
interface Source {
	start(at: Seconds): void;
	stop(at: Seconds): void;
}

interface Disposable {
	dispose(): unknown;
}

/**
 * Places a plan's automation on the audio clock, a chunk at a time. Every
 * parameter's events are added in time order, well before they are due, and
 * each new ramp starts from an event still in the future, so no value jumps.
 */
class CueStream {
	#until: Seconds = Number.NEGATIVE_INFINITY;
	readonly #cues: Iterator<Cue>;
	readonly #params: ReadonlyMap<string, Automatable>;
	readonly #offset: Seconds;

	constructor(cues: Iterator<Cue>, params: ReadonlyMap<string, Automatable>, offset: Seconds) {
		this.#cues = cues;
		this.#params = params;
		this.#offset = offset;
	}

	/** Audio-clock time of the last cue placed. */
	get until(): Seconds {
		return this.#until;
	}

	/** Places the cues due before `to`. Cues due before `late` are passed over: the page stalled past them. */
	fill(to: Seconds, late: Seconds): void {
		let skipped = false;
		while (this.#until < to) {
			const next = this.#cues.next();
			if (next.done === true) {
				this.#until = Number.POSITIVE_INFINITY;
				return;
			}
			const cue = next.value;
			this.#until = this.#offset + cue.time;
			if (this.#until < late) {
				skipped = true;
				continue;
			}
			if (skipped) {
				// Hold every parameter where it is now, so the next ramps start from there rather than from the past.
				for (const param of this.#params.values()) param.cancelAndHoldAtTime(late);
				skipped = false;
			}
			for (const point of cue.points) this.#apply(point);
		}
	}

	#apply(point: Point): void {
		const param = this.#params.get(point.target);
		if (!param) throw new Error(`The plan names a parameter the soundscape does not have: ${point.target}`);
		const time = this.#offset + point.time;
		switch (point.curve) {
			case 'set':
				param.setValueAtTime(point.value, time);
				break;
			case 'linear':
				param.linearRampToValueAtTime(point.value, time);
				break;
			case 'exponential':
				param.exponentialRampToValueAtTime(point.value, time);
				break;
			case 'target':
				param.setTargetAtTime(point.value, time, point.constant ?? 1);
				break;
		}
	}
}

type Harmonics = readonly (readonly [index: number, amplitude: number])[];

/** Builds one soundscape's graph. Every node made here is owned, and released, by the soundscape. */
class Kit {
	readonly tone: ToneLib;
	readonly context: ToneContext;
	readonly seed: number;
	readonly random: Random;
	readonly output: Gain;
	readonly owned: Disposable[] = [];
	readonly sources: Source[] = [];
	readonly plans: { cues: Iterator<Cue>; params: ReadonlyMap<string, Automatable> }[] = [];

	constructor(tone: ToneLib, context: ToneContext, seed: number) {
		this.tone = tone;
		this.context = context;
		this.seed = seed;
		this.random = new Random(seed);
		this.output = this.own(new tone.Gain({ context, gain: 0 }));
	}

	own<T extends Disposable>(node: T): T {
		this.owned.push(node);
		return node;
	}

	gain(gain: number): Gain {
		return this.own(new this.tone.Gain({ context: this.context, gain }));
	}

	/** For low- and high-pass the native Q is a resonance in dB (0 is about Butterworth); for band-pass, a Q factor. */
	filter(type: BiquadFilterType, frequency: Hertz, Q: number): BiquadFilter {
		return this.own(new this.tone.BiquadFilter({ context: this.context, type, frequency, Q }));
	}

	/** With `channels` 2 a stereo input is balanced rather than folded to mono, so it keeps its width. */
	panner(pan: number, channels: 1 | 2 = 1): Panner {
		return this.own(new this.tone.Panner({ context: this.context, pan, channelCount: channels }));
	}

	/** A periodic wave from [harmonic, amplitude] pairs, normalized to a peak of 1. */
	wave(harmonics: Harmonics): PeriodicWave {
		const size = Math.max(...harmonics.map(([index]) => index)) + 1;
		const real = new Float32Array(size);
		const imag = new Float32Array(size);
		for (const [index, amplitude] of harmonics) imag[index] = amplitude;
		return this.context.createPeriodicWave(real, imag);
	}

	/** A long-lived oscillator, started and stopped with the soundscape; its pitch is automated, never remade. */
	oscillator(frequency: Hertz, wave: PeriodicWave): ToneOscillatorNode {
		const oscillator = this.own(new this.tone.ToneOscillatorNode({ context: this.context, frequency }));
		oscillator.setPeriodicWave(wave);
		this.sources.push({ start: (at) => oscillator.start(at), stop: (at) => oscillator.stop(at) });
		return oscillator;
	}

	/** A looping noise source, started `offset` seconds into its buffer. */
	noise(buffer: AudioBuffer, offset: Seconds): ToneBufferSource {
		const url = new this.tone.ToneAudioBuffer(buffer);
		const source = this.own(new this.tone.ToneBufferSource({ context: this.context, url, loop: true }));
		this.sources.push({ start: (at) => source.start(at, offset), stop: (at) => source.stop(at) });
		return source;
	}

	/**
	 * Seeded stereo noise that loops without a seam: white, or red (white through
	 * a one-pole low-pass at `corner`). Its spectral density is the same at every
	 * sample rate, so filtered noise is as loud at 24 kHz as at 48 kHz.
	 */
	noiseBuffer(label: string, length: Seconds, corner?: Hertz): AudioBuffer {
		const random = this.random.derive(label);
		const rate = this.context.sampleRate;
		const frames = Math.round(length * rate);
		const join = Math.round(0.25 * rate);
		const buffer = this.context.createBuffer(2, frames, rate);
		// Uniform noise of variance rate / 48 kHz: the density of unit-variance noise at 48 kHz.
		const scale = Math.sqrt((3 * rate) / 48_000);
		const pole = corner === undefined ? 1 : 1 - Math.exp((-2 * Math.PI * corner) / rate);
		// The one-pole keeps about (π·corner)/(rate/2) of the power; make it up to unit variance at 48 kHz.
		const makeUp = corner === undefined ? 1 : Math.sqrt(24_000 / (Math.PI * corner));
		for (let channel = 0; channel < 2; channel += 1) {
			const raw = new Float32Array(frames + join);
			let low = 0;
			for (let i = 0; i < raw.length; i += 1) {
				low += pole * ((random.next() * 2 - 1) * scale - low);
				raw[i] = low * makeUp;
			}
			const data = buffer.getChannelData(channel);
			data.set(raw.subarray(0, frames));
			// The extra tail fades into the head with equal power (the two are uncorrelated): no seam at the loop point.
			for (let i = 0; i < join; i += 1) {
				const x = ((i + 0.5) / join) * (Math.PI / 2);
				data[i] = raw[i]! * Math.sin(x) + raw[frames + i]! * Math.cos(x);
			}
		}
		return buffer;
	}

	/**
	 * Reverberation fed from `from` and summed into the output: a convolver with
	 * a seeded impulse of decaying, darkening stereo noise — deterministic and
	 * made at once, unlike Tone.Reverb's asynchronous render. Below its low-pass
	 * the impulse passes a steady tone at unit power, at any sample rate (a
	 * normalizing convolver's level depends on the rate), so `wet` is the level
	 * of the reverberation against the dry sound. It ends at −42 dB, under the
	 * sustained sound, which keeps the convolution (its cost grows with the
	 * length) modest.
	 */
	reverb(from: ToneNode, decay: Seconds, wet: number): void {
		const rate = this.context.sampleRate;
		const frames = Math.round(decay * 0.7 * rate);
		const buffer = this.context.createBuffer(2, frames, rate);
		const random = this.random.derive('reverb');
		// −60 dB after `decay` seconds.
		const fall = Math.exp(-6.91 / (decay * rate));
		// Samples of variance 13.82 / (rate · decay): their decaying energy sums to 1 at every rate.
		const amplitude = Math.sqrt((3 * 13.82) / (rate * decay));
		const fadeFrom = Math.round(frames * 0.9);
		for (let channel = 0; channel < 2; channel += 1) {
			const data = buffer.getChannelData(channel);
			let envelope = 1;
			let low = 0;
			for (let i = 0; i < frames; i += 1) {
				const time = i / rate;
				// Highs die first, as in a room: the low-pass closes from 6 kHz toward 600 Hz.
				const cutoff = 600 + 5400 * Math.exp(-time / (decay * 0.35));
				low += (1 - Math.exp((-2 * Math.PI * cutoff) / rate)) * ((random.next() * 2 - 1) * amplitude - low);
				const onset = Math.min(1, time / 0.02);
				const end = i < fadeFrom ? 1 : (frames - i) / (frames - fadeFrom);
				data[i] = low * envelope * onset * end;
				envelope *= fall;
			}
		}
		// Tone sets `normalize` only after the buffer, when the native node has already normalized: set the buffer last.
		const convolver = this.own(new this.tone.Convolver({ context: this.context, normalize: false }));
		convolver.buffer = new this.tone.ToneAudioBuffer(buffer);
		const send = this.gain(wet);
		// A steady tone and its own reverberation add with a phase fixed by the seeded impulse: one seed's
		// drone would sit several dB louder than another's. A slowly wandering pre-delay sweeps that phase,
		// so the sum averages out within seconds, shifting the reverberation's pitch by 7 cents at most.
		const predelay = this.own(new this.tone.Delay({ context: this.context, delayTime: 0.04, maxDelay: 0.1 }));
		this.drift(predelay.delayTime, 'reverb.predelay', { low: 0.01, high: 0.09, gaps: [20, 40] });
		from.chain(send, predelay, convolver, this.output);
	}

	/** Automation from a plan; `params` gives the parameter for each target the plan names. */
	cues(cues: Iterator<Cue>, params: Record<string, Automatable>): void {
		this.plans.push({ cues, params: new Map(Object.entries(params)) });
	}

	/** A slow random walk of one parameter, seeded by its `label`. */
	drift(param: Automatable, label: string, options: DriftOptions): void {
		this.cues(drift(this.random.derive(label), label, options), { [label]: param });
	}
}

/** Soft and warm: a few low harmonics. */
const WARM: Harmonics = [
	[1, 1],
	[2, 0.32],
	[3, 0.14],
	[4, 0.06],
	[5, 0.025]
];

/** A mellow, slightly hollow saw (even harmonics softer), rounded further by the pads' low-pass. */
const PAD: Harmonics = Array.from({ length: 14 }, (_, i) => {
	const n = i + 1;
	return [n, (n % 2 === 0 ? 0.7 : 1) / Math.pow(n, 1.4)] as const;
});

/** The bed under the bowls: root, fifth, octave and twelfth on one oscillator running at half the root. */
const BED: Harmonics = [
	[2, 1],
	[3, 0.45],
	[4, 0.2],
	[6, 0.08]
];

/**
 * A bowl's partials as harmonics of a quarter of its pitch: 4 is the
 * fundamental, 11, 21 and 33 the inharmonic partials at ×2.75, ×5.25, ×8.25.
 * The body keeps the fundamental and the first partial and rings longest; the
 * shimmer, tuned a beat away (the bowl's split mode), has the higher partials
 * and rings out sooner.
 */
const BOWL_BODY: Harmonics = [
	[4, 1],
	[11, 0.18]
];
const BOWL_SHIMMER: Harmonics = [
	[4, 0.8],
	[11, 0.35],
	[21, 0.14],
	[33, 0.05]
];

function warmDrone(kit: Kit): void {
	const root = droneRoot(kit.seed);
	const warm = kit.wave(WARM);
	const filter = kit.filter('lowpass', 500, -1);
	filter.connect(kit.output);
	kit.reverb(filter, 4.5, 0.4);
	const left = kit.panner(-0.45);
	const right = kit.panner(0.45);
	left.connect(filter);
	right.connect(filter);
	const voices = [
		{ ratio: 1, level: 0.5, to: filter, detune: 0 },
		{ ratio: 1.5, level: 0.32, to: left, detune: -2 },
		{ ratio: 2, level: 0.24, to: right, detune: 4 }
	];
	voices.forEach((voice, i) => {
		const oscillator = kit.oscillator(root * voice.ratio, warm);
		const amp = kit.gain(0);
		oscillator.chain(amp, voice.to);
		// Each voice swells on its own over 15–45 s: the sound breathes and never dips out.
		kit.drift(amp.gain, `voice${i}.gain`, { low: voice.level * 0.65, high: voice.level, gaps: [15, 45] });
		// A few cents of slow drift: gentle beating between the voices, as in a played drone.
		kit.drift(oscillator.detune, `voice${i}.detune`, { low: voice.detune - 3, high: voice.detune + 3, gaps: [15, 40] });
	});
	const high = kit.oscillator(root * 3, warm);
	const highAmp = kit.gain(0);
	const highLevel = kit.gain(0.11);
	high.chain(highAmp, highLevel, left);
	kit.cues(droneHighVoice(kit.seed, root), { 'high.gain': highAmp.gain, 'high.frequency': high.frequency });
	kit.drift(filter.frequency, 'filter.frequency', { low: 300, high: 800, gaps: [20, 45], curve: 'exponential' });
}

function slowPads(kit: Kit): void {
	const pad = kit.wave(PAD);
	const filter = kit.filter('lowpass', 1600, -2);
	filter.connect(kit.output);
	kit.reverb(filter, 5.5, 0.85);
	const left = kit.panner(-0.15);
	const right = kit.panner(0.15);
	left.connect(filter);
	right.connect(filter);
	const sides = { left, centre: filter, right };
	// The stereo image opens from narrow to wide over the first three minutes.
	const widen: Cue = {
		time: 0,
		points: [
			{ target: 'left.pan', time: 0, value: -0.15, curve: 'set' },
			{ target: 'right.pan', time: 0, value: 0.15, curve: 'set' },
			{ target: 'left.pan', time: 180, value: -0.8, curve: 'linear' },
			{ target: 'right.pan', time: 180, value: 0.8, curve: 'linear' }
		]
	};
	kit.cues([widen].values(), { 'left.pan': left.pan, 'right.pan': right.pan });
	const params: Record<string, Automatable> = {};
	PAD_VOICES.forEach((voice, i) => {
		const oscillator = kit.oscillator(220, pad);
		const amp = kit.gain(0);
		oscillator.chain(amp, sides[voice.side]);
		params[`voice${i}.gain`] = amp.gain;
		params[`voice${i}.frequency`] = oscillator.frequency;
		kit.drift(oscillator.detune, `voice${i}.detune`, { low: -6, high: 6, gaps: [10, 25] });
	});
	kit.cues(padScore(kit.seed), params);
	// Brightness opens from 1.6 kHz, then wanders between 2 and 3.6 kHz.
	kit.drift(filter.frequency, 'filter.frequency', {
		low: 2000,
		high: 3600,
		gaps: [15, 40],
		curve: 'exponential',
		from: 1600
	});
}

function bowls(kit: Kit): void {
	const root = bowlRoot(kit.seed);
	const bus = kit.gain(1);
	bus.connect(kit.output);
	kit.reverb(bus, 4.5, 0.6);
	const bed = kit.oscillator(root / 2, kit.wave(BED));
	const bedAmp = kit.gain(0);
	bed.chain(bedAmp, bus);
	kit.drift(bedAmp.gain, 'bed.gain', { low: 0.13, high: 0.2, gaps: [20, 50] });
	kit.drift(bed.detune, 'bed.detune', { low: -3, high: 3, gaps: [15, 40] });
	const left = kit.panner(-0.45);
	const right = kit.panner(0.45);
	left.connect(bus);
	right.connect(bus);
	const slotOutputs = [left, bus, right];
	const waves = { body: kit.wave(BOWL_BODY), shimmer: kit.wave(BOWL_SHIMMER) };
	const params: Record<string, Automatable> = {};
	for (let slot = 0; slot < BOWL_SLOTS; slot += 1) {
		for (const part of ['body', 'shimmer'] as const) {
			const oscillator = kit.oscillator(root, waves[part]);
			const envelope = kit.gain(0);
			oscillator.chain(envelope, slotOutputs[slot % slotOutputs.length]!);
			params[`bowl${slot}.${part}.gain`] = envelope.gain;
			params[`bowl${slot}.${part}.frequency`] = oscillator.frequency;
		}
	}
	// Joined part-way, so the first strike comes as any other does, not always 3–6 s in; a bowl may still be ringing.
	kit.cues(joinedAt(bowlScore(kit.seed), kit.random.derive('bowls.join').range(...JOIN_WITHIN)), params);
}

function sea(kit: Kit): void {
	const white = kit.noiseBuffer('sea.white', 7.9);
	const red = kit.noiseBuffer('sea.red', 5.3, 120);
	// The surf: noise whose level and low-pass rise and fall with each wave.
	const surfSource = kit.noise(white, 0);
	const surfFilter = kit.filter('lowpass', 380, -3);
	const surfAmp = kit.gain(0);
	const surfPan = kit.panner(0, 2);
	surfSource.chain(surfFilter, surfAmp, surfPan, kit.output);
	// The foam: a softer, brighter hiss as each crest breaks.
	const foamSource = kit.noise(white, 3.7);
	const foamFilter = kit.filter('bandpass', 2400, 0.7);
	const foamAmp = kit.gain(0);
	const foamLevel = kit.gain(0.22);
	foamSource.chain(foamFilter, foamAmp, foamLevel, surfPan);
	// The low rumble of the sea beyond.
	const rumbleSource = kit.noise(red, 0);
	const rumbleFilter = kit.filter('lowpass', 320, -3);
	const rumbleAmp = kit.gain(0.3);
	rumbleSource.chain(rumbleFilter, rumbleAmp, kit.output);
	// Joined part-way, so the sea is already moving when it comes in, not always on a wave that crests as it arrives.
	kit.cues(joinedAt(seaScore(kit.seed), kit.random.derive('sea.join').range(...JOIN_WITHIN)), {
		'surf.gain': surfAmp.gain,
		'surf.frequency': surfFilter.frequency,
		'surf.pan': surfPan.pan,
		'foam.gain': foamAmp.gain
	});
	kit.drift(rumbleAmp.gain, 'rumble.gain', { low: 0.25, high: 0.35, gaps: [20, 45] });
	// Slowly varying playback rates keep the noise loops from ever lining up the same way twice.
	kit.drift(surfSource.playbackRate, 'surf.rate', { low: 0.96, high: 1.04, gaps: [10, 30] });
	kit.drift(foamSource.playbackRate, 'foam.rate', { low: 1.02, high: 1.1, gaps: [10, 30] });
	kit.drift(rumbleSource.playbackRate, 'rumble.rate', { low: 0.95, high: 1.05, gaps: [10, 30] });
}

function rain(kit: Kit): void {
	const white = kit.noiseBuffer('rain.white', 7.9);
	const red = kit.noiseBuffer('rain.red', 5.3, 150);
	// The hiss of rain all around: broadband but darkened, never sharp.
	const hissSource = kit.noise(white, 0);
	const hissLow = kit.filter('highpass', 300, -3);
	const hissHigh = kit.filter('lowpass', 3200, -3);
	const hissAmp = kit.gain(0.8);
	hissSource.chain(hissLow, hissHigh, hissAmp, kit.output);
	// Nearer rain on leaves: a soft middle band that comes and goes, drifting across.
	const patterSource = kit.noise(white, 4.1);
	const patterFilter = kit.filter('bandpass', 1500, 0.8);
	const patterAmp = kit.gain(0.4);
	const patterPan = kit.panner(0, 2);
	patterSource.chain(patterFilter, patterAmp, patterPan, kit.output);
	// The low body of the downpour.
	const bodySource = kit.noise(red, 0);
	const bodyFilter = kit.filter('lowpass', 500, -3);
	const bodyAmp = kit.gain(0.5);
	bodySource.chain(bodyFilter, bodyAmp, kit.output);
	kit.drift(hissAmp.gain, 'hiss.gain', { low: 0.65, high: 0.9, gaps: [15, 45] });
	kit.drift(hissHigh.frequency, 'hiss.frequency', { low: 2600, high: 4200, gaps: [15, 40], curve: 'exponential' });
	kit.drift(patterAmp.gain, 'patter.gain', { low: 0.2, high: 0.55, gaps: [6, 15] });
	kit.drift(patterPan.pan, 'patter.pan', { low: -0.5, high: 0.5, gaps: [8, 20] });
	kit.drift(bodyAmp.gain, 'body.gain', { low: 0.35, high: 0.6, gaps: [20, 45] });
	kit.drift(hissSource.playbackRate, 'hiss.rate', { low: 0.96, high: 1.04, gaps: [10, 30] });
	kit.drift(patterSource.playbackRate, 'patter.rate', { low: 1.02, high: 1.1, gaps: [10, 30] });
	kit.drift(bodySource.playbackRate, 'body.rate', { low: 0.95, high: 1.05, gaps: [10, 30] });
}

const BUILDERS: Record<SoundscapeId, (kit: Kit) => void> = {
	'warm-drone': warmDrone,
	'slow-pads': slowPads,
	bowls,
	sea,
	rain
};

class GenerativeSoundscape implements Soundscape {
	readonly #kit: Kit;
	readonly #level: number;
	#streams: CueStream[] = [];
	#interval: number | undefined;
	#started = false;
	#stopped = false;
	#disposed = false;

	constructor(kit: Kit, level: Decibels) {
		this.#kit = kit;
		this.#level = Math.pow(10, level / 20);
	}

	get output(): ToneNode {
		return this.#kit.output;
	}

	start(at: Seconds): void {
		if (this.#started || this.#stopped || this.#disposed) return;
		this.#started = true;
		const { context, output } = this.#kit;
		const time = Math.max(at, context.currentTime);
		output.gain.setValueAtTime(0, time);
		output.gain.linearRampToValueAtTime(this.#level, time + FADE_IN);
		for (const source of this.#kit.sources) source.start(time);
		this.#streams = this.#kit.plans.map((plan) => new CueStream(plan.cues, plan.params, time));
		for (const stream of this.#streams) stream.fill(time + HORIZON, Number.NEGATIVE_INFINITY);
		this.#interval = context.setInterval(() => this.#topUp(), CHECK_EVERY);
	}

	#topUp(): void {
		if (this.#stopped || this.#disposed) return;
		const now = this.#kit.context.currentTime;
		if (!this.#streams.some((stream) => stream.until < now + TOP_UP_BELOW)) return;
		// Anything due within a tenth of a second can no longer be placed cleanly; only a stalled page gets here.
		for (const stream of this.#streams) stream.fill(now + HORIZON, now + 0.1);
	}

	stop(at: Seconds, fade: Seconds = STOP_FADE): void {
		if (this.#stopped || this.#disposed) return;
		this.#stopped = true;
		this.#clearInterval();
		if (!this.#started) return;
		const { context, output } = this.#kit;
		const time = Math.max(at, context.currentTime);
		const end = time + Math.max(fade, 0.01);
		output.gain.cancelAndHoldAtTime(time);
		output.gain.linearRampToValueAtTime(0, end);
		for (const source of this.#kit.sources) source.stop(end + 0.05);
	}

	dispose(): void {
		if (this.#disposed) return;
		this.#disposed = true;
		this.#clearInterval();
		for (const node of this.#kit.owned) node.dispose();
		this.#kit.owned.length = 0;
		this.#streams = [];
	}

	#clearInterval(): void {
		if (this.#interval !== undefined) this.#kit.context.clearInterval(this.#interval);
		this.#interval = undefined;
	}
}

/**
 * Makes a generative soundscape in `context` (the music engine's, or an
 * offline one in tests). Nothing sounds until `start`; the same `id` and
 * `seed` always give the same music.
 *
 * @example
 * const scape = createSoundscape(tone, context, 'slow-pads', 7);
 * scape.output.connect(deckGain);
 * scape.start(context.currentTime + 0.1);
 * // when the phase moves on:
 * scape.stop(context.currentTime, 4);
 * context.setTimeout(() => scape.dispose(), 4.5);
 */
export function createSoundscape(tone: ToneLib, context: ToneContext, id: SoundscapeId, seed: number): Soundscape {
	const kit = new Kit(tone, context, seed);
	BUILDERS[id](kit);
	return new GenerativeSoundscape(kit, LEVELS[id]);
}
