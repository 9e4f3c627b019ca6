/**
 * The only place that reaches into howler's internals (howler 2.2.4). Each
 * reach is narrowed to the one field it reads or marks, and fails soft
 * (undefined, or nothing done) if a howler update moves it.
 *
 * Only the music engine plays html5 Howls. Everything else that uses howler
 * (voice clips) plays in Web Audio mode and never takes an element from the
 * pool: an element captured into a MediaElementAudioSourceNode sounds only
 * through that engine's graph, and it sits in the pool between tracks.
 *
 * @example
 * const element = mediaElementOf(howl); // after the Howl's 'load' event
 * if (element) context.createMediaElementSource(element);
 */
import { Howler, type Howl } from 'howler';

/** The slice of a Howl's private state we read: its sounds and their html5 elements, and its length. */
interface HowlInternals {
	readonly _sounds?: readonly { readonly _node?: unknown }[];
	_duration?: number;
	readonly _sprite?: Record<string, [number, number, boolean?]>;
}

/** What howler marks on an element it has unlocked (or taken from its pool of unlocked ones). */
type UnlockMark = { _unlocked?: boolean };

/** The slice of the Howler global we touch: the pool of unlocked html5 elements. */
interface HowlerInternals {
	_html5AudioPool?: unknown[];
}

/**
 * The <audio> element playing an html5 Howl. We need it because with `html5: true`
 * the element's `volume` is read-only on iOS, so howler's `volume()` and `fade()`
 * do nothing there (howler #932, #1474): gain has to come from Web Audio, through
 * a MediaElementAudioSourceNode made from this element.
 */
export function mediaElementOf(howl: Howl): HTMLMediaElement | undefined {
	const node = (howl as unknown as HowlInternals)._sounds?.[0]?._node;
	return node instanceof HTMLMediaElement ? node : undefined;
}

/**
 * Takes elements out of howler's pool of unlocked html5 elements for good.
 * An element can feed only one MediaElementAudioSourceNode, ever; once the
 * context that captured it is closed, the element is mute. Returned to the
 * pool, it would be handed to the next Howl (a later session's engine, or any
 * other html5 Howl) and play nothing, or make `createMediaElementSource` throw.
 */
export function withholdFromHowlerPool(isOurs: (element: HTMLMediaElement) => boolean): void {
	const pool = (Howler as unknown as HowlerInternals)._html5AudioPool;
	if (!Array.isArray(pool)) return;
	for (let i = pool.length - 1; i >= 0; i -= 1) {
		const element = pool[i];
		if (element instanceof HTMLMediaElement && isOurs(element)) pool.splice(i, 1);
	}
}

/**
 * Spares an element howler's unlock. On the first tap after a Howl exists, howler calls `load()` on
 * every element it has not unlocked, which empties what a track loaded ahead of that tap had
 * buffered, and the tap then waits for it again. Only where any element may play once the page has
 * had a tap: not on iPhone and iPad, whose Safari needs that `load()` inside the gesture.
 */
export function spareFromUnlock(element: HTMLMediaElement): void {
	(element as HTMLMediaElement & UnlockMark)._unlocked = true;
}

/**
 * Tells howler how long an html5 sound really is. Howler reads the element's `duration` once, at its
 * load, and its play() ends at once any sound asked to start at or past that length ("End the sound
 * instantly if seek is at the end", howler 2.2.4). WebKitGTK reports a duration of 0 at that moment
 * for an MP3 that reaches it through a service worker (the length is known only after a seek), so a
 * track started past its opening swell ended before a sample played. The element still reports its
 * own end with `ended`, which is what howler listens to for a whole-file sound.
 */
export function setHowlDuration(howl: Howl, seconds: number): void {
	const internals = howl as unknown as HowlInternals;
	if (!(seconds > 0)) return;
	internals._duration = seconds;
	const whole = internals._sprite?.__default;
	if (whole) whole[1] = seconds * 1000;
}
