/**
 * One of the two players that take turns playing recorded tracks for a whole
 * session. A deck holds at most one Howl at a time and unloads it before the
 * next, so a three-hour session never has more than two Howls (and two pooled
 * <audio> elements) alive, however many tracks it plays (howler #1110, #1731).
 *
 * Tracks play with `html5: true`: Web Audio mode would decode a whole file into
 * memory first, about 230 MB for ten minutes of stereo (howler #554, #1311).
 * The element's sound is taken into our own AudioContext and through the
 * deck's fader, which is where all its gain changes happen.
 *
 * @example
 * const deck = new TrackDeck({ context, output: duck.node, taps, formatOf, onEnded, onBroken });
 * const loaded = await deck.load(track, 0);
 * if (loaded.ok && (await deck.start()).ok) deck.fader.fade(1, 6, 'equal-power-in');
 */
import { Howl } from 'howler';
import type { Result } from '../result';
import type { Seconds } from '../units';
import { SUPERSEDED, type Deck } from './deck';
import { GainFader } from './gain-fader';
import { mediaElementOf, setHowlDuration, spareFromUnlock } from './howler-media';
import { isAppleMobile } from '../platform/apple-mobile';
import type { TrackSource } from './types';

/** How long a track may take to become playable before we give up on it. */
const LOAD_TIMEOUT: Seconds = 10;
/** How long `play()` may take to be accepted. */
const PLAY_TIMEOUT: Seconds = 3;
/** How long a playing element may sit without its clock moving (no sound reaching us). */
const PROGRESS_TIMEOUT: Seconds = 2;
const PROGRESS_POLL_MS = 15;
/** Position between two element clock updates is extrapolated at most this far. */
const MAX_EXTRAPOLATION: Seconds = 0.3;
/** How long to wait for an element to learn its length (see `load`) before starting it from 0 instead. */
const DURATION_WAIT: Seconds = 1.5;
/** An offset this close to the end would leave nothing to fade in. */
const END_MARGIN: Seconds = 1;

const OK: Result<void> = { ok: true, value: undefined };

/**
 * The MediaElementAudioSourceNode of each element we have captured. An element
 * can be captured only once, ever (a second `createMediaElementSource` throws),
 * and howler hands the same pooled elements to later Howls, so a deck that gets
 * an element back reuses its node.
 */
export class ElementTaps {
	readonly #context: AudioContext;
	readonly #taps = new WeakMap<HTMLMediaElement, MediaElementAudioSourceNode>();
	#captured = 0;

	constructor(context: AudioContext) {
		this.#context = context;
	}

	tap(element: HTMLMediaElement): MediaElementAudioSourceNode {
		let tap = this.#taps.get(element);
		if (!tap) {
			tap = this.#context.createMediaElementSource(element);
			this.#taps.set(element, tap);
			this.#captured += 1;
		}
		return tap;
	}

	has(element: HTMLMediaElement): boolean {
		return this.#taps.has(element);
	}

	/** How many distinct elements were ever captured (for tests: stays small when elements are reused). */
	get captured(): number {
		return this.#captured;
	}
}

export interface TrackDeckOptions {
	readonly context: AudioContext;
	/** Where the deck's fader sends its sound (the duck stage). */
	readonly output: AudioNode;
	readonly taps: ElementTaps;
	/** Howler cannot tell the format of a blob: or extensionless URL; this tells it. */
	readonly formatOf: (src: string) => string[];
	/** The track played to its end. */
	readonly onEnded: (deck: TrackDeck) => void;
	/** The track stopped with an error after it had started (a network or decoding failure mid-way). */
	readonly onBroken: (deck: TrackDeck, reason: string) => void;
}

export class TrackDeck implements Deck {
	readonly kind = 'track';
	readonly fader: GainFader;
	readonly #options: TrackDeckOptions;
	#howl: Howl | undefined;
	#element: HTMLMediaElement | undefined;
	#tap: MediaElementAudioSourceNode | undefined;
	#source: TrackSource | undefined;
	#soundId: number | undefined;
	#playing = false;
	/** Bumped by every load and release, so a pending step can tell it is stale. */
	#generation = 0;
	/** Ends the pending step (load, start) as superseded, or with a reason. */
	#cancelPending: ((reason?: string) => void) | undefined;
	#anchorElementTime = -1;
	#anchorClock: Seconds = 0;

	constructor(options: TrackDeckOptions) {
		this.#options = options;
		this.fader = new GainFader(options.context, 0);
		this.fader.node.connect(options.output);
	}

	get source(): TrackSource | undefined {
		return this.#source;
	}

	/** True while the deck holds a Howl (loading, playing, paused or fading out). */
	get busy(): boolean {
		return this.#howl !== undefined;
	}

	get generation(): number {
		return this.#generation;
	}

	/** Seconds of the track, from the element once it knows, else from the catalog. */
	get duration(): Seconds | undefined {
		const fromElement = this.#element?.duration;
		if (fromElement !== undefined && Number.isFinite(fromElement) && fromElement > 0) return fromElement;
		return this.#source?.durationSeconds;
	}

	/**
	 * Position in the track. The element's clock is coarse and updates in steps;
	 * between steps the audio clock carries it on, a little.
	 */
	position(now: Seconds): Seconds {
		const element = this.#element;
		if (!element) return 0;
		const time = element.currentTime;
		if (time !== this.#anchorElementTime) {
			this.#anchorElementTime = time;
			this.#anchorClock = now;
		}
		if (!this.#playing || element.paused) return time;
		return time + Math.min(MAX_EXTRAPOLATION, Math.max(0, now - this.#anchorClock));
	}

	/**
	 * Loads `source` (releasing whatever the deck held), routes its element
	 * through the fader and seeks to `offset`. Resolves within LOAD_TIMEOUT; a
	 * missing or broken file resolves not-ok as soon as the browser says so.
	 */
	async load(source: TrackSource, offset: Seconds): Promise<Result<void>> {
		this.release();
		const generation = this.#generation;
		let howl: Howl;
		try {
			howl = new Howl({ src: [source.src], html5: true, preload: true, format: this.#options.formatOf(source.src) });
		} catch {
			return { ok: false, reason: `“${source.title}” could not be opened.` };
		}
		this.#howl = howl;
		this.#source = source;
		const loaded = await this.#settle(LOAD_TIMEOUT, `“${source.title}” took too long to load.`, (done) => {
			howl.once('load', () => done(OK));
			howl.once('loaderror', (_id, error) => done({ ok: false, reason: loadFailure(source.title, error) }));
		});
		if (!loaded.ok) {
			if (generation === this.#generation) this.release();
			return loaded;
		}
		// Captured only now, after 'load': howler has handed this Howl its element
		// (an unlocked one from its pool once it has seen a tap) and never swaps it
		// later. We use our own context, never Howler.ctx, which howler may close
		// and recreate on unlock (howler #434, #498).
		const element = mediaElementOf(howl);
		if (!element) {
			this.release();
			return { ok: false, reason: `“${source.title}” could not be routed for playback.` };
		}
		try {
			this.#tap = this.#options.taps.tap(element);
		} catch {
			// An element another context captured cannot be captured again (see withholdFromHowlerPool).
			this.release();
			return { ok: false, reason: `“${source.title}” could not be routed for playback.` };
		}
		this.#tap.connect(this.fader.node);
		this.#element = element;
		if (!isAppleMobile()) spareFromUnlock(element);
		element.addEventListener('error', this.#onElementError);
		howl.on('end', this.#onEnd);
		if (!knowsDuration(element)) {
			// WebKitGTK may not know an MP3's length at 'canplaythrough' (it reports 0, and learns it
			// a moment later without an event); a seek then is lost, and howler, which took the 0,
			// would end the sound on play. Wait a little for the length; without it, start at 0.
			const known = await this.#untilDurationKnown(element, generation);
			if (generation !== this.#generation) return { ok: false, reason: SUPERSEDED };
			setHowlDuration(howl, known ? element.duration : (this.duration ?? Infinity));
			if (!known) return OK;
		}
		const duration = this.duration ?? 0;
		const start = Math.max(0, Math.min(offset, duration - END_MARGIN));
		// Set before play(): howler starts an html5 sound at its seek position.
		if (start > 0) howl.seek(start);
		return OK;
	}

	/**
	 * Starts the loaded track (at a gain of whatever the fader holds, normally 0)
	 * and resolves once its clock is moving, that is once its sound reaches the
	 * graph, so a crossfade never fades the old item out over silence.
	 *
	 * With `untilSound: false` it resolves as soon as the element has accepted
	 * play(), and watches for the clock to move in the background (an element that
	 * never sounds is reported through `onBroken`). For a start from silence,
	 * where there is nothing to fade out and only the tap's latency matters.
	 */
	async start({ untilSound = true }: { untilSound?: boolean } = {}): Promise<Result<void>> {
		const howl = this.#howl;
		const element = this.#element;
		const title = this.#source?.title ?? 'The track';
		if (!howl || !element) return { ok: false, reason: `${title} is not loaded.` };
		const generation = this.#generation;
		const started = await this.#settle(PLAY_TIMEOUT, `“${title}” did not start.`, (done) => {
			howl.once('play', () => done(OK));
			howl.once('playerror', () => done({ ok: false, reason: playFailure(title) }));
			// With an id, howler plays on the paused sound; without, it starts the loaded one.
			this.#soundId = this.#soundId === undefined ? howl.play() : howl.play(this.#soundId);
		});
		if (started.ok && !untilSound) {
			this.#playing = true;
			void this.#untilMoving(element, element.currentTime, generation).then((moving) => {
				if (!moving && generation === this.#generation)
					this.#options.onBroken(this, `“${title}” started but no sound came from it.`);
			});
			return OK;
		}
		if (started.ok) {
			this.#playing = true;
			const moving = await this.#untilMoving(element, element.currentTime, generation);
			if (moving) return OK;
		}
		if (generation !== this.#generation) return { ok: false, reason: SUPERSEDED };
		this.release();
		return started.ok ? { ok: false, reason: `“${title}” started but no sound came from it.` } : started;
	}

	/**
	 * Restarts an element the system paused under us (iOS pauses media for a
	 * call or an alarm, howler #1660). Howler did not see that pause and would
	 * ignore a play() for a sound it thinks is playing, so the element is asked directly.
	 */
	nudge(): void {
		const element = this.#element;
		if (!this.#playing || !element || !element.paused || element.ended) return;
		element.play().catch(() => undefined);
	}

	/** Pauses the element (call once the fader is silent). */
	pause(): void {
		this.#playing = false;
		if (this.#howl && this.#soundId !== undefined) this.#howl.pause(this.#soundId);
	}

	/** Plays on after `pause()`, from where it was, once its sound flows again. */
	resume(): Promise<Result<void>> {
		if (this.#playing || !this.#howl) return Promise.resolve(OK);
		return this.start();
	}

	/** Stops and unloads the Howl and lets go of its element; the deck itself stays for the next track. */
	release(): void {
		this.#generation += 1;
		this.#cancelPending?.();
		this.#cancelPending = undefined;
		this.#tap?.disconnect();
		this.#element?.removeEventListener('error', this.#onElementError);
		// unload() stops the element, empties its src and returns it to howler's pool.
		this.#howl?.off();
		this.#howl?.unload();
		this.#howl = undefined;
		this.#element = undefined;
		this.#tap = undefined;
		this.#source = undefined;
		this.#soundId = undefined;
		this.#playing = false;
		this.#anchorElementTime = -1;
	}

	/** Releases the Howl and the deck's own node. */
	dispose(): void {
		this.release();
		this.fader.disconnect();
	}

	readonly #onEnd = (): void => {
		if (!this.#playing && this.#cancelPending) {
			// Ended before it began: start() fails with the reason and lets the deck go itself.
			this.#cancelPending(`“${this.#source?.title ?? 'The track'}” ended before it began to play.`);
			return;
		}
		this.#playing = false;
		this.#options.onEnded(this);
	};

	readonly #onElementError = (): void => {
		// Load errors are reported by load(); this is an error after playback began.
		if (!this.#playing || !this.#source) return;
		this.#playing = false;
		this.#options.onBroken(this, loadFailure(this.#source.title, this.#element?.error?.code));
	};

	/**
	 * Waits for the first of the events `attach` listens to, the timeout, or
	 * release() (which makes it stale). One pending step per deck at a time.
	 */
	#settle(timeout: Seconds, timeoutReason: string, attach: (done: (result: Result<void>) => void) => void) {
		return new Promise<Result<void>>((resolve) => {
			let settled = false;
			const done = (result: Result<void>): void => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				if (this.#cancelPending === cancel) this.#cancelPending = undefined;
				resolve(result);
			};
			const cancel = (reason: string = SUPERSEDED): void => done({ ok: false, reason });
			const timer = setTimeout(() => done({ ok: false, reason: timeoutReason }), timeout * 1000);
			this.#cancelPending = cancel;
			attach(done);
		});
	}

	/** Polls (no event tells) until the element knows its length, for up to DURATION_WAIT. */
	#untilDurationKnown(element: HTMLMediaElement, generation: number): Promise<boolean> {
		const deadline = performance.now() + DURATION_WAIT * 1000;
		return new Promise((resolve) => {
			const check = (): void => {
				if (generation !== this.#generation) resolve(false);
				else if (knowsDuration(element)) resolve(true);
				else if (performance.now() > deadline) resolve(false);
				else setTimeout(check, PROGRESS_POLL_MS);
			};
			check();
		});
	}

	/** Polls the element's clock (a check, not a fade: a page timer is fine) until it moves past `from`. */
	#untilMoving(element: HTMLMediaElement, from: Seconds, generation: number): Promise<boolean> {
		const deadline = performance.now() + PROGRESS_TIMEOUT * 1000;
		return new Promise((resolve) => {
			const check = (): void => {
				if (generation !== this.#generation) resolve(false);
				else if (element.currentTime > from && !element.paused) resolve(true);
				else if (performance.now() > deadline) resolve(false);
				else setTimeout(check, PROGRESS_POLL_MS);
			};
			check();
		});
	}
}

function knowsDuration(element: HTMLMediaElement): boolean {
	return element.duration > 0 && Number.isFinite(element.duration);
}

/** A howler load error in words a therapist can act on. */
function loadFailure(title: string, error: unknown): string {
	switch (error) {
		case 1:
			return `Loading “${title}” was interrupted.`;
		case 2:
			return `“${title}” could not be downloaded. Check that the music is saved for offline use.`;
		case 3:
			return `“${title}” is damaged and cannot be played.`;
		case 4:
			return `“${title}” is missing or is not a playable audio file.`;
		default:
			return typeof error === 'string' && error
				? `“${title}” cannot be played on this device (${error}).`
				: `“${title}” could not be loaded.`;
	}
}

function playFailure(title: string): string {
	return `The browser would not start “${title}”. Tap play to try again.`;
}
