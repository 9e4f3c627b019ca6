/**
 * Tone.js is loaded only here, with a dynamic import on the first user gesture:
 * importing it creates an AudioContext at once (Tone #719, #1129), and it weighs
 * about 200 kB gzipped, which must stay off the first page load.
 */
export type ToneLib = typeof import('tone');
export type ToneContext = import('tone').BaseContext;
export type ToneNode = import('tone').ToneAudioNode;

let loading: Promise<ToneLib> | undefined;

export function loadTone(): Promise<ToneLib> {
	loading ??= import('tone').catch((error: unknown) => {
		// A failed chunk load (offline before the first visit finished) may succeed later.
		loading = undefined;
		throw error;
	});
	return loading;
}
