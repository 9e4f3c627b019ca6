/**
 * Seeded randomness for the generative soundscapes: the same seed always
 * gives the same choices, so a soundscape in a saved playlist sounds the same
 * every time it is played, and a test can render it twice and compare.
 *
 * Pure: no audio, DOM or clock.
 *
 * @example
 * const random = new Random(42).derive('chords');
 * const seconds = random.range(12, 30); // the same number for seed 42, every time
 */

/**
 * mulberry32: a small, fast 32-bit generator, good enough for music and noise
 * (not for anything secret). Returns numbers uniform in [0, 1).
 */
export function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** FNV-1a over the UTF-16 code units of a label, as an unsigned 32-bit number. */
export function hashLabel(label: string): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < label.length; i += 1) {
		hash ^= label.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash >>> 0;
}

/** Murmur3's finaliser: spreads every input bit over the whole word, so nearby seeds give unrelated streams. */
function mix(value: number): number {
	let h = value >>> 0;
	h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
	return (h ^ (h >>> 16)) >>> 0;
}

/** A seeded stream of random choices. */
export class Random {
	readonly seed: number;
	readonly #next: () => number;

	constructor(seed: number) {
		// Playlist seeds are whole numbers ≥ 0 but may exceed 32 bits; fold the high part in.
		const whole = Math.floor(Math.abs(seed));
		this.seed = mix((whole >>> 0) ^ mix(Math.floor(whole / 4294967296)));
		this.#next = mulberry32(this.seed);
	}

	/**
	 * An independent stream for one part of the music, named by `label`. It does
	 * not draw from this stream, so adding a part never changes the others.
	 */
	derive(label: string): Random {
		return new Random(mix(this.seed ^ hashLabel(label)));
	}

	/** Uniform in [0, 1). */
	next(): number {
		return this.#next();
	}

	/** Uniform in [low, high). */
	range(low: number, high: number): number {
		return low + (high - low) * this.#next();
	}

	/** A whole number in [low, high]. */
	int(low: number, high: number): number {
		return low + Math.floor(this.#next() * (high - low + 1));
	}

	chance(probability: number): boolean {
		return this.#next() < probability;
	}

	pick<T>(items: readonly T[]): T {
		const item = items[Math.floor(this.#next() * items.length)];
		if (item === undefined) throw new Error('Cannot pick from an empty list.');
		return item;
	}

	/** A choice weighted by `weights` (same length as `items`, not all zero). */
	weighted<T>(items: readonly T[], weights: readonly number[]): T {
		let total = 0;
		for (const weight of weights) total += weight;
		let left = this.#next() * total;
		for (let i = 0; i < items.length; i += 1) {
			left -= weights[i] ?? 0;
			if (left < 0) return items[i]!;
		}
		return this.pick(items);
	}
}
