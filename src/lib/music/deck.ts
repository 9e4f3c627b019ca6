/**
 * What the music engine asks of a deck, whether it plays recorded tracks
 * (`TrackDeck`) or generative soundscapes (`SoundscapeDeck`).
 */
import type { Result } from '../result';
import type { Seconds } from '../units';
import type { GainFader } from './gain-fader';
import type { MusicSource } from './types';

/**
 * The reason a pending `load`/`start`/`play` gives when a newer request (play,
 * pause, stop) took over before it finished. Not a fault: nothing is wrong
 * with the item, and the owner should not skip it for that.
 */
export const SUPERSEDED = 'Another request came before this item started.';

export interface Deck {
	readonly kind: MusicSource['kind'];
	/** The deck's own gain stage; every fade of its items happens here. */
	readonly fader: GainFader;
	readonly source: MusicSource | undefined;
	/** Holds something: loading, playing, paused or fading out. */
	readonly busy: boolean;
	/** Changes with every load and release, so a pending step can tell it is stale. */
	readonly generation: number;
	/** Seconds of the item, if it has an end. */
	readonly duration: Seconds | undefined;
	position(now: Seconds): Seconds;
	/** Pauses playback; call once the fader is silent. */
	pause(now: Seconds): void;
	/** Plays on after `pause`. */
	resume(now: Seconds): Promise<Result<void>>;
	/** Lets go of the item; the deck stays for the next one. */
	release(): void;
	/** Lets go of the item and of the deck's own node. */
	dispose(): void;
}
