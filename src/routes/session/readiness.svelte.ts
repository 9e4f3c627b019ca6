/**
 * The pre-session check on the console: gathers what the device can tell about the chosen
 * playlist and the room (files, storage, screen, battery, speaker, test sound) into the facts of
 * `readinessLines`, keeps them current (a download's progress, a charger plugged in, a speaker
 * connected), and performs each line's fix. The downloads and the storage answer belong to the
 * page's one AudioOffline; the speaker and the test sound to the console's engine.
 *
 * @example
 * const check = new ReadinessCheck(session, sharedAudioOffline());
 * check.start();
 * check.lines; // what the component shows
 * await check.act('finish-downloading'); // from the line's button
 */
import { SvelteSet } from 'svelte/reactivity';
import type { AudioOffline } from '$lib/offline/audio-offline.svelte';
import { playlistItems, sizeLabel, progressText } from '$lib/offline/offline-sets';
import { watchBattery, type BatteryWatch } from '$lib/platform/battery';
import { askToNameOutputs, listOutputs, watchOutputs } from '$lib/platform/output-devices';
import { probeScreenWakeLock } from '$lib/platform/wake-lock';
import { isCurated } from '$lib/session/curated-playlists';
import type { SessionPlaylist } from '$lib/session/playlist';
import {
	readinessLines,
	readinessSummary,
	type DownloadFacts,
	type LineAction,
	type LineId,
	type OutputDevice,
	type OutputFacts,
	type PowerFacts,
	type ReadinessLine,
	type ScreenFacts,
	type StorageFacts,
	type TestSoundFacts
} from '$lib/session/readiness';
import type { ConsoleState } from './console.svelte';

/** The offline set that holds a playlist's files: a curated one's own id, else one registered for it. */
export function offlineSetOf(playlist: SessionPlaylist): string {
	return isCurated(playlist.id) ? playlist.id : `playlist:${playlist.id}`;
}

export class ReadinessCheck {
	screen: ScreenFacts = $state('checking');
	power: PowerFacts = $state({ kind: 'checking' });
	devices: OutputDevice[] = $state([]);
	outputsListed = $state(false);
	testSound: TestSoundFacts = $state('not-played');
	/** What the last fix ended with, when it failed; shown under the check. */
	message = $state('');
	readonly doneByHand = new SvelteSet<LineId>();

	readonly #session: ConsoleState;
	readonly #offline: AudioOffline;
	#battery: BatteryWatch | null = null;
	#stopWatchingOutputs: (() => void) | undefined;
	#disposed = false;

	constructor(session: ConsoleState, offline: AudioOffline) {
		this.#session = session;
		this.#offline = offline;
	}

	readonly #setId = $derived.by(() => offlineSetOf(this.#session.playlist));

	readonly downloads: DownloadFacts = $derived.by(() => {
		const playlist = this.#session.playlist;
		if (playlistItems(playlist).length === 0) return { kind: 'nothing-to-download' };
		const set = this.#offline.sets[this.#setId];
		if (!set || set.status === 'checking' || set.status === 'removing') return { kind: 'checking' };
		if (set.status === 'available') return { kind: 'on-device' };
		if (set.status === 'downloading')
			return {
				kind: 'downloading',
				progress: set.progress ? progressText(set.progress) : 'Starting…',
				retrying: set.progress?.retrying ?? null
			};
		return {
			kind: 'missing',
			itemsCached: set.itemsCached,
			itemsTotal: set.itemsTotal,
			missingSize: sizeLabel(set.bytesTotal - set.bytesCached),
			message: set.message,
			waiting: this.#offline.busy !== null
		};
	});

	readonly storage: StorageFacts = $derived.by(() => this.#offline.persistence);

	readonly output: OutputFacts = $derived.by(() => {
		if (!this.#session.canChooseOutput) return { kind: 'system' };
		if (!this.outputsListed) return { kind: 'checking' };
		const choice = this.#session.outputChoice;
		const chosenId = this.#session.outputDevice;
		const missing =
			choice &&
			choice.deviceId !== '' &&
			(this.#session.outputMissing || !this.devices.some((d) => d.id === choice.deviceId))
				? choice.label
				: null;
		return { kind: 'choosable', devices: this.devices, chosenId, missing };
	});

	/** Known once the console has read “Your music”, which it has before the check is shown. */
	readonly missingImported: number = $derived.by(() =>
		this.#session.status === 'loading' ? 0 : this.#session.missingImported(this.#session.playlist)
	);

	readonly lines: ReadinessLine[] = $derived(
		readinessLines({
			downloads: this.downloads,
			missingImported: this.missingImported,
			storage: this.storage,
			screen: this.screen,
			power: this.power,
			output: this.output,
			testSound: this.testSound,
			doneByHand: this.doneByHand
		})
	);

	readonly summary = $derived(readinessSummary(this.lines));

	/** Reads everything once and watches what can change. Call when the console is shown. */
	start(): void {
		void this.#offline.loadPersistence();
		void this.#offline.refresh();
		void probeScreenWakeLock().then((found) => {
			if (!this.#disposed) this.screen = found;
		});
		void watchBattery((reading) => {
			this.power = { kind: 'known', charging: reading.charging, level: reading.level };
		}).then((watch) => {
			if (this.#disposed) return watch?.stop();
			this.#battery = watch;
			if (!watch) this.power = { kind: 'unknown' };
		});
		void this.listDevices();
		this.#stopWatchingOutputs = watchOutputs(() => {
			void this.listDevices().then(() => this.#session.retryOutputChoice());
		});
	}

	/** The chosen playlist changed (or was first known): its files are another set. */
	playlistChanged(playlist: SessionPlaylist): void {
		this.#registerOwnPlaylist(playlist);
		void this.#offline.refresh();
	}

	/** An own playlist's files are a set of their own (curated ones are registered by the store). */
	#registerOwnPlaylist(playlist: SessionPlaylist): void {
		const items = playlistItems(playlist);
		const id = offlineSetOf(playlist);
		if (isCurated(playlist.id) || items.length === 0 || this.#offline.state(id)) return;
		this.#offline.register(id, playlist.title, items);
	}

	async listDevices(): Promise<void> {
		if (!this.#session.canChooseOutput) return;
		const devices = await listOutputs();
		if (this.#disposed) return;
		this.devices = devices;
		this.outputsListed = true;
	}

	/** Performs a line's fix. Call from the line's button: some fixes ask the browser, which wants a tap. */
	async act(action: LineAction, id: LineId): Promise<void> {
		this.message = '';
		switch (action) {
			case 'finish-downloading':
				return this.#offline.makeAvailable(this.#setId);
			case 'cancel-download':
				return this.#offline.cancel();
			case 'ask-storage':
				await this.#offline.askPersistence(this.#setId);
				return;
			case 'mark-done':
				if (this.doneByHand.has(id)) this.doneByHand.delete(id);
				else this.doneByHand.add(id);
				return;
			case 'list-outputs':
				if (!(await askToNameOutputs())) {
					this.message =
						'The browser did not allow it, so it keeps the speakers’ names to itself. The system’s speaker plays the music.';
					return;
				}
				return this.listDevices();
			case 'play-test-sound':
				return this.#playTestSound();
			case 'edit-playlist':
			case 'choose-output':
			case 'none':
				return;
		}
	}

	/** Sends the music to the device with id `deviceId`, from the speaker list. */
	async chooseOutput(deviceId: string): Promise<void> {
		const device = this.devices.find((each) => each.id === deviceId);
		if (!device) return;
		this.message = '';
		const chosen = await this.#session.chooseOutput({ deviceId: device.id, label: device.label });
		if (!chosen.ok) this.message = chosen.reason;
	}

	async #playTestSound(): Promise<void> {
		this.testSound = 'playing';
		const played = await this.#session.playTestSound();
		if (!played.ok) {
			this.testSound = 'failed';
			this.message = played.reason;
			return;
		}
		const { end } = played.value;
		// Marked played once heard to its end; the audio clock, not a page timer, decides when that is.
		await this.#session.untilAudioTime(end);
		if (!this.#disposed && this.testSound === 'playing') this.testSound = 'played';
	}

	dispose(): void {
		this.#disposed = true;
		this.#battery?.stop();
		this.#stopWatchingOutputs?.();
	}
}
