/**
 * A slot for a generative soundscape: one of the two the engine takes turns
 * with (two, so that one soundscape can crossfade into another). The slot's
 * fader stays for the whole session; each soundscape is made when it is
 * played and disposed of when it has faded out.
 *
 * Soundscapes run in a Tone context that wraps the music engine's own native
 * context, so they share its clock and graph with the tracks.
 *
 * @example
 * const slot = new SoundscapeDeck({ context, output: duck.node, environment: () => soundscapeEnvironment() });
 * if ((await slot.load(source)).ok && slot.start(slot.fader.nextMoment).ok) {
 *   slot.fader.fade(1, 6, 'equal-power-in', slot.fader.nextMoment + slot.rise);
 * }
 */
import type { SoundscapeId } from '../session/playlist';
import type { Result } from '../result';
import type { ToneLib, ToneNode } from '../audio/tone';
import type { Seconds } from '../units';
import { SUPERSEDED, type Deck } from './deck';
import { GainFader } from './gain-fader';
import type { SoundscapeSource } from './types';

/** What `createSoundscape` in `soundscapes.ts` returns: a running piece we start, stop and dispose of. */
export interface SoundscapeHandle {
	readonly output: ToneNode;
	start(at: Seconds): void;
	stop(at: Seconds, fade?: Seconds): void;
	dispose(): void;
}

/** The signature of `createSoundscape` in `soundscapes.ts`; tests pass their own. */
export type SoundscapeFactory = (
	tone: ToneLib,
	context: import('tone').Context,
	id: SoundscapeId,
	seed: number
) => SoundscapeHandle;

/** Tone, the Tone context over the engine's native context, and the factory: made once, on the first soundscape. */
export interface SoundscapeEnvironment {
	readonly tone: ToneLib;
	readonly context: import('tone').Context;
	readonly create: SoundscapeFactory;
	/** Seconds a soundscape takes from `start` to its full level (it fades itself in). */
	readonly rise: Seconds;
}

export interface SoundscapeDeckOptions {
	readonly context: AudioContext;
	readonly output: AudioNode;
	readonly environment: () => Promise<SoundscapeEnvironment>;
}

export class SoundscapeDeck implements Deck {
	readonly kind = 'soundscape';
	readonly fader: GainFader;
	readonly #options: SoundscapeDeckOptions;
	#scape: SoundscapeHandle | undefined;
	#source: SoundscapeSource | undefined;
	#generation = 0;
	/** Seconds played before the last (re)start, and the audio-clock time of that start, if running. */
	#played: Seconds = 0;
	#runningSince: Seconds | undefined;
	#loading = false;
	#rise: Seconds = 0;

	constructor(options: SoundscapeDeckOptions) {
		this.#options = options;
		this.fader = new GainFader(options.context, 0);
		this.fader.node.connect(options.output);
	}

	get source(): SoundscapeSource | undefined {
		return this.#source;
	}

	get busy(): boolean {
		return this.#scape !== undefined || this.#loading;
	}

	get generation(): number {
		return this.#generation;
	}

	/** True while a soundscape exists in this slot (for the engine's stats). */
	get live(): boolean {
		return this.#scape !== undefined;
	}

	/** Seconds the loaded soundscape takes from `start` to its full level. */
	get rise(): Seconds {
		return this.#rise;
	}

	/** Soundscapes are endless. */
	get duration(): Seconds | undefined {
		return undefined;
	}

	position(now: Seconds): Seconds {
		return this.#played + (this.#runningSince === undefined ? 0 : Math.max(0, now - this.#runningSince));
	}

	/** Makes the soundscape (loading Tone on the first one) and connects it to the fader, silent. */
	async load(source: SoundscapeSource): Promise<Result<void>> {
		this.release();
		const generation = this.#generation;
		this.#source = source;
		this.#loading = true;
		try {
			const environment = await this.#options.environment();
			if (generation !== this.#generation) return { ok: false, reason: SUPERSEDED };
			const scape = environment.create(environment.tone, environment.context, source.soundscape, source.seed);
			this.#scape = scape;
			this.#rise = environment.rise;
			scape.output.connect(this.fader.node);
			return { ok: true, value: undefined };
		} catch {
			// Tone's chunk failed to load (offline before it was ever cached) or the soundscape threw.
			if (generation !== this.#generation) return { ok: false, reason: SUPERSEDED };
			this.release();
			return { ok: false, reason: `The soundscape “${source.title}” could not be started.` };
		} finally {
			if (generation === this.#generation) this.#loading = false;
		}
	}

	/** Starts the soundscape at audio-clock time `at`. */
	start(at: Seconds): Result<void> {
		const scape = this.#scape;
		if (!scape) return { ok: false, reason: 'The soundscape is not ready.' };
		const title = this.#source?.title ?? '';
		try {
			scape.start(at);
		} catch {
			this.release();
			return { ok: false, reason: `The soundscape “${title}” could not be started.` };
		}
		this.#played = 0;
		this.#runningSince = at;
		return { ok: true, value: undefined };
	}

	/**
	 * Paused with the rest of the music (call once the fader is silent). The
	 * soundscape itself runs on behind a closed fader; when the engine owns the
	 * context, it suspends the context, which stops the soundscape's clock too.
	 */
	pause(now: Seconds): void {
		if (this.#runningSince !== undefined) this.#played += Math.max(0, now - this.#runningSince);
		this.#runningSince = undefined;
	}

	resume(now: Seconds): Promise<Result<void>> {
		if (this.#scape && this.#runningSince === undefined) this.#runningSince = now;
		return Promise.resolve({ ok: true, value: undefined });
	}

	#now(): Seconds {
		return this.#options.context.currentTime;
	}

	/** Stops and disposes of the soundscape; the slot stays for the next one. */
	release(): void {
		this.#generation += 1;
		this.#loading = false;
		const scape = this.#scape;
		this.#scape = undefined;
		this.#source = undefined;
		this.#played = 0;
		this.#runningSince = undefined;
		if (!scape) return;
		// The fader is already at zero when a slot is released, so stopping at once is silent.
		// Each step on its own: a soundscape that fails one is still cut off and let go.
		for (const step of [() => scape.output.disconnect(), () => scape.stop(this.#now(), 0), () => scape.dispose()]) {
			try {
				step();
			} catch {
				// Nothing more to do: the slot forgets it either way.
			}
		}
	}

	dispose(): void {
		this.release();
		this.fader.disconnect();
	}
}
