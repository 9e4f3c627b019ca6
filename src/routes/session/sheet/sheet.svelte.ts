/**
 * The session sheet page's state: the playlist named in `?playlist=<id>`, curated or the
 * therapist's own, and its sheet (session-sheet.ts). Nothing is written: the sheet is for paper,
 * and what is written on it stays there.
 *
 * @example
 * const sheet = new SheetState();
 * await sheet.load(new URLSearchParams('?playlist=full-medicine-session'));
 * sheet.sheet?.rows; // the phases, the dose and the reference points, in order
 */
import { sheetOf, type SessionSheet } from '$lib/session/session-sheet';
import type { SessionPlaylist } from '$lib/session/playlist';
import { indexedDbBackend, type KeyValueBackend } from '$lib/storage/key-value';
import { PlaylistStore } from '$lib/storage/playlist-store';

/**
 * Lines on the printed page below the handwriting fields: the plan's rows and the ruled lines for
 * notes share them, all of one height (the page's print CSS), so a longer plan leaves fewer lines
 * for notes and the sheet stays on one page. 12 phases (the most a playlist may have), the dose and
 * the 3 reference points make 16 rows, which leaves 7 lines for notes.
 */
export const SHEET_LINES = 23;
/** The notes keep a few lines even if the plan grows past what SHEET_LINES expects. */
const MIN_NOTE_LINES = 4;

export class SheetState {
	status: 'loading' | 'ready' | 'missing' = $state('loading');
	playlist: SessionPlaylist | null = $state.raw(null);
	readonly sheet: SessionSheet | null = $derived(this.playlist ? sheetOf(this.playlist) : null);
	readonly noteLines: number = $derived(Math.max(MIN_NOTE_LINES, SHEET_LINES - (this.sheet?.rows.length ?? 0)));

	readonly #store: PlaylistStore;
	/** Only the latest load may change the page: an earlier one still reading the store is dropped. */
	#loads = 0;

	constructor(backend: KeyValueBackend = indexedDbBackend()) {
		this.#store = new PlaylistStore(backend);
	}

	async load(params: URLSearchParams): Promise<void> {
		const load = (this.#loads += 1);
		this.status = 'loading';
		const id = params.get('playlist');
		// The id is only looked up, never shown or stored; the store parses what it finds.
		const playlist = id ? await this.#store.get(id) : null;
		if (load !== this.#loads) return;
		this.playlist = playlist;
		this.status = playlist ? 'ready' : 'missing';
	}
}
