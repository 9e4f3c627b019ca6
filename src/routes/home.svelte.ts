/**
 * The home page's state: who is using Grounded here (client or therapist, asked once and
 * changeable), and what came from a therapist, to show first: their note, their scripts, the
 * breathing practice, the music, and how to reach them.
 *
 * @example
 * const home = new HomeState();
 * onMount(() => void home.load());
 * home.fromTherapist; // the newest pack's record, with titles to show, or null
 */
import { indexedDbBackend, type KeyValueBackend } from '$lib/storage/key-value';
import { PlaylistStore } from '$lib/storage/playlist-store';
import { ScriptStore } from '$lib/storage/script-store';
import { TakeHomeStore, type Role, type TakeHomeRecord } from '$lib/take-home/take-home-store';
import { VoiceClipStore } from '$lib/voice/clip-store';

export interface ShownItem {
	readonly id: string;
	readonly title: string;
	/** Whether the therapist's voice is recorded for it. */
	readonly voiced?: boolean;
}

export interface FromTherapist {
	readonly record: TakeHomeRecord;
	readonly scripts: readonly ShownItem[];
	readonly playlists: readonly ShownItem[];
}

export class HomeState {
	status: 'loading' | 'ready' = $state('loading');
	role: Role | null = $state(null);
	/** The newest first; usually one therapist. */
	fromTherapists: FromTherapist[] = $state([]);
	message = $state('');

	readonly #takeHome: TakeHomeStore;
	readonly #scripts: ScriptStore;
	readonly #playlists: PlaylistStore;
	readonly #clips: VoiceClipStore;

	constructor(backend: KeyValueBackend = indexedDbBackend()) {
		this.#takeHome = new TakeHomeStore(backend);
		this.#scripts = new ScriptStore(backend);
		this.#playlists = new PlaylistStore(backend);
		this.#clips = new VoiceClipStore(backend);
	}

	/** A client's view: with a pack here, or when they said so. */
	get asClient(): boolean {
		return this.role === 'client' || (this.role === null && this.fromTherapists.length > 0);
	}

	async load(): Promise<void> {
		const [role, records] = await Promise.all([this.#takeHome.role(), this.#takeHome.list()]);
		this.role = role;
		this.fromTherapists = await Promise.all(records.map((record) => this.#shown(record)));
		this.status = 'ready';
	}

	async #shown(record: TakeHomeRecord): Promise<FromTherapist> {
		const scripts: ShownItem[] = [];
		for (const id of [...record.scriptIds, ...record.builtInScriptIds]) {
			const script = await this.#scripts.get(id);
			if (!script) continue;
			const voiced = !script.builtIn && (await this.#clips.listFor(id)).length > 0;
			scripts.push({ id, title: script.title, voiced });
		}
		const playlists: ShownItem[] = [];
		for (const id of record.playlistIds) {
			const playlist = await this.#playlists.get(id);
			if (playlist) playlists.push({ id, title: playlist.title });
		}
		return { record, scripts, playlists };
	}

	async setRole(role: Role): Promise<void> {
		const saved = await this.#takeHome.setRole(role);
		if (saved.ok) {
			this.role = role;
			this.message = '';
		} else this.message = saved.reason;
	}
}
