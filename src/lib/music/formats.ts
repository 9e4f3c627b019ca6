/**
 * Howler's format hint for a URL. Kept apart from the engine so that pages can
 * use it without loading howler.
 *
 * @example
 * formatFromExtension('/audio/rain.3f9a0c1d.mp3'); // ['mp3']
 */

/** Howler's format from a URL's extension; MP3 if there is none. */
export function formatFromExtension(src: string): string[] {
	const match = /\.([a-z0-9]{2,5})(?:[?#].*)?$/i.exec(src);
	return [match?.[1]?.toLowerCase() ?? 'mp3'];
}
