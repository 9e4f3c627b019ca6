// @ts-check
// The composer: modal harmony (chord plans with voice leading), and the layers each phase
// recipe is built from — a warm low drone, slow pads, a high "shimmer" pad, sparse glassy
// tones, bowl-like tones, and sea or rain beds — mixed through a shared reverb.
// Everything is rendered offline into Float32Array buses at 44.1 kHz stereo.

import { Rng } from './prng.js';
import {
	SR,
	CTRL,
	SINE,
	addOscillator,
	arc,
	asr,
	brownNoise,
	controlLength,
	dbToGain,
	drift,
	harmonicTable,
	midiToHz,
	panGains,
	pinkNoise,
	reverb,
	svf
} from './dsp.js';
import { integratedLoudness } from './loudness.js';

/** @typedef {'arrival' | 'onset' | 'deepening' | 'return' | 'grounding'} Phase */
/** @typedef {'lydian' | 'mixolydian' | 'ionian'} ModeName */
/** @typedef {{ L: Float32Array; R: Float32Array }} Bus */

/**
 * @typedef {object} TrackSpec
 * @property {string} id stable id, also the random seed
 * @property {string} title
 * @property {string} mood
 * @property {Phase} phase
 * @property {number} seconds whole seconds
 * @property {number} tonic MIDI note of the drone root (e.g. 38 = D2)
 * @property {ModeName} mode
 * @property {'sea' | 'rain'} [bed] grounding only
 * @property {number} [brightness] multiplies pad cut-off frequencies (default 1)
 * @property {[number, number]} [chordSeconds] overrides the phase's chord-length range
 */

/**
 * @typedef {object} ChordShape
 * @property {string} name
 * @property {number[]} tones semitones above the tonic; the first ones are the essential ones
 * @property {number} weight
 * @property {boolean} [home] a tonic-family chord: the progression returns to these
 */

/** @type {Record<ModeName, { scale: number[]; chords: ChordShape[] }>} */
export const MODES = {
	// Lydian: the raised fourth appears as the major II chord over the tonic pedal.
	lydian: {
		scale: [0, 2, 4, 6, 7, 9, 11],
		chords: [
			{ name: 'I(add9)', tones: [0, 7, 4, 2], weight: 3, home: true },
			{ name: 'Isus2', tones: [0, 7, 2], weight: 2, home: true },
			{ name: 'Imaj7', tones: [0, 7, 4, 11], weight: 1.5, home: true },
			{ name: 'II', tones: [2, 9, 6], weight: 3 },
			{ name: 'V', tones: [7, 2, 11], weight: 1.5 },
			{ name: 'vi7', tones: [9, 4, 0, 7], weight: 1.5 },
			{ name: 'iii7', tones: [4, 11, 7, 2], weight: 1 }
		]
	},
	// Mixolydian: the flat seventh appears as the major bVII chord over the tonic pedal.
	mixolydian: {
		scale: [0, 2, 4, 5, 7, 9, 10],
		chords: [
			{ name: 'I(add9)', tones: [0, 7, 4, 2], weight: 3, home: true },
			{ name: 'Isus2', tones: [0, 7, 2], weight: 2, home: true },
			{ name: 'Isus4', tones: [0, 7, 5], weight: 1.5, home: true },
			{ name: 'bVII', tones: [10, 5, 2], weight: 3 },
			{ name: 'IV(add9)', tones: [5, 0, 9, 7], weight: 2.5 },
			{ name: 'v7', tones: [7, 2, 10, 5], weight: 1.5 },
			{ name: 'ii7', tones: [2, 9, 5, 0], weight: 1 }
		]
	},
	// Ionian kept to its gentlest chords (no dominant pull), for grounding.
	ionian: {
		scale: [0, 2, 4, 5, 7, 9, 11],
		chords: [
			{ name: 'I(add9)', tones: [0, 7, 4, 2], weight: 3, home: true },
			{ name: 'Isus2', tones: [0, 7, 2], weight: 2, home: true },
			{ name: 'IV(add9)', tones: [5, 0, 9, 7], weight: 2.5 },
			{ name: 'vi7', tones: [9, 4, 0, 7], weight: 1.5 },
			{ name: 'Vsus4', tones: [7, 2, 0], weight: 1 }
		]
	}
};

/** Major pentatonic: consonant in all three modes above. */
const PENTATONIC = [0, 2, 4, 7, 9];

/**
 * @typedef {object} Chord
 * @property {number} start seconds
 * @property {number} end seconds
 * @property {ChordShape} shape
 */

/**
 * A slow modal progression: starts and ends on a home chord, never repeats a chord
 * back to back, and drifts home often, so nothing feels like a modulation.
 * @param {Rng} rng
 * @param {ModeName} mode
 * @param {number} seconds
 * @param {[number, number]} range chord length in seconds
 * @returns {Chord[]}
 */
export function planChords(rng, mode, seconds, range) {
	const vocab = MODES[mode].chords;
	const homes = vocab.filter((c) => c.home);
	// Chord lengths: random within the range, then scaled together to fill `seconds`
	// exactly (dropping one if that would squeeze them below the range).
	/** @type {number[]} */
	const lengths = [];
	let sum = 0;
	while (sum < seconds) {
		const d = rng.range(range[0], range[1]);
		lengths.push(d);
		sum += d;
	}
	if (lengths.length > 1 && (sum * 1) / seconds > range[1] / ((range[0] + range[1]) / 2)) {
		sum -= lengths.pop() ?? 0;
	}
	const scale = seconds / sum;
	/** @type {Chord[]} */
	const chords = [];
	let t = 0;
	/** @type {ChordShape | null} */
	let prev = null;
	for (const [i, length] of lengths.entries()) {
		/** @type {ChordShape} */
		let shape;
		const last = i === lengths.length - 1;
		if (!prev) shape = rng.weighted(homes, [3, 1, 1].slice(0, homes.length));
		else if (last || (!prev.home && rng.chance(0.45))) {
			// Return home; the last chord always does, so the piece ends at rest.
			shape = rng.weighted(
				homes.filter((c) => c !== prev),
				homes.filter((c) => c !== prev).map((c) => c.weight)
			);
		} else {
			const options = vocab.filter((c) => c !== prev);
			shape = rng.weighted(
				options,
				options.map((c) => c.weight)
			);
		}
		const d = length * scale;
		chords.push({ start: t, end: t + d, shape });
		prev = shape;
		t += d;
	}
	return chords;
}

/**
 * Chooses `count` MIDI notes for a chord inside [lo, hi] that cover its essential tones and
 * move as little as possible from the previous voicing (smooth voice leading), with no
 * semitone clusters and no seconds low down.
 * @param {Rng} rng
 * @param {number[]} pcs pitch classes (0–11), essential first
 * @param {number[] | null} prev previous voicing, ascending
 * @param {number} count
 * @param {number} lo
 * @param {number} hi
 */
export function voiceChord(rng, pcs, prev, count, lo, hi) {
	// If the register cannot hold every essential tone without a semitone cluster, the
	// last essential tone (a colour tone) becomes optional.
	for (let need = Math.min(count, pcs.length); need >= 1; need--) {
		const voicing = voiceWith(rng, pcs, pcs.slice(0, need), prev, count, lo, hi);
		if (voicing) return voicing;
	}
	throw new Error(`no voicing for ${pcs.join(',')} in ${lo}–${hi}`);
}

/**
 * @param {Rng} rng
 * @param {number[]} pcs
 * @param {number[]} essential
 * @param {number[] | null} prev
 * @param {number} count
 * @param {number} lo
 * @param {number} hi
 * @returns {number[] | null}
 */
function voiceWith(rng, pcs, essential, prev, count, lo, hi) {
	/** @type {number[]} */
	const candidates = [];
	for (let m = lo; m <= hi; m++) if (pcs.includes(((m % 12) + 12) % 12)) candidates.push(m);
	const target =
		prev && prev.length === count
			? prev
			: Array.from({ length: count }, (_, i) => lo + ((hi - lo) * (i + 0.5)) / count);
	/** @type {number[] | null} */
	let best = null;
	let bestCost = Infinity;
	/** @type {number[]} */
	const pick = [];
	/** @param {number} from */
	const search = (from) => {
		if (pick.length === count) {
			const covered = essential.every((pc) => pick.some((m) => ((m % 12) + 12) % 12 === pc));
			if (!covered) return;
			let cost = 0;
			for (let i = 0; i < count; i++) cost += Math.abs((pick[i] ?? 0) - (target[i] ?? 0));
			for (let i = 1; i < count; i++) {
				const gap = (pick[i] ?? 0) - (pick[i - 1] ?? 0);
				if (gap === 2) cost += (pick[i - 1] ?? 0) < 60 ? 4 : 1;
				if (gap > 12) cost += gap - 12;
			}
			cost += rng.range(0, 0.6);
			if (cost < bestCost) {
				bestCost = cost;
				best = pick.slice();
			}
			return;
		}
		for (let c = from; c < candidates.length; c++) {
			const m = /** @type {number} */ (candidates[c]);
			const below = pick[pick.length - 1];
			if (below !== undefined) {
				const gap = m - below;
				if (gap < 2 || (gap < 3 && below < 57)) continue;
			}
			pick.push(m);
			search(c + 1);
			pick.pop();
		}
	};
	search(0);
	return best;
}

/** Amplitude laws of the harmonic timbres (partial n → amplitude). */
/** @type {Record<string, { amp: (n: number) => number; maxHz: number }>} */
const TIMBRES = {
	// A soft, slightly hollow saw: the body of the pads.
	pad: { amp: (n) => Math.pow(n, -1.25) * (n % 2 ? 1 : 0.75), maxHz: 5200 },
	// Very warm: the drone.
	drone: { amp: (n) => Math.pow(n, -1.7), maxHz: 2400 },
	// Flute/organ-like, few partials: the high shimmer.
	soft: { amp: (n) => [0, 1, 0.28, 0.1, 0.04, 0.02][n] ?? 0, maxHz: 5000 },
	// Glassy tones: mostly fundamental.
	glass: { amp: (n) => [0, 1, 0.16, 0.06, 0.025][n] ?? 0, maxHz: 5500 }
};

/** @param {string} name */
function timbre(name) {
	const t = TIMBRES[name];
	if (!t) throw new Error(`unknown timbre ${name}`);
	return t;
}

/**
 * @typedef {object} Voice
 * @property {number} start seconds
 * @property {number} hold seconds from start at which the release begins
 * @property {number} attack
 * @property {number} release
 * @property {number} midi
 * @property {number} gain linear
 * @property {number} pan position in units of the layer's width, −1…1
 * @property {number} [decay] if set, the release is an exponential decay with this time
 *   constant (a struck tone), eased to silence over its last fifth
 */

/**
 * Envelope of a struck tone: sin² rise, exponential decay, eased to zero by `length`.
 * @param {number} t
 * @param {number} attack
 * @param {number} tau
 * @param {number} length time after the attack until silence
 */
function struck(t, attack, tau, length) {
	if (t <= 0) return 0;
	if (t < attack) return Math.sin((Math.PI / 2) * (t / attack)) ** 2;
	const x = t - attack;
	if (x >= length) return 0;
	const tailStart = length * 0.8;
	const tail = x <= tailStart ? 1 : Math.cos((Math.PI / 2) * ((x - tailStart) / (length - tailStart))) ** 2;
	return Math.exp(-x / tau) * tail;
}

/** Rendering context of one track. */
class Mix {
	/**
	 * @param {TrackSpec} spec
	 * @param {boolean} debug
	 */
	constructor(spec, debug) {
		this.spec = spec;
		this.seconds = spec.seconds;
		this.n = spec.seconds * SR;
		this.rng = new Rng(spec.id);
		/** @param {number} n */
		const bus = (n) => ({ L: new Float32Array(n), R: new Float32Array(n) });
		this.dry = bus(this.n);
		this.send = bus(this.n);
		this.scratch = bus(this.n);
		this.debug = debug;
		/** @type {{ layer: string; lufs: number }[]} */
		this.report = [];
	}

	/**
	 * Adds the scratch bus into the dry mix (at `gainDb`) and the reverb send, then clears it.
	 * @param {string} name
	 * @param {number} gainDb
	 * @param {number} send 0…1 of the layer into the reverb
	 */
	commit(name, gainDb, send) {
		const g = dbToGain(gainDb);
		const { L, R } = this.scratch;
		for (let i = 0; i < this.n; i++) {
			const l = (L[i] ?? 0) * g;
			const r = (R[i] ?? 0) * g;
			this.dry.L[i] = (this.dry.L[i] ?? 0) + l;
			this.dry.R[i] = (this.dry.R[i] ?? 0) + r;
			this.send.L[i] = (this.send.L[i] ?? 0) + l * send;
			this.send.R[i] = (this.send.R[i] ?? 0) + r * send;
			L[i] = l;
			R[i] = r;
		}
		if (this.debug) this.report.push({ layer: name, lufs: integratedLoudness([L, R], SR) });
		L.fill(0);
		R.fill(0);
	}
}

/**
 * Renders voices (one note each: several slightly detuned oscillators, spread in the
 * stereo field) into the scratch bus.
 * @param {Mix} mix
 * @param {Voice[]} voices
 * @param {object} o
 * @param {string} o.timbre
 * @param {number} o.detuneCents spread of the outer oscillators
 * @param {number} o.oscillators 1–3
 * @param {number} o.spread pan offset of the outer oscillators
 * @param {(x: number) => number} o.width layer width vs track position x ∈ [0, 1]
 * @param {(x: number) => number} o.level layer gain vs track position
 * @param {number} o.panDrift how far each voice's pan wanders (0…1)
 * @param {number} o.swell depth of each voice's slow amplitude swell (0…1)
 * @param {Rng} rng
 */
function renderVoices(mix, voices, o, rng) {
	const t = timbre(o.timbre);
	// Three oscillators: the main one, and two quieter copies slightly sharp and flat (by
	// unequal amounts) that lack the fundamental: the upper partials shimmer, irregularly,
	// while the note's level stays steady instead of pulsing.
	const weights = o.oscillators === 3 ? [0.6, 1, 0.6] : [1, 1];
	const firstPartial = o.oscillators === 3 ? [2, 1, 2] : [1, 1];
	const offsets = o.oscillators === 1 ? [0] : o.oscillators === 2 ? [-o.spread, o.spread] : [-o.spread, 0, o.spread];
	const norm = o.oscillators === 3 ? 0.85 : 1 / Math.sqrt(o.oscillators);
	for (const v of voices) {
		const d = o.detuneCents;
		const cents =
			o.oscillators === 1
				? [0]
				: o.oscillators === 2
					? [-d * rng.range(0.6, 1), d * rng.range(0.6, 1)]
					: [-d * rng.range(0.6, 1), 0, d * rng.range(0.6, 1)];
		const startS = Math.round(v.start * SR);
		const n = Math.ceil((v.hold + v.release) * SR);
		const nc = controlLength(n);
		const swell = drift(rng, 14, 45);
		const wander = drift(rng, 20, 60);
		const env = new Float32Array(nc);
		const pan = new Float32Array(nc);
		for (let k = 0; k < nc; k++) {
			const tl = (k * CTRL) / SR;
			const ta = v.start + tl;
			const x = ta / mix.seconds;
			const shape =
				v.decay === undefined ? asr(tl, v.attack, v.hold, v.release) : struck(tl, v.attack, v.decay, v.release);
			env[k] = shape * v.gain * o.level(x) * (1 + o.swell * swell(ta));
			pan[k] = (v.pan + o.panDrift * wander(ta)) * o.width(x);
		}
		const f0 = midiToHz(v.midi);
		const gL = new Float32Array(nc);
		const gR = new Float32Array(nc);
		for (let j = 0; j < cents.length; j++) {
			const f = f0 * Math.pow(2, (cents[j] ?? 0) / 1200);
			const table = harmonicTable(o.timbre, t.amp, f0, t.maxHz, firstPartial[j] ?? 1);
			const w = (weights[j] ?? 1) * norm;
			const off = offsets[j] ?? 0;
			for (let k = 0; k < nc; k++) {
				const [cl, cr] = panGains((pan[k] ?? 0) + off);
				const e = (env[k] ?? 0) * w;
				gL[k] = e * cl;
				gR[k] = e * cr;
			}
			addOscillator(mix.scratch.L, mix.scratch.R, startS, n, table, f, rng.next(), gL, gR);
		}
	}
}

/**
 * @typedef {object} PadOptions
 * @property {number} voices notes per chord
 * @property {number} lo lowest MIDI note
 * @property {number} hi highest MIDI note
 * @property {[number, number]} attack seconds
 * @property {[number, number]} release seconds
 * @property {string} timbre
 * @property {number} detuneCents
 * @property {number} spread
 * @property {(x: number) => number} width
 * @property {(x: number) => number} level
 * @property {number} panDrift
 * @property {number} swell
 * @property {(t: number) => number} cutoff Hz vs time
 * @property {number} gainDb
 * @property {number} send
 * @property {number} [transpose] semitones added to the chord (e.g. 12 for shimmer)
 */

/**
 * A pad following the chord plan. Notes shared by consecutive chords are held through
 * the change; the others cross-fade with staggered, slow attacks and releases.
 * @param {Mix} mix
 * @param {string} name
 * @param {Chord[]} chords
 * @param {PadOptions} o
 */
function padLayer(mix, name, chords, o) {
	const rng = mix.rng.fork(name);
	const tonicPc = mix.spec.tonic % 12;
	/** @type {Voice[]} */
	const voices = [];
	/** @type {Map<number, Voice>} */
	const active = new Map();
	/** @type {number[] | null} */
	let prev = null;
	const endAt = mix.seconds - 9;
	for (const chord of chords) {
		const pcs = chord.shape.tones.map((s) => (tonicPc + s + (o.transpose ?? 0)) % 12);
		const voicing = voiceChord(rng, pcs, prev, o.voices, o.lo, o.hi);
		prev = voicing;
		const T = chord.start;
		for (const [midi, v] of active) {
			if (!voicing.includes(midi)) {
				v.hold = Math.max(v.attack, T + rng.range(0, 2) - v.start);
				active.delete(midi);
			}
		}
		voicing.forEach((midi, i) => {
			if (active.has(midi)) return;
			const attack = rng.range(o.attack[0], o.attack[1]);
			const start = Math.max(0, T - attack * 0.35 + rng.range(0, 2.5));
			// Lower notes a little stronger: warmth.
			const gain = dbToGain(-0.15 * (midi - o.lo)) / Math.sqrt(o.voices);
			const unit = o.voices === 1 ? 0 : (i % 2 ? -1 : 1) * (Math.ceil(i / 2) / Math.ceil((o.voices - 1) / 2));
			const v = {
				start,
				hold: 0,
				attack,
				release: rng.range(o.release[0], o.release[1]),
				midi,
				gain,
				pan: unit * rng.range(0.7, 1)
			};
			voices.push(v);
			active.set(midi, v);
		});
	}
	for (const v of active.values()) {
		v.hold = Math.max(v.attack, endAt - v.start - rng.range(0, 2));
		v.release = Math.max(2, Math.min(v.release, mix.seconds - 0.5 - (v.start + v.hold)));
	}
	// The whole layer breathes together too, over tens of seconds.
	const breath = drift(rng, 20, 60);
	const level = (/** @type {number} */ x) => o.level(x) * (1 + 0.4 * breath(x * mix.seconds));
	renderVoices(mix, voices, { ...o, level, oscillators: 3 }, rng);
	svf(mix.scratch.L, mix.scratch.R, o.cutoff, 0.7);
	mix.commit(name, o.gainDb, o.send);
}

/**
 * @typedef {object} DroneOptions
 * @property {{ offset: number; db: number }[]} notes semitones above the tonic, level
 * @property {(t: number) => number} cutoff
 * @property {number} gainDb
 * @property {number} send
 * @property {number} [width]
 */

/**
 * A continuous low drone (tonic, fifth, octave…), one steady oscillator per note, each
 * breathing slowly on its own. Equal temperament like everything else: a pad note on the
 * same pitch then locks to it instead of beating slowly against a just-tuned drone.
 * @param {Mix} mix
 * @param {DroneOptions} o
 */
function droneLayer(mix, o) {
	const rng = mix.rng.fork('drone');
	const width = o.width ?? 0.3;
	/** @type {Voice[]} */
	const voices = o.notes.map((note, i) => ({
		start: rng.range(0, 1.5) + i * 1.5,
		hold: 0,
		attack: rng.range(7, 10),
		release: rng.range(9, 11),
		midi: mix.spec.tonic + note.offset,
		gain: dbToGain(note.db),
		pan: i === 0 ? 0 : i % 2 ? -1 : 1
	}));
	for (const v of voices) v.hold = mix.seconds - v.start - v.release - rng.range(1, 3);
	const breath = drift(rng, 25, 60);
	renderVoices(
		mix,
		voices,
		{
			timbre: 'drone',
			detuneCents: 0,
			oscillators: 1,
			spread: 0.15,
			width: () => width,
			level: (x) => 1 + 0.3 * breath(x * mix.seconds),
			panDrift: 0.3,
			swell: 0.3
		},
		rng
	);
	svf(mix.scratch.L, mix.scratch.R, o.cutoff, 0.6);
	mix.commit('drone', o.gainDb, o.send);
}

/**
 * @typedef {object} ToneOptions
 * @property {number} lo
 * @property {number} hi
 * @property {[number, number]} gap seconds between tones
 * @property {[number, number]} attack
 * @property {[number, number]} decay time constant, seconds
 * @property {(x: number) => number} level 0 silences the layer at that position
 * @property {number} width
 * @property {number} gainDb
 * @property {number} send
 */

/**
 * Sparse glassy tones drawn from the current chord (plus the pentatonic ninth), moving
 * mostly by small steps: a slow, wandering line, never a rhythm.
 * @param {Mix} mix
 * @param {Chord[]} chords
 * @param {ToneOptions} o
 */
function tonesLayer(mix, chords, o) {
	const rng = mix.rng.fork('tones');
	const tonicPc = mix.spec.tonic % 12;
	/** @type {Voice[]} */
	const voices = [];
	let t = rng.range(6, 12);
	let last = Math.round((o.lo + o.hi) / 2);
	while (t < mix.seconds - 16) {
		const x = t / mix.seconds;
		const level = o.level(x);
		if (level > 0.02) {
			const chord = chords.find((c) => t >= c.start && t < c.end) ?? chords[0];
			const tones = new Set((chord?.shape.tones ?? [0, 7]).map((s) => (s + tonicPc) % 12));
			tones.add((2 + tonicPc) % 12);
			/** @type {number[]} */
			const options = [];
			for (let m = o.lo; m <= o.hi; m++) {
				const pc = m % 12;
				if (!tones.has(pc) || m === last) continue;
				if (!PENTATONIC.includes((pc - tonicPc + 12) % 12) && !chord?.shape.tones.includes((pc - tonicPc + 12) % 12))
					continue;
				options.push(m);
			}
			const near = options.filter((m) => Math.abs(m - last) <= 5);
			const midi = rng.pick(near.length > 0 && rng.chance(0.8) ? near : options);
			last = midi;
			const decay = rng.range(o.decay[0], o.decay[1]);
			const attack = rng.range(o.attack[0], o.attack[1]);
			voices.push({
				start: t,
				hold: attack,
				attack,
				release: decay * 5,
				decay,
				midi,
				gain: level * rng.range(0.6, 1) * dbToGain(-0.2 * (midi - o.lo)),
				pan: rng.range(-1, 1)
			});
		}
		t += rng.range(o.gap[0], o.gap[1]);
	}
	renderVoices(
		mix,
		voices,
		{
			timbre: 'glass',
			detuneCents: 1.5,
			oscillators: 2,
			spread: 0.1,
			width: () => o.width,
			level: () => 1,
			panDrift: 0.1,
			swell: 0
		},
		rng
	);
	svf(mix.scratch.L, mix.scratch.R, () => 4200, 0.6);
	mix.commit('tones', o.gainDb, o.send);
}

/**
 * @typedef {object} BowlOptions
 * @property {number} lo
 * @property {number} hi
 * @property {[number, number]} gap seconds between strikes
 * @property {[number, number]} attack seconds (soft mallet: ≥ 0.06)
 * @property {number} gainDb
 * @property {number} send
 */

/**
 * Singing-bowl-like tones: inharmonic partials (about 1 : 2.7 : 5.1 : 8), each a pair of
 * sines a fraction of a hertz apart (the slow "wah" of a real bowl), a soft-mallet attack
 * and long decays, higher partials fading sooner. Pitches from the major pentatonic.
 * @param {Mix} mix
 * @param {BowlOptions} o
 */
function bowlsLayer(mix, o) {
	const rng = mix.rng.fork('bowls');
	const tonicPc = mix.spec.tonic % 12;
	/** @type {number[]} */
	const pitches = [];
	for (let m = o.lo; m <= o.hi; m++) if (PENTATONIC.includes((m - tonicPc + 120) % 12)) pitches.push(m);
	const ratios = [1, 2.71, 5.12, 8.05];
	const amps = [1, 0.42, 0.2, 0.07];
	const taus = [8.5, 5, 3, 1.7];
	let t = rng.range(5, 8);
	let last = -1;
	const { L, R } = mix.scratch;
	while (t < mix.seconds - 20) {
		const midi = rng.pick(pitches.filter((m) => m !== last));
		last = midi;
		const f0 = midiToHz(midi);
		const attack = rng.range(o.attack[0], o.attack[1]);
		const strength = rng.range(0.65, 1);
		const pan = rng.range(-0.35, 0.35);
		const length = Math.min(32, mix.seconds - 6 - t);
		const start = Math.round(t * SR);
		const n = Math.round(length * SR);
		const nc = controlLength(n);
		const gL = new Float32Array(nc);
		const gR = new Float32Array(nc);
		for (let p = 0; p < ratios.length; p++) {
			const ratio = (ratios[p] ?? 1) * (p === 0 ? 1 : 1 + rng.range(-0.012, 0.012));
			const f = f0 * ratio;
			const beat = p === 0 ? rng.range(0.35, 0.9) : rng.range(0.8, 2.2);
			for (const [side, share] of /** @type {[number, number][]} */ ([
				[-1, 0.72],
				[1, 0.28]
			])) {
				const [cl, cr] = panGains(pan + side * 0.12);
				const a = (amps[p] ?? 0) * share * strength;
				const tau = (taus[p] ?? 1) * rng.range(0.9, 1.1);
				for (let k = 0; k < nc; k++) {
					const tl = (k * CTRL) / SR;
					const rise = tl < attack ? Math.sin((Math.PI / 2) * (tl / attack)) ** 2 : 1;
					const tail = length - tl < 4 ? Math.sin((Math.PI / 2) * Math.max(0, (length - tl) / 4)) ** 2 : 1;
					const e = a * rise * tail * Math.exp(-Math.max(0, tl - attack) / tau);
					gL[k] = e * cl;
					gR[k] = e * cr;
				}
				addOscillator(L, R, start, n, SINE, f + (side * beat) / 2, rng.next(), gL, gR);
			}
		}
		t += rng.range(o.gap[0], o.gap[1]);
	}
	svf(L, R, () => 5000, 0.6);
	mix.commit('bowls', o.gainDb, o.send);
}

/**
 * Multiplies a bus by a control-rate gain curve per channel.
 * @param {Float32Array} x
 * @param {(t: number) => number} gainAt
 */
function applyGain(x, gainAt) {
	const n = x.length;
	let g0 = gainAt(0);
	for (let s = 0; s < n; s += CTRL) {
		const g1 = gainAt((s + CTRL) / SR);
		const d = (g1 - g0) / CTRL;
		const end = Math.min(s + CTRL, n);
		let g = g0;
		for (let i = s; i < end; i++) {
			x[i] = (x[i] ?? 0) * g;
			g += d;
		}
		g0 = g1;
	}
}

/**
 * Distant surf: pink noise whose level and low-pass cut-off rise and fall with irregular
 * swells 6–12 s apart (a wave gathering, breaking softly, drawing back), each channel with
 * its own timing, plus a faint wash of higher noise at the crest of each wave.
 * @param {Mix} mix
 * @param {number} gainDb
 * @param {number} send
 */
function seaLayer(mix, gainDb, send) {
	const rng = mix.rng.fork('sea');
	/** @type {{ t: number; rise: number; fall: number; h: number; pan: number }[]} */
	const swells = [];
	for (let t = rng.range(0, 3); t < mix.seconds + 10; t += rng.range(6, 12)) {
		swells.push({
			t,
			rise: rng.range(2.5, 4.5),
			fall: rng.range(4.5, 8),
			h: rng.range(0.55, 1),
			pan: rng.range(-0.6, 0.6)
		});
	}
	/**
	 * @param {number} t
	 * @param {number} side -1 left, 1 right
	 */
	const wave = (t, side) => {
		let sum = 0;
		for (const s of swells) {
			const x = t - s.t;
			if (x < 0 || x > s.rise + s.fall) continue;
			const shape =
				x < s.rise
					? Math.sin((Math.PI / 2) * (x / s.rise)) ** 2
					: Math.cos((Math.PI / 2) * ((x - s.rise) / s.fall)) ** 2;
			sum += s.h * shape * (1 + side * s.pan * 0.6);
		}
		return Math.min(1.2, sum);
	};
	const { L, R } = mix.scratch;
	const randL = rng.fork('left');
	const randR = rng.fork('right');
	const tmp = new Float32Array(mix.n);
	for (const [x, side, r] of /** @type {[Float32Array, number, Rng][]} */ ([
		[L, -1, randL],
		[R, 1, randR]
	])) {
		pinkNoise(x, r.next);
		svfMono(x, (t) => 220 + 1500 * Math.pow(wave(t, side), 1.6), 0.6);
		applyGain(x, (t) => 0.28 + 0.72 * wave(t, side));
		// The wash: higher, quieter noise at the crest.
		pinkNoise(tmp, r.next);
		svfMono(tmp, () => 2600, 0.5, 'band');
		applyGain(tmp, (t) => 0.22 * Math.pow(wave(t, side), 3));
		for (let i = 0; i < mix.n; i++) x[i] = (x[i] ?? 0) + (tmp[i] ?? 0);
	}
	svf(L, R, () => 40, 0.7, 'high');
	mix.commit('sea', gainDb, send);
}

/**
 * Steady soft rain: band-limited pink noise that swells a little over tens of seconds,
 * a low rumble of distant rain, and a dense patter of tiny, quiet drops (too small and
 * too many to be heard as onsets).
 * @param {Mix} mix
 * @param {number} gainDb
 * @param {number} send
 */
function rainLayer(mix, gainDb, send) {
	const rng = mix.rng.fork('rain');
	const { L, R } = mix.scratch;
	const tmp = new Float32Array(mix.n);
	const levelL = drift(rng, 15, 50);
	const levelR = drift(rng, 15, 50);
	for (const [x, lvl, r] of /** @type {[Float32Array, (t: number) => number, Rng][]} */ ([
		[L, levelL, rng.fork('l')],
		[R, levelR, rng.fork('r')]
	])) {
		pinkNoise(x, r.next);
		svfMono(x, () => 450, 0.6, 'high');
		svfMono(x, () => 4200, 0.6);
		applyGain(x, (t) => 0.5 * (1 + 0.3 * lvl(t)));
		brownNoise(tmp, r.next);
		svfMono(tmp, () => 260, 0.6);
		applyGain(tmp, (t) => 0.45 * (1 + 0.3 * lvl(t + 7)));
		for (let i = 0; i < mix.n; i++) x[i] = (x[i] ?? 0) + (tmp[i] ?? 0);
	}
	// Drops: short decaying sines with a soft 2 ms rise, ~45 a second.
	const density = 45;
	const count = Math.floor(mix.seconds * density);
	for (let d = 0; d < count; d++) {
		const t = rng.range(0, mix.seconds - 0.1);
		const f = rng.range(1400, 3800);
		const tau = rng.range(0.003, 0.009);
		const amp = 0.05 * -Math.log(1 - rng.next() * 0.999) * (1 + 0.3 * levelL(t));
		const [cl, cr] = panGains(rng.range(-0.9, 0.9));
		const start = Math.round(t * SR);
		const len = Math.min(Math.round(tau * 6 * SR), mix.n - start);
		const rise = 0.002 * SR;
		const w = (2 * Math.PI * f) / SR;
		const decay = Math.exp(-1 / (tau * SR));
		let env = amp;
		const c = 2 * Math.cos(w);
		let s1 = 0;
		let s2 = 0;
		for (let i = 0; i < len; i++) {
			// Sine by recurrence: s[n] = 2cos(w)·s[n−1] − s[n−2], seeded with sin(w).
			const s0 = i === 0 ? 0 : i === 1 ? Math.sin(w) : c * s1 - s2;
			s2 = s1;
			s1 = s0;
			const a = i < rise ? Math.sin((Math.PI / 2) * (i / rise)) ** 2 : 1;
			const v = s0 * env * a;
			env *= decay;
			L[start + i] = (L[start + i] ?? 0) + v * cl;
			R[start + i] = (R[start + i] ?? 0) + v * cr;
		}
	}
	svf(L, R, () => 30, 0.7, 'high');
	mix.commit('rain', gainDb, send);
}

/**
 * Mono TPT state-variable filter, in place, cut-off updated per control block.
 * @param {Float32Array} x
 * @param {(t: number) => number} cutoffAt
 * @param {number} q
 * @param {'low' | 'high' | 'band'} [mode]
 */
function svfMono(x, cutoffAt, q, mode = 'low') {
	const n = x.length;
	const k = 1 / q;
	let s1 = 0,
		s2 = 0;
	for (let s = 0; s < n; s += CTRL) {
		const g = Math.tan((Math.PI * Math.min(cutoffAt(s / SR), SR * 0.45)) / SR);
		const a1 = 1 / (1 + g * (g + k));
		const a2 = g * a1;
		const a3 = g * a2;
		const end = Math.min(s + CTRL, n);
		for (let i = s; i < end; i++) {
			const v0 = x[i] ?? 0;
			const v3 = v0 - s2;
			const v1 = a1 * s1 + a2 * v3;
			const v2 = s2 + a2 * s1 + a3 * v3;
			s1 = 2 * v1 - s1;
			s2 = 2 * v2 - s2;
			x[i] = mode === 'low' ? v2 : mode === 'high' ? v0 - k * v1 - v2 : v1;
		}
	}
}

/**
 * Everything a phase recipe decides.
 * @typedef {object} Recipe
 * @property {[number, number]} chordSeconds
 * @property {DroneOptions} drone
 * @property {Omit<PadOptions, 'cutoff'> & { cutoff: (x: number) => number }} pad cut-off vs track position
 * @property {(Omit<PadOptions, 'cutoff'> & { cutoff: (x: number) => number }) | null} shimmer
 * @property {ToneOptions | null} tones
 * @property {BowlOptions | null} bowls
 * @property {{ kind: 'sea' | 'rain'; gainDb: number; send: number } | null} bed
 * @property {import('./dsp.js').ReverbOptions & { returnDb: number }} reverb
 */

/**
 * The per-phase recipes of MUSIC-NOTES.md: arrival sparse, warm and low; onset slowly
 * widening; deepening richest and widest, moving but beat-less; return thinning, warmer and
 * lower; grounding simple, close and present (bowls over sea or rain).
 * @param {TrackSpec} spec
 * @param {Rng} rng
 * @returns {Recipe}
 */
export function recipeFor(spec, rng) {
	const bright = spec.brightness ?? 1;
	const breathe = drift(rng, 25, 60);
	/** @param {(x: number) => number} base */
	const breathing = (base) => (/** @type {number} */ x) =>
		base(x) * bright * Math.pow(2, 0.35 * breathe(x * spec.seconds));
	const flat = (/** @type {number} */ v) => () => v;
	const pad = {
		voices: 3,
		lo: 50,
		hi: 67,
		attack: /** @type {[number, number]} */ ([4, 7]),
		release: /** @type {[number, number]} */ ([6, 9]),
		timbre: 'pad',
		detuneCents: 4,
		spread: 0.12,
		width: flat(0.5),
		level: flat(1),
		panDrift: 0.15,
		swell: 0.25,
		cutoff: breathing(flat(1400)),
		gainDb: 0,
		send: 0.5
	};
	const drone = {
		notes: [
			{ offset: 0, db: 0 },
			{ offset: 7, db: -3 },
			{ offset: 12, db: -9 }
		],
		cutoff: (/** @type {number} */ t) => 650 * Math.pow(2, 0.5 * breathe(t + 40)),
		gainDb: -3,
		send: 0.3
	};
	const reverbBase = { rt60: 5.5, size: 1.2, dampHz: 4000, preDelayMs: 25, width: 1, returnDb: 3, seed: spec.id };
	switch (spec.phase) {
		case 'arrival':
			return {
				chordSeconds: spec.chordSeconds ?? [20, 30],
				drone: { ...drone, gainDb: -2 },
				pad: {
					...pad,
					level: arc([
						[0, 0.75],
						[0.3, 1],
						[0.85, 1],
						[1, 0.8]
					]),
					gainDb: 0
				},
				shimmer: null,
				tones: null,
				bowls: null,
				bed: null,
				reverb: reverbBase
			};
		case 'onset':
			return {
				chordSeconds: spec.chordSeconds ?? [14, 24],
				drone: { ...drone, gainDb: -3 },
				pad: {
					...pad,
					voices: 4,
					lo: 52,
					hi: 72,
					width: arc([
						[0, 0.25],
						[1, 0.85]
					]),
					cutoff: breathing(
						arc([
							[0, 1300],
							[1, 2500]
						])
					),
					gainDb: 0
				},
				shimmer: {
					...pad,
					voices: 2,
					lo: 74,
					hi: 86,
					timbre: 'soft',
					attack: [7, 10],
					release: [8, 11],
					width: arc([
						[0, 0.4],
						[1, 1]
					]),
					level: arc([
						[0, 0],
						[0.35, 0],
						[0.8, 1]
					]),
					panDrift: 0.5,
					swell: 0.4,
					cutoff: flat(4500),
					gainDb: -8,
					send: 0.8
				},
				tones: {
					lo: 69,
					hi: 83,
					gap: [7, 15],
					attack: [0.12, 0.3],
					decay: [1.6, 2.6],
					level: arc([
						[0, 0],
						[0.22, 0],
						[0.4, 1]
					]),
					width: 0.6,
					gainDb: -3,
					send: 0.7
				},
				bowls: null,
				bed: null,
				reverb: { ...reverbBase, rt60: 6, returnDb: 4 }
			};
		case 'deepening':
			return {
				chordSeconds: spec.chordSeconds ?? [10, 18],
				drone: { ...drone, gainDb: -7, width: 0.5 },
				pad: {
					...pad,
					voices: 5,
					lo: 50,
					hi: 79,
					width: flat(0.85),
					panDrift: 0.35,
					swell: 0.35,
					cutoff: breathing(flat(2600)),
					gainDb: 0,
					send: 0.6
				},
				shimmer: {
					...pad,
					voices: 3,
					lo: 74,
					hi: 89,
					timbre: 'soft',
					attack: [6, 9],
					release: [8, 11],
					width: flat(1),
					level: arc([
						[0, 0.5],
						[0.3, 1],
						[0.85, 1],
						[1, 0.7]
					]),
					panDrift: 0.7,
					swell: 0.5,
					cutoff: flat(5000),
					gainDb: -5,
					send: 0.85
				},
				tones: {
					lo: 67,
					hi: 86,
					gap: [4, 10],
					attack: [0.12, 0.3],
					decay: [1.8, 3],
					level: arc([
						[0, 0.4],
						[0.2, 1],
						[0.9, 1],
						[1, 0.3]
					]),
					width: 0.9,
					gainDb: -2,
					send: 0.75
				},
				bowls: null,
				bed: null,
				reverb: { ...reverbBase, rt60: 7.5, size: 1.45, dampHz: 4500, preDelayMs: 35, width: 1.25, returnDb: -1 }
			};
		case 'return':
			return {
				chordSeconds: spec.chordSeconds ?? [18, 28],
				drone: {
					...drone,
					notes: [
						{ offset: 0, db: 0 },
						{ offset: 7, db: -4 },
						{ offset: 12, db: -12 }
					],
					gainDb: -2
				},
				pad: {
					...pad,
					voices: 3,
					lo: 45,
					hi: 64,
					width: arc([
						[0, 0.6],
						[1, 0.3]
					]),
					level: arc([
						[0, 1],
						[0.6, 0.9],
						[1, 0.8]
					]),
					cutoff: breathing(
						arc([
							[0, 1800],
							[1, 950]
						])
					),
					gainDb: -1
				},
				shimmer: null,
				tones: {
					lo: 62,
					hi: 76,
					gap: [9, 17],
					attack: [0.2, 0.4],
					decay: [1.8, 2.8],
					level: arc([
						[0, 1],
						[0.5, 0.6],
						[0.7, 0]
					]),
					width: 0.5,
					gainDb: -2,
					send: 0.6
				},
				bowls: null,
				bed: null,
				reverb: { ...reverbBase, rt60: 5, dampHz: 3000, returnDb: 4 }
			};
		case 'grounding':
			return {
				chordSeconds: spec.chordSeconds ?? [22, 30],
				drone: { ...drone, notes: drone.notes.slice(0, 2), gainDb: -17 },
				pad: {
					...pad,
					voices: 2,
					lo: 55,
					hi: 67,
					timbre: 'soft',
					width: flat(0.3),
					cutoff: breathing(flat(1100)),
					gainDb: -18,
					send: 0.35
				},
				shimmer: null,
				tones: null,
				bowls: { lo: 55, hi: 69, gap: [10, 22], attack: [0.14, 0.25], gainDb: 2, send: 0.3 },
				bed: { kind: spec.bed ?? 'sea', gainDb: spec.bed === 'rain' ? -3 : 0, send: 0.1 },
				reverb: { ...reverbBase, rt60: 2.8, size: 0.8, dampHz: 5000, preDelayMs: 12, width: 0.9, returnDb: -4 }
			};
	}
}

/**
 * Composes and renders one track (before fades and loudness normalisation).
 * @param {TrackSpec} spec
 * @param {{ debug?: boolean; only?: string[] }} [options] `only` renders just the named
 *   layers (drone, pad, shimmer, tones, bowls, bed), for analysis
 * @returns {{ L: Float32Array; R: Float32Array; report: { layer: string; lufs: number }[] }}
 */
export function composeTrack(spec, options = {}) {
	const only = options.only ?? null;
	/** @param {string} layer */
	const wanted = (layer) => !only || only.includes(layer);
	const mix = new Mix(spec, options.debug ?? false);
	const recipe = recipeFor(spec, mix.rng.fork('recipe'));
	const chords = planChords(mix.rng.fork('chords'), spec.mode, spec.seconds - 10, recipe.chordSeconds);
	const atTime = (/** @type {(x: number) => number} */ f) => (/** @type {number} */ t) => f(t / spec.seconds);
	if (wanted('drone')) droneLayer(mix, recipe.drone);
	if (wanted('pad')) padLayer(mix, 'pad', chords, { ...recipe.pad, cutoff: atTime(recipe.pad.cutoff) });
	if (recipe.shimmer && wanted('shimmer')) {
		padLayer(mix, 'shimmer', chords, { ...recipe.shimmer, cutoff: atTime(recipe.shimmer.cutoff) });
	}
	if (recipe.tones && wanted('tones')) tonesLayer(mix, chords, recipe.tones);
	if (recipe.bowls && wanted('bowls')) bowlsLayer(mix, recipe.bowls);
	if (recipe.bed && wanted('bed'))
		(recipe.bed.kind === 'sea' ? seaLayer : rainLayer)(mix, recipe.bed.gainDb, recipe.bed.send);
	const { returnDb, ...reverbOptions } = recipe.reverb;
	const wet = dbToGain(returnDb);
	for (let i = 0; i < mix.n; i++) {
		mix.send.L[i] = (mix.send.L[i] ?? 0) * wet;
		mix.send.R[i] = (mix.send.R[i] ?? 0) * wet;
	}
	reverb(mix.send.L, mix.send.R, mix.dry.L, mix.dry.R, reverbOptions);
	if (mix.debug) {
		const wetOnly = { L: new Float32Array(mix.n), R: new Float32Array(mix.n) };
		reverb(mix.send.L, mix.send.R, wetOnly.L, wetOnly.R, reverbOptions);
		mix.report.push({ layer: 'reverb', lufs: integratedLoudness([wetOnly.L, wetOnly.R], SR) });
	}
	// Master: remove DC and subsonics.
	svf(mix.dry.L, mix.dry.R, () => 28, 0.7, 'high');
	return { L: mix.dry.L, R: mix.dry.R, report: mix.report };
}
