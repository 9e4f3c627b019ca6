/**
 * Test signals as plain samples, for the pure audio code's unit tests.
 *
 * @example
 * const steady = sine(1000, 0.5, 2, 48_000);
 * const stepped = concat(sine(1000, 0.1, 1, 48_000), sine(1000, 0.5, 1, 48_000));
 */

/** `seconds` of a sine of the given peak `amplitude` (linear, 1 = full scale). */
export function sine(frequency: number, amplitude: number, seconds: number, sampleRate: number): Float32Array {
	const out = new Float32Array(Math.round(seconds * sampleRate));
	for (let i = 0; i < out.length; i += 1) out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate);
	return out;
}

/** The parts one after another. */
export function concat(...parts: Float32Array[]): Float32Array {
	const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const part of parts) {
		out.set(part, at);
		at += part.length;
	}
	return out;
}
