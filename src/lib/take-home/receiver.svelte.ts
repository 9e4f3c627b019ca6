/**
 * Opening a take-home pack on the client's device: the file is read and checked, a preview says
 * what it holds and what would change, and only the person's confirm installs it (all or
 * nothing, pack-install.ts). Shared by the home page, where a pack is picked or dropped, and the
 * receive page, where the installed app or the share sheet hands one over.
 *
 * @example
 * const receiver = new PackReceiver();
 * await receiver.open(file); // receiver.status === 'preview', receiver.plan.lines
 * await receiver.confirm(); // 'done', or 'failed' with receiver.message; nothing half-stored
 */
import { BUILTIN_SCRIPTS } from '../grounding/builtin-scripts';
import { ImportedTrackStore } from '../library/imported-tracks';
import { indexedDbBackend, type KeyValueBackend } from '../storage/key-value';
import { PlaylistStore } from '../storage/playlist-store';
import { ScriptStore } from '../storage/script-store';
import type { InstallPlan, InstallStores, LineState } from './pack-install';
import { TakeHomeStore } from './take-home-store';

const BUILT_IN_IDS: ReadonlySet<string> = new Set(BUILTIN_SCRIPTS.map((script) => script.id));

export const LINE_WORDS: Record<LineState, string> = {
	new: 'New',
	same: 'Already here',
	updated: 'A newer version replaces the one here',
	removed: 'Removed: it is no longer in the pack',
	'not-included': 'Not included'
};

export class PackReceiver {
	status: 'idle' | 'reading' | 'preview' | 'installing' | 'done' | 'failed' = $state('idle');
	fileName = $state('');
	fileBytes = $state(0);
	plan: InstallPlan | null = $state.raw(null);
	/** 0–1 while installing. */
	progress = $state(0);
	message = $state('');

	readonly #stores: InstallStores;
	#request = 0;

	constructor(backend: KeyValueBackend = indexedDbBackend(), tracks?: ImportedTrackStore) {
		this.#stores = {
			scripts: new ScriptStore(backend),
			playlists: new PlaylistStore(backend),
			tracks: tracks ?? new ImportedTrackStore({ backend }),
			takeHome: new TakeHomeStore(backend)
		};
	}

	/** Reads and checks a file for its preview. Nothing is stored. */
	async open(file: File): Promise<void> {
		const request = ++this.#request;
		this.status = 'reading';
		this.fileName = file.name || 'The file';
		this.fileBytes = file.size;
		this.plan = null;
		this.message = '';
		// Loaded on the first pack, not with the home page: the reader, its hashing and the installer.
		const [{ openPack }, { planInstall }] = await Promise.all([import('./pack-reader'), import('./pack-install')]);
		const opened = await openPack(file, this.fileName, BUILT_IN_IDS);
		if (request !== this.#request) return;
		if (!opened.ok) {
			this.status = 'failed';
			this.message = `${opened.reason} Nothing on this device was changed.`;
			return;
		}
		const plan = await planInstall(opened.value, this.#stores);
		if (request !== this.#request) return;
		this.plan = plan;
		this.status = 'preview';
	}

	async confirm(): Promise<void> {
		const plan = this.plan;
		if (!plan || this.status !== 'preview') return;
		this.status = 'installing';
		this.progress = 0;
		const { installPack } = await import('./pack-install');
		const done = await installPack(plan, this.#stores, {
			onProgress: ({ bytesDone, bytesTotal }) => (this.progress = bytesTotal > 0 ? bytesDone / bytesTotal : 1)
		});
		if (!done.ok) {
			this.status = 'failed';
			this.message = done.reason;
			return;
		}
		this.status = 'done';
		this.message = done.value.changed ? 'It is on this device now.' : 'It was already on this device: nothing changed.';
		// Something after the one transaction that did not work (the preparation card's words): the
		// pack is in; the person hears what is missing.
		if (done.value.notes.length > 0) this.message = `${this.message} ${done.value.notes.join(' ')}`;
	}

	/** Back to nothing chosen; a preview that was showing stores nothing. */
	close(): void {
		this.#request += 1;
		this.status = 'idle';
		this.plan = null;
		this.message = '';
	}
}
