// @ts-check
// Seeded randomness for the composer. Everything random in a track comes from one of these
// generators, seeded from the track's id, so rerunning the script renders bit-identical audio.

/**
 * FNV-1a over the UTF-16 code units of a string, as an unsigned 32-bit seed.
 * @param {string} text
 * @returns {number}
 */
export function seedFrom(text) {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h >>> 0;
}

/**
 * mulberry32: a small, fast 32-bit generator; good enough for music and noise.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function mulberry32(seed) {
	let a = seed >>> 0;
	return function next() {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Convenience helpers around one generator. */
export class Rng {
	/** @param {number | string} seed */
	constructor(seed) {
		this.next = mulberry32(typeof seed === 'string' ? seedFrom(seed) : seed);
	}

	/**
	 * A new, independent generator derived from this one and a label, so adding a layer does
	 * not shift the random choices of the others.
	 * @param {string} label
	 */
	fork(label) {
		return new Rng((seedFrom(label) ^ Math.floor(this.next() * 4294967296)) >>> 0);
	}

	/**
	 * @param {number} lo
	 * @param {number} hi
	 */
	range(lo, hi) {
		return lo + (hi - lo) * this.next();
	}

	/**
	 * An integer in [lo, hi].
	 * @param {number} lo
	 * @param {number} hi
	 */
	int(lo, hi) {
		return lo + Math.floor(this.next() * (hi - lo + 1));
	}

	/** @param {number} p */
	chance(p) {
		return this.next() < p;
	}

	/** Standard normal (Box–Muller). */
	gauss() {
		const u = 1 - this.next();
		const v = this.next();
		return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
	}

	/**
	 * @template T
	 * @param {readonly T[]} items
	 * @returns {T}
	 */
	pick(items) {
		const item = items[Math.floor(this.next() * items.length)];
		if (item === undefined) throw new Error('pick from an empty list');
		return item;
	}

	/**
	 * Weighted choice.
	 * @template T
	 * @param {readonly T[]} items
	 * @param {readonly number[]} weights
	 * @returns {T}
	 */
	weighted(items, weights) {
		let total = 0;
		for (const w of weights) total += w;
		let r = this.next() * total;
		for (let i = 0; i < items.length; i++) {
			r -= weights[i] ?? 0;
			if (r < 0) return /** @type {T} */ (items[i]);
		}
		return /** @type {T} */ (items[items.length - 1]);
	}
}
