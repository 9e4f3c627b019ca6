/**
 * What the storage page shows: space used by music kept offline, by voice recordings and by the
 * app itself, the space the browser still allows, and whether it promised to keep it all. Music
 * is made available and removed through the one offline store (AudioOffline).
 *
 * @example
 * const storage = new StorageState();
 * onMount(() => void storage.load());
 * storage.music; // bytes of music kept offline, null if it cannot be measured
 */
import { AUDIO_CACHE, SHELL_CACHE_PREFIX } from '$lib/offline/cache-names';
import { cacheBytes } from '$lib/offline/cache-usage';
import { sharedAudioOffline, type AudioOffline } from '$lib/offline/audio-offline.svelte';
import { VoiceClipStore } from '$lib/voice/clip-store';

export interface SpaceEstimate {
	/** Bytes this site uses, all storage together, as the browser counts it. */
	usage: number;
	/** Bytes this site may use in all; the browser's own limit, not the disk's free space. */
	quota: number;
}

export class StorageState {
	status: 'loading' | 'ready' = $state('loading');
	/** Bytes in the audio cache; null when it cannot be read. */
	music: number | null = $state(null);
	/** Bytes of recorded voice clips. */
	voice: number | null = $state(null);
	/** Bytes of the app's own offline copy (pages, code, icons). */
	app: number | null = $state(null);
	estimate: SpaceEstimate | null = $state(null);
	/** Whether the browser has promised to keep this site's storage; null where it cannot say. */
	persisted: boolean | null = $state(null);
	asking = $state(false);

	readonly offline: AudioOffline;
	readonly #voice: VoiceClipStore;

	constructor(offline: AudioOffline = sharedAudioOffline(), voice: VoiceClipStore = new VoiceClipStore()) {
		this.offline = offline;
		this.#voice = voice;
	}

	/** The space the browser still allows this site. */
	get available(): number | null {
		return this.estimate ? Math.max(0, this.estimate.quota - this.estimate.usage) : null;
	}

	/** Measures everything; call again after something was stored or removed. */
	async load(): Promise<void> {
		await Promise.all([this.offline.refresh(), this.offline.loadPersistence(), this.measure(), this.#readPersisted()]);
		this.status = 'ready';
	}

	async measure(): Promise<void> {
		const [music, app, voice, estimate] = await Promise.all([
			cacheBytes((name) => name === AUDIO_CACHE),
			cacheBytes((name) => name.startsWith(SHELL_CACHE_PREFIX)),
			this.#voice.usageBytes().catch(() => null),
			readEstimate()
		]);
		this.music = music;
		this.app = app;
		this.voice = voice;
		this.estimate = estimate;
	}

	/** Asks the browser to keep this site's storage (a tap), and shows what it answered. */
	async askPersistence(): Promise<void> {
		this.asking = true;
		await this.offline.askPersistence();
		await this.#readPersisted();
		this.asking = false;
	}

	async #readPersisted(): Promise<void> {
		try {
			this.persisted = typeof navigator.storage?.persisted === 'function' ? await navigator.storage.persisted() : null;
		} catch {
			this.persisted = null;
		}
	}
}

async function readEstimate(): Promise<SpaceEstimate | null> {
	try {
		if (typeof navigator.storage?.estimate !== 'function') return null;
		const { usage, quota } = await navigator.storage.estimate();
		return usage === undefined || quota === undefined ? null : { usage, quota };
	} catch {
		return null;
	}
}
