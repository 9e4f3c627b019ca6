/**
 * A GainNode whose every change is AudioParam automation on the audio clock,
 * never a timer stepping the value (timers drift and stall on a busy or hidden
 * page; howler's html5 `fade()` steps with setInterval, howler #245/#1527).
 *
 * The fader keeps its own copy of the points it scheduled, so a new fade can
 * start from exactly where the gain will be, even in the middle of another
 * fade: `cancelScheduledValues(at)` drops every point from `at` on, and a ramp
 * to the value the old line has at `at` continues that very line, so there is
 * no step. (That works in every browser, unlike `cancelAndHoldAtTime`, which
 * Firefox lacks.)
 *
 * @example
 * const fader = new GainFader(context, 0);
 * source.connect(fader.node);
 * fader.fade(1, 6, 'equal-power-in'); // starts a moment from now, returns the end time
 */
import type { GainValue, Seconds } from '../units';
import { fadePoints, type FadePoint, type FadeShape } from './equal-power';

/**
 * How far ahead of `currentTime` a change must be scheduled so that it is not
 * already in the past on the audio thread, which may be rendering the next
 * buffer while the main thread reads the clock: two buffers (`baseLatency`,
 * large with `latencyHint: 'playback'`, ~23 ms in headless Chromium and more
 * on some devices) and a little, kept within 20–200 ms.
 */
export function scheduleLead(context: BaseAudioContext): Seconds {
	const buffer = context instanceof AudioContext ? context.baseLatency || 0 : 0;
	return Math.min(0.2, Math.max(0.02, 2 * buffer + 0.01));
}

export class GainFader {
	readonly node: GainNode;
	readonly #context: BaseAudioContext;
	readonly #lead: Seconds;
	/** The scheduled automation: linear segments between points, constant after the last one. */
	#points: FadePoint[];

	constructor(context: BaseAudioContext, initial: GainValue) {
		this.#context = context;
		this.#lead = scheduleLead(context);
		this.node = context.createGain();
		this.node.gain.setValueAtTime(initial, 0);
		this.#points = [{ time: 0, value: initial }];
	}

	/** The audio-clock time at which a change asked for now takes effect. */
	get nextMoment(): Seconds {
		return this.#context.currentTime + this.#lead;
	}

	/** The gain at audio-clock time `time`, as scheduled. */
	valueAt(time: Seconds): GainValue {
		const points = this.#points;
		const first = points[0];
		if (!first || time <= first.time) return first?.value ?? 0;
		for (let i = 1; i < points.length; i += 1) {
			const b = points[i]!;
			if (time < b.time) {
				const a = points[i - 1]!;
				return a.value + ((b.value - a.value) * (time - a.time)) / (b.time - a.time);
			}
		}
		return points[points.length - 1]!.value;
	}

	/** The value the gain settles at once everything scheduled has run. */
	get target(): GainValue {
		return this.#points[this.#points.length - 1]?.value ?? 0;
	}

	/**
	 * Fades from wherever the gain is at `at` to `to` over `duration` seconds,
	 * replacing anything scheduled after `at`. Returns the audio-clock time the fade ends.
	 */
	fade(to: GainValue, duration: Seconds, shape: FadeShape, at: Seconds = this.nextMoment): Seconds {
		// Even a "jump" ramps for a millisecond: a true step with signal present clicks.
		const length = Math.max(0.001, duration);
		const start = Math.max(at, this.nextMoment);
		const from = this.valueAt(start);
		const param = this.node.gain;
		param.cancelScheduledValues(start);
		this.#points = this.#points.filter((point) => point.time < start);
		this.#ramp(start, from);
		for (const point of fadePoints(from, to, length, shape)) {
			if (point.time > 0) this.#ramp(start + point.time, point.value);
		}
		this.#forgetPast();
		return start + length;
	}

	#ramp(time: Seconds, value: GainValue): void {
		this.node.gain.linearRampToValueAtTime(value, time);
		this.#points.push({ time, value });
	}

	/** Keeps the model small over a three-hour session: only the last point before now matters. */
	#forgetPast(): void {
		const now = this.#context.currentTime;
		let keepFrom = 0;
		for (let i = 0; i < this.#points.length; i += 1) if (this.#points[i]!.time <= now) keepFrom = i;
		if (keepFrom > 0) this.#points = this.#points.slice(keepFrom);
	}

	disconnect(): void {
		this.node.disconnect();
	}
}
