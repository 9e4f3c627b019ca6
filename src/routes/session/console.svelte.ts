/**
 * The therapist's console: the session in progress, the dosing clock, what
 * plays, and the log. It decides *what* plays *when*; the MusicEngine makes
 * every fade on the audio clock. State is saved on the device as it changes,
 * so a reload restores the session and waits for one tap to fade back in.
 */
// The engine (howler, Tone) loads on the first tap, keeping it off the first page load.
import type { MusicEngine } from '$lib/music/music-engine';
import { TrackSources } from '$lib/library/track-sources';
import { ImportedTrackStore } from '$lib/library/imported-tracks';
import { SUPERSEDED } from '$lib/music/deck';
import type { MusicSource } from '$lib/music/types';
import { ScreenWakeLock } from '$lib/platform/wake-lock';
import { OutputChoiceStore, type OutputChoice } from '$lib/storage/output-choice';
import type { Result } from '$lib/result';
import { isWebKit } from '$lib/platform/webkit';
import { CURATED_PLAYLISTS } from '$lib/session/curated-playlists';
import type { SessionPlaylist } from '$lib/session/playlist';
import { PlaylistStore } from '$lib/storage/playlist-store';
import { importedIdOf } from '$lib/session/playlist-edit';
import { AUDIO_CACHE } from '$lib/offline/cache-names';
import { availability } from '$lib/offline/downloads';
import { canChooseOutput as canChooseOutputHere } from '$lib/platform/output-devices';
import { trackItems } from '$lib/offline/offline-sets';
import { parseSavedSession, type PlayingRecord, type SavedSession } from '$lib/session/saved-session';
import { nextItem } from '$lib/session/sequencer';
import {
	giveDose,
	holdPhase,
	nextPhase,
	releaseHold,
	sessionStartEvent,
	sessionView,
	setMode,
	startSession,
	tick,
	type AdvanceMode,
	type ClockEvent,
	type SessionState,
	type Step
} from '$lib/session/session-clock';
import { formatLogCsv, formatLogText, type LogEntry, type LogKind } from '$lib/session/session-log';
import { indexedDbBackend, StoredValue, type KeyValueBackend } from '$lib/storage/key-value';
import type { Milliseconds, Seconds } from '$lib/units';

export const SESSION_KEY = 'session-console';
/** How often the console looks at the clock: for phase changes and the display, never for fades. */
const CHECK_EVERY: Milliseconds = 500;
/** How often the position is saved while playing. */
const SAVE_EVERY: Milliseconds = 1_000;
/** After this many failures in a row, stop trying items and say so. */
const MAX_FAILURES_IN_A_ROW = 6;
/** How many pieces "Back" can step through. */
const BACK_DEPTH = 20;
/** A piece left this close to its end is gone back to from its start, not from where it was left. */
const BACK_TO_START_WITHIN: Seconds = 30;

/** A piece that played before the current one, and where it was left. */
interface PlayedBefore {
	readonly record: PlayingRecord;
	readonly leftAt: Seconds;
}

/** Whether a track plays without the network: imported, or a curated one made available offline. */
async function onDevice(trackId: string): Promise<boolean> {
	if (importedIdOf(trackId) !== null) return true;
	const items = trackItems([trackId]);
	return items.length > 0 && (await availability(items, { cacheName: AUDIO_CACHE })).complete;
}

/** An item's key in a session: its phase, its place there (or the fallback), and how many played before it. */
function itemKeyOf(phaseId: string, index: number | null, playedBefore: number): string {
	return `${phaseId}:${index ?? 'fallback'}:${playedBefore}`;
}

export type ConsoleStatus = 'loading' | 'choosing' | 'resumable' | 'starting' | 'playing' | 'paused';

export class ConsoleState {
	/** The curated playlists, then the therapist's own. */
	playlists: readonly SessionPlaylist[] = $state(CURATED_PLAYLISTS);
	status: ConsoleStatus = $state('loading');
	playlistId: string = $state(CURATED_PLAYLISTS[0]!.id);
	clock: SessionState | null = $state(null);
	history: { index: number; startedAt: Milliseconds }[] = $state([]);
	log: LogEntry[] = $state([]);
	playing: PlayingRecord | null = $state(null);
	nowPlaying = $state('');
	/** Position in the playing piece, in seconds. */
	position: Seconds = $state(0);
	now: Milliseconds = $state(Date.now());
	ducked = $state(false);
	locked = $state(false);
	volume = $state(0.8);
	crossfadeSeconds: Seconds = $state(6);
	message = $state('');
	/** "Back" has somewhere to go: an earlier piece of this phase, or the start of the current track. */
	canGoBack = $state(false);
	/** A saved session waiting for the therapist's tap. */
	saved: SavedSession | null = $state(null);
	/** The speaker chosen for the music (kept on the device), or null for the system's choice. */
	outputChoice: OutputChoice | null = $state(null);
	/** The speaker chosen before could not be used (not connected): the system's plays instead. */
	outputMissing = $state(false);
	/** The speaker the music plays from now: a device id, '' for the system's; read back from the context. */
	outputDevice = $state('');

	readonly playlist: SessionPlaylist = $derived(
		this.playlists.find((playlist) => playlist.id === this.playlistId) ?? this.playlists[0]!
	);
	readonly view = $derived(this.clock ? sessionView(this.playlist, this.clock, this.now) : null);

	#engine: MusicEngine | undefined;
	/** The engine being made (by the first tap, or ahead of it), so that two callers share one. */
	#making: Promise<boolean> | undefined;
	#disposed = false;
	#timer: ReturnType<typeof setInterval> | undefined;
	#lastSave: Milliseconds = 0;
	#played: Record<string, number[]> = {};
	#failed: Record<string, number[]> = {};
	#busy = false;
	/** Pieces played before the current one, most recent last (this page's memory only). */
	#behind: PlayedBefore[] = [];
	readonly #stored: StoredValue<SavedSession | null>;
	readonly #ownPlaylists: PlaylistStore;
	readonly #sources: TrackSources;
	readonly #wakeLock = new ScreenWakeLock();
	readonly #outputChoices: OutputChoiceStore;

	constructor(backend: KeyValueBackend = indexedDbBackend()) {
		this.#stored = new StoredValue(backend, SESSION_KEY, parseSavedSession, 'The session');
		this.#outputChoices = new OutputChoiceStore(backend);
		this.#ownPlaylists = new PlaylistStore(backend);
		this.#sources = new TrackSources({ store: new ImportedTrackStore({ backend }) });
	}

	/** `search` may name a playlist to choose (`?playlist=<id>`, from the client's home); a saved session comes first. */
	async load(search = ''): Promise<void> {
		// Fetched and evaluated now, while the therapist reads, so the tap on Start waits for nothing
		// but the audio. Importing makes no AudioContext; a failure here shows on the tap instead.
		import('$lib/music/music-engine').catch(() => undefined);
		const [own, , outputChoice] = await Promise.all([
			this.#ownPlaylists.listOwn(),
			this.#sources.load(),
			this.#outputChoices.load()
		]);
		this.outputChoice = outputChoice;
		// What the music will play from once its engine is made (it reads the context back then).
		if (!this.#engine) this.outputDevice = outputChoice?.deviceId ?? '';
		this.playlists = [...CURATED_PLAYLISTS, ...own];
		const saved = await this.#stored.load();
		const savedPlaylist = saved && this.playlists.find((playlist) => playlist.id === saved.playlistId);
		// An own playlist edited or deleted since leaves the saved place meaningless: it is not offered.
		const fits = !!savedPlaylist && saved.clock.phaseIndex < savedPlaylist.phases.length;
		if (saved && savedPlaylist && !fits) {
			this.message = `The session in progress can’t be restored: its playlist “${savedPlaylist.title}” was changed since. Start it again below.`;
		}
		if (saved && fits) {
			this.saved = saved;
			this.playlistId = saved.playlistId;
			this.log = saved.log;
			this.crossfadeSeconds = saved.crossfadeSeconds;
			this.volume = saved.volume;
			this.status = 'resumable';
		} else {
			this.status = 'choosing';
			// eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, never changed
			const asked = new URLSearchParams(search).get('playlist');
			if (asked && this.playlists.some((playlist) => playlist.id === asked)) this.choose(asked);
			else void this.#prepareFirst({ chosen: false });
		}
	}

	choose(id: string): void {
		if (this.status !== 'choosing' || !this.playlists.some((playlist) => playlist.id === id)) return;
		this.playlistId = id;
		void this.#prepareFirst({ chosen: true });
	}

	/**
	 * Loads the playlist's first track while the therapist reads, in an engine whose context waits
	 * for the tap, so that Start waits only for the sound itself. Over the network only once the
	 * therapist has chosen the playlist: the selection a page opens with is no reason to spend their
	 * data; a track already on the device (imported, or made available offline) costs nothing.
	 */
	async #prepareFirst({ chosen }: { chosen: boolean }): Promise<void> {
		// Not in WebKit, where a track routed into a context made before the tap fell silent a second
		// or two after it began (see MusicEngine.prepare): there the engine and the track wait for the tap.
		if (isWebKit()) return;
		const playlistId = this.playlistId;
		const phase = this.playlist.phases[0];
		if (!phase) return;
		const first = nextItem(phase, { played: [], failed: [], remaining: phase.minutes * 60 }, (trackId) =>
			this.#sources.durationOf(trackId)
		);
		if (first.item.kind !== 'track') return;
		if (!chosen && !(await onDevice(first.item.trackId))) return;
		const engine = await this.#ensureEngine({ gesture: false });
		const source = await this.#sources.sourceOf(first.item, itemKeyOf(phase.id, first.index, 0));
		// Still choosing the same playlist, and nothing started meanwhile.
		if (!engine || !source || source.kind !== 'track' || this.status !== 'choosing' || this.playlistId !== playlistId)
			return;
		this.#engine?.prepare(source);
	}

	// ——— starting and resuming ———

	/** Starts the chosen playlist. Call from a tap: sound may only start from one. */
	async start(): Promise<void> {
		if (this.status !== 'choosing') return;
		// Within the tap itself, before any await: iOS resumes a context only from a gesture's own call.
		void this.#engine?.wake(true);
		this.status = 'starting';
		if (!(await this.#ensureEngine())) {
			this.status = 'choosing';
			return;
		}
		const at = Date.now();
		const mode: AdvanceMode = 'auto';
		this.clock = startSession(at, mode);
		this.history = [{ index: 0, startedAt: at }];
		this.#played = {};
		this.#failed = {};
		this.#behind = [];
		this.log = [];
		this.#record(sessionStartEvent(this.playlist, this.clock));
		this.status = 'playing';
		await this.#playNext();
		this.#startChecking();
		void this.#wakeLock.request();
	}

	/** Restores the saved session and fades back in where it was. Call from a tap. */
	async resumeSaved(): Promise<void> {
		if (this.status !== 'resumable' || !this.saved) return;
		// A plain copy: the saved state is reactive, and its parts become private, cloneable records here.
		const saved = $state.snapshot(this.saved) as SavedSession;
		this.status = 'starting';
		if (!(await this.#ensureEngine())) {
			this.status = 'resumable';
			return;
		}
		this.clock = saved.clock;
		this.history = saved.history;
		this.#played = saved.played;
		this.#failed = saved.failed;
		this.#behind = [];
		this.saved = null;
		this.#logEvent(Date.now(), 'resume', 'Session restored after the page was closed or reloaded');
		this.status = 'playing';
		const step = tick(this.playlist, this.clock, Date.now());
		this.#applyClock(step, false);
		const playing = saved.playing;
		if (playing && playing.phaseIndex === this.clock.phaseIndex) {
			const source = await this.#sources.sourceOf(playing.item, playing.key);
			const result = source ? await this.#engine!.play(source, { offset: saved.position }) : undefined;
			if (result?.ok) {
				this.playing = { ...playing, startedAt: Date.now() - saved.position * 1000 };
				this.nowPlaying = source!.title;
				this.#updateCanGoBack();
			} else {
				await this.#playNext();
			}
		} else {
			await this.#playNext();
		}
		this.#startChecking();
		void this.#wakeLock.request();
	}

	/** Forgets the saved session without playing it. */
	async discardSaved(): Promise<void> {
		this.saved = null;
		this.log = [];
		this.status = 'choosing';
		await this.#stored.save(null);
	}

	/** Makes the engine once; from a tap (`gesture`) its context starts, otherwise it waits suspended for one. */
	async #ensureEngine({ gesture = true }: { gesture?: boolean } = {}): Promise<boolean> {
		if (this.#engine) return true;
		const making = (this.#making ??= this.#makeEngine());
		const made = await making;
		if (!made) {
			this.#making = undefined;
			if (gesture)
				this.message = 'The music could not be started. Check that this device can play sound, then try again.';
		} else if (gesture) {
			// Made ahead of the tap, its context waits for this one.
			await (this.#engine as MusicEngine | undefined)?.wake(true);
		}
		return made;
	}

	async #makeEngine(): Promise<boolean> {
		try {
			const { MusicEngine } = await import('$lib/music/music-engine');
			if (this.#disposed) return false;
			const engine = MusicEngine.createSuspended({ formatOf: (src) => this.#sources.formatOf(src) });
			engine.crossfadeSeconds = this.crossfadeSeconds;
			engine.setVolume(this.volume);
			engine.onNearEnd = (source) => {
				if (source.key === this.playing?.key) void this.#playNext();
			};
			this.#engine = engine;
			await this.#applyOutputChoice(engine);
			return true;
		} catch {
			return false;
		}
	}

	// ——— before the session: the test sound and the speaker ———

	/** Plays the test sound at the session's volume from the chosen speaker. Call from a tap. */
	async playTestSound(): Promise<Result<{ start: Seconds; end: Seconds }>> {
		// Within the tap itself, before any await (see start()).
		void this.#engine?.wake(true);
		if (this.status !== 'choosing') return { ok: false, reason: 'The test sound is for before the music starts.' };
		if (!(await this.#ensureEngine())) return { ok: false, reason: 'This device could not play sound.' };
		return this.#engine!.playTestSound();
	}

	/** Resolves once the music's audio clock has passed `time`. */
	untilAudioTime(time: Seconds): Promise<void> {
		return this.#engine?.untilTime(time) ?? Promise.resolve();
	}

	/** How many of the therapist's own pieces `playlist` names that are not in “Your music” here (read at load). */
	missingImported(playlist: SessionPlaylist): number {
		const ids = playlist.phases.flatMap((phase) =>
			phase.items.flatMap((item) =>
				item.kind === 'track' && importedIdOf(item.trackId) !== null ? [item.trackId] : []
			)
		);
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local count, never state
		return new Set(ids.filter((trackId) => this.#sources.durationOf(trackId) === undefined)).size;
	}

	/** Whether the music can be sent to a chosen speaker in this browser. */
	get canChooseOutput(): boolean {
		return this.#engine?.canChooseOutput ?? canChooseOutputHere();
	}

	/**
	 * Sends the music to `device` ('' for the system's choice) and keeps the choice on this device,
	 * so a reload plays from it again. A speaker that can't be used leaves things as they were.
	 */
	async chooseOutput(device: OutputChoice): Promise<Result<void>> {
		if (!(await this.#ensureEngine({ gesture: false })))
			return { ok: false, reason: 'The music could not be set up on this device.' };
		const applied = await this.#engine!.setOutputDevice(device.deviceId);
		if (!applied.ok) return applied;
		this.outputDevice = this.#engine!.outputDevice;
		this.outputMissing = false;
		const saved = await this.#outputChoices.save(device);
		if (!saved.ok) return saved;
		this.outputChoice = device;
		return { ok: true, value: undefined };
	}

	/** Tries the kept speaker again (it may have been plugged in since it was found missing). */
	async retryOutputChoice(): Promise<void> {
		if (this.outputMissing && this.#engine) await this.#applyOutputChoice(this.#engine);
	}

	/** The kept choice, applied to a new engine; one not connected now is reported, and kept for later. */
	async #applyOutputChoice(engine: MusicEngine): Promise<void> {
		const choice = this.outputChoice;
		if (choice && choice.deviceId !== '' && engine.canChooseOutput) {
			this.outputMissing = !(await engine.setOutputDevice(choice.deviceId)).ok;
		}
		this.outputDevice = engine.outputDevice;
	}

	// ——— the therapist's actions ———

	dose(): void {
		if (!this.clock || this.locked) return;
		this.#applyClock(giveDose(this.playlist, this.clock, Date.now()));
	}

	toggleHold(): void {
		if (!this.clock || this.locked) return;
		const at = Date.now();
		this.#applyClock(
			this.clock.held ? releaseHold(this.playlist, this.clock, at) : holdPhase(this.playlist, this.clock, at)
		);
	}

	nextPhase(): void {
		if (!this.clock || this.locked) return;
		this.#applyClock(nextPhase(this.playlist, this.clock, Date.now()));
	}

	setMode(mode: AdvanceMode): void {
		if (!this.clock || this.locked) return;
		this.#applyClock(setMode(this.playlist, this.clock, mode, Date.now()));
	}

	toggleDuck(): void {
		if (!this.#engine || this.locked || this.status !== 'playing') return;
		this.ducked = !this.ducked;
		this.#engine.duck(this.ducked);
		this.#logEvent(Date.now(), 'duck', this.ducked ? 'Music lowered for talking' : 'Music back to its level');
	}

	async togglePause(): Promise<void> {
		if (!this.#engine || this.locked) return;
		if (this.status === 'playing') {
			this.status = 'paused';
			this.#logEvent(Date.now(), 'pause', 'Paused');
			this.#save(true);
			await this.#engine.pause();
		} else if (this.status === 'paused') {
			this.status = 'playing';
			this.#logEvent(Date.now(), 'resume', 'Resumed');
			await this.#engine.resume();
		}
	}

	async skip(): Promise<void> {
		if (!this.clock || this.locked || this.status !== 'playing') return;
		this.#logEvent(Date.now(), 'skip', `Skipped ${this.nowPlaying}`);
		await this.#playNext();
	}

	/**
	 * Crossfades back to the piece before this one in the phase, where it was
	 * left (a skip made by mistake is undone); with none, to the start of the
	 * current track.
	 */
	async back(): Promise<void> {
		if (!this.clock || !this.#engine || this.locked || this.status !== 'playing' || this.#busy) return;
		const earlier = this.#behind.at(-1);
		const target = earlier && earlier.record.phaseIndex === this.clock.phaseIndex ? earlier : undefined;
		const record = target?.record ?? (this.playing?.item.kind === 'track' ? this.playing : null);
		if (!record) return;
		this.#busy = true;
		try {
			const source = await this.#sources.sourceOf(record.item, record.key);
			if (!source) return;
			const offset = target?.leftAt ?? 0;
			const result = await this.#engine.play(source, { offset });
			if (!result.ok) {
				if (result.reason !== SUPERSEDED) this.message = `Could not go back: ${result.reason}`;
				return;
			}
			if (target) this.#behind.pop();
			this.#logEvent(Date.now(), 'skip', target ? `Back to ${source.title}` : `Back to the start of ${source.title}`);
			this.#nowPlays(record, source, Date.now() - offset * 1000);
		} finally {
			this.#busy = false;
		}
	}

	/** Fades out and ends the session; the log stays for export until a new session starts. */
	async stop(): Promise<void> {
		if (!this.#engine || this.locked) return;
		this.#stopChecking();
		this.#closeItem(Date.now());
		this.#logEvent(Date.now(), 'session-end', 'Session ended');
		this.status = 'choosing';
		this.clock = null;
		this.playing = null;
		this.nowPlaying = '';
		this.ducked = false;
		this.canGoBack = false;
		await this.#stored.save(null);
		void this.#wakeLock.release();
		await this.#engine.stop();
		// Ready for the next session's tap.
		void this.#prepareFirst({ chosen: false });
	}

	setVolume(volume: number): void {
		this.volume = Math.min(1, Math.max(0, volume));
		this.#engine?.setVolume(this.volume);
	}

	setCrossfade(seconds: Seconds): void {
		this.crossfadeSeconds = Math.min(12, Math.max(0, seconds));
		if (this.#engine) this.#engine.crossfadeSeconds = this.crossfadeSeconds;
	}

	toggleLock(): void {
		this.locked = !this.locked;
	}

	// ——— the log ———

	exportText(): string {
		return formatLogText(this.log, { doseAt: this.clock?.doseAt ?? this.saved?.clock.doseAt ?? null });
	}

	exportCsv(): string {
		return formatLogCsv(this.log, { doseAt: this.clock?.doseAt ?? this.saved?.clock.doseAt ?? null });
	}

	#record(event: ClockEvent): void {
		this.log = [...this.log, { at: event.at, kind: event.kind, text: event.text }];
	}

	#logEvent(at: Milliseconds, kind: LogKind, text: string): void {
		this.log = [...this.log, { at, kind, text }];
	}

	#closeItem(at: Milliseconds): void {
		for (let i = this.log.length - 1; i >= 0; i -= 1) {
			const entry = this.log[i]!;
			if (entry.kind === 'item') {
				if (entry.endedAt === null) this.log[i] = { ...entry, endedAt: at };
				return;
			}
		}
	}

	// ——— the clock and the sequence ———

	#applyClock(step: Step, playOnPhaseChange = true): void {
		if (!this.clock) return;
		const before = this.clock.phaseIndex;
		this.clock = step.state;
		for (const event of step.events) {
			this.#record(event);
			if (event.kind === 'phase')
				this.history = [...this.history, { index: step.state.phaseIndex, startedAt: event.at }];
		}
		if (step.state.phaseIndex !== before && playOnPhaseChange) void this.#playNext();
		this.#save(true);
	}

	#startChecking(): void {
		this.#stopChecking();
		this.#timer = setInterval(() => this.#check(), CHECK_EVERY);
	}

	#stopChecking(): void {
		clearInterval(this.#timer);
		this.#timer = undefined;
	}

	#check(): void {
		this.now = Date.now();
		this.position = this.#engine?.current?.position ?? 0;
		if (!this.clock || this.status !== 'playing') return;
		const step = tick(this.playlist, this.clock, this.now);
		if (step.events.length > 0) this.#applyClock(step);
		const playing = this.playing;
		if (playing?.playFor != null && this.now - playing.startedAt >= playing.playFor * 1000) void this.#playNext();
		if (this.now - this.#lastSave >= SAVE_EVERY) this.#save(false);
	}

	/** Plays the next item of the current phase, passing over items that fail, never leaving silence for long. */
	async #playNext(): Promise<void> {
		if (!this.clock || !this.#engine || this.#busy) return;
		this.#busy = true;
		try {
			const leaving = this.#leaving();
			for (let attempt = 0; attempt < MAX_FAILURES_IN_A_ROW; attempt += 1) {
				const phaseIndex: number = this.clock.phaseIndex;
				const phase = this.playlist.phases[phaseIndex]!;
				const key = String(phaseIndex);
				const played = this.#played[key] ?? [];
				const failed = this.#failed[key] ?? [];
				const remaining = this.view?.phaseRemaining ?? null;
				const next = nextItem(
					phase,
					{ played, failed, remaining: remaining === null ? null : remaining / 1000 },
					(trackId) => this.#sources.durationOf(trackId)
				);
				const itemKey = itemKeyOf(phase.id, next.index, played.length);
				const source: MusicSource | undefined = await this.#sources.sourceOf(next.item, itemKey);
				const result = source
					? await this.#engine.play(source)
					: { ok: false as const, reason: 'This track is not on this device (it may have been removed).' };
				const at = Date.now();
				if (result.ok && source) {
					if (leaving) this.#behind = [...this.#behind, leaving].slice(-BACK_DEPTH);
					if (next.index !== null) this.#played[key] = [...played, next.index];
					const record = {
						key: itemKey,
						phaseIndex,
						itemIndex: next.index,
						item: next.item,
						startedAt: at,
						playFor: next.playFor
					};
					this.#nowPlays(record, source, at);
					return;
				}
				// A pause, a stop or another play took over while this one loaded: it decides what plays now.
				if (!result.ok && result.reason === SUPERSEDED) return;
				this.#logEvent(
					at,
					'problem',
					`Could not play ${source?.title ?? 'an item'}: ${result.ok ? '' : result.reason} Moving on.`
				);
				if (next.index !== null) this.#failed[key] = [...(this.#failed[key] ?? []), next.index];
				if (next.item.kind === 'soundscape') break;
			}
			this.message = 'Several items in a row could not be played. The music that was playing carries on.';
		} finally {
			this.#busy = false;
		}
	}

	/** The piece being left, to come back to; a track near its end is come back to from its start. */
	#leaving(): PlayedBefore | null {
		const playing = this.playing;
		const current = this.#engine?.current;
		if (!playing || !current) return null;
		const position = current.position;
		const nearEnd = current.duration !== undefined && current.duration - position < BACK_TO_START_WITHIN;
		return { record: $state.snapshot(playing) as PlayingRecord, leftAt: nearEnd ? 0 : position };
	}

	/** Records that `source` now plays (it began `startedAt`, wall clock): the log, the display, the lock screen. */
	#nowPlays(record: PlayingRecord, source: MusicSource, startedAt: Milliseconds): void {
		const at = Date.now();
		const phase = this.playlist.phases[record.phaseIndex];
		this.#closeItem(at);
		this.log = [...this.log, { at, kind: 'item', text: `${source.title} (${phase?.name ?? ''})`, endedAt: null }];
		this.playing = { ...record, startedAt };
		this.nowPlaying = source.title;
		this.#updateCanGoBack();
		this.#showOnLockScreen();
		this.#save(true);
	}

	#updateCanGoBack(): void {
		const phaseIndex = this.clock?.phaseIndex;
		this.canGoBack = this.#behind.at(-1)?.record.phaseIndex === phaseIndex || this.playing?.item.kind === 'track';
	}

	/**
	 * Lock-screen and headset controls. They appear only while a media element
	 * plays (w3c/mediasession #213), which the track decks provide.
	 */
	#showOnLockScreen(): void {
		if (!('mediaSession' in navigator)) return;
		navigator.mediaSession.metadata = new MediaMetadata({
			title: this.nowPlaying,
			artist: 'Grounded',
			album: this.playlist.title
		});
		navigator.mediaSession.setActionHandler('play', () => void this.togglePause());
		navigator.mediaSession.setActionHandler('pause', () => void this.togglePause());
		navigator.mediaSession.setActionHandler('nexttrack', () => void this.skip());
		navigator.mediaSession.setActionHandler('previoustrack', () => void this.back());
		navigator.mediaSession.setActionHandler('stop', () => void this.stop());
	}

	#save(force: boolean): void {
		const now = Date.now();
		if (!force && now - this.#lastSave < SAVE_EVERY) return;
		if (!this.clock) return;
		this.#lastSave = now;
		const snapshot: SavedSession = {
			version: 1,
			playlistId: this.playlistId,
			clock: $state.snapshot(this.clock) as SessionState,
			history: $state.snapshot(this.history),
			played: structuredClone(this.#played),
			failed: structuredClone(this.#failed),
			playing: this.playing ? ($state.snapshot(this.playing) as PlayingRecord) : null,
			position: this.#engine?.current?.position ?? 0,
			savedAt: now,
			paused: this.status === 'paused',
			log: $state.snapshot(this.log) as LogEntry[],
			crossfadeSeconds: this.crossfadeSeconds,
			volume: this.volume
		};
		void this.#stored.save(snapshot).then((result) => {
			if (!result.ok) this.message = result.reason;
		});
	}

	async dispose(): Promise<void> {
		this.#disposed = true;
		this.#stopChecking();
		this.#save(true);
		await this.#wakeLock.release();
		const engine = this.#engine;
		this.#engine = undefined;
		await engine?.dispose();
		this.#sources.dispose();
	}
}
