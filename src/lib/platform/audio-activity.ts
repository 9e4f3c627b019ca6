/**
 * Who is making sound right now, so that nothing that would cut it off (an app update's reload)
 * happens meanwhile. Each player reports under its own owner name; the page is playing while any
 * owner says so. One registry per page: sound only ever plays in the page that made it.
 *
 * @example
 * setPlaying('music-1', true); // the music started
 * const stop = subscribeAudioActivity((playing) => (updateBlocked = playing));
 * setPlaying('music-1', false); // faded out: listeners hear `false`
 * stop();
 */

const playingOwners = new Set<string>();
const listeners = new Set<(playing: boolean) => void>();

/** Says whether `owner` is making sound; listeners hear only when the page's answer changes. */
export function setPlaying(owner: string, playing: boolean): void {
	const before = playingOwners.size > 0;
	if (playing) playingOwners.add(owner);
	else playingOwners.delete(owner);
	const after = playingOwners.size > 0;
	if (after === before) return;
	for (const listener of [...listeners]) listener(after);
}

/** True while any owner is making sound. */
export function isPlaying(): boolean {
	return playingOwners.size > 0;
}

/** Calls `listener` now with the current answer, then on every change; returns the unsubscribe. */
export function subscribeAudioActivity(listener: (playing: boolean) => void): () => void {
	listeners.add(listener);
	listener(isPlaying());
	return () => {
		listeners.delete(listener);
	};
}
