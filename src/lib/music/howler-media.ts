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

/** The slice of a Howl's private state we read: its sounds and their html5 elements. */
interface HowlInternals {
	readonly _sounds?: readonly { readonly _node?: unknown }[];
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
