/**
 * The grounding player's state: the script, the run (the pure runner, ticked
 * against the wall clock), where the run is kept for a reload, how the steps
 * are spoken, and eyes-closed mode. The page renders this and calls its
 * methods; every sound goes through ScriptAudio (loaded on the first tap, never
 * before), all storage through ScriptStore and StoredValue.
 *
 * @example
 * const player = new PlayerState();
 * await player.load(location.search); // "?script=closing-session&from=2"
 * await player.begin(); // from a tap
 */
import * as v from 'valibot';
// The sound (Tone, howler) loads on the first tap, keeping it off the first page load.
import type { ScriptAudio } from '$lib/audio/script-audio';
import { systemVoices } from '$lib/audio/speech';
import {
	DEFAULT_VOICE_SETTINGS,
	VOICE_SETTINGS_KEY,
	parseVoiceSettings,
	voiceIdOf,
	type VoiceMode,
	type VoiceSettings
} from '$lib/audio/voice-settings';
import { DEFAULT_SETTINGS as PACER_DEFAULTS, parseStoredSettings, type PacerSettings } from '$lib/breath/settings';
import { SCRIPT_LIMITS, stepHeadline, type GroundingScript } from '$lib/grounding/script';
import {
	continueRun,
	nextStep,
	parseSavedPosition,
	pauseRun,
	previousStep,
	resumeFrom,
	resumeRun,
	runView,
	savedPosition,
	startRun,
	tick,
	type RunState,
	type RunStep,
	type RunView,
	type SavedPosition
} from '$lib/grounding/script-runner';
import { ScreenWakeLock } from '$lib/platform/wake-lock';
import { indexedDbBackend, StoredValue, type KeyValueBackend } from '$lib/storage/key-value';
import { ScriptStore } from '$lib/storage/script-store';
import type { Milliseconds } from '$lib/units';

export const RUN_KEY = 'grounding-run';
/** How often the run is looked at: for the display and step changes the plan has passed, never for sound timing. */
const TICK_EVERY: Milliseconds = 200;
/** How often the place in the run is saved while it plays (and on every step change). */
const SAVE_EVERY: Milliseconds = 3_000;

export type PlayerStatus = 'loading' | 'missing' | 'ready' | 'resumable' | 'starting' | 'playing' | 'finished';

/** A system voice as the page lists it. */
export interface VoiceChoice {
	/** Unique in the list (see `voiceIdOf`): engines may list several voices under one voiceURI. */
	readonly id: string;
	readonly label: string;
}

/** The page's address: which script, and from which step (0-based). Anything odd means the start. */
const querySchema = v.object({
	script: v.pipe(v.string(), v.trim(), v.nonEmpty(), v.maxLength(SCRIPT_LIMITS.scriptId)),
	from: v.optional(
		v.pipe(
			v.string(),
			v.regex(/^\d{1,3}$/),
			v.transform((text) => Number(text))
		)
	)
});

export function parsePlayerQuery(search: string): { scriptId: string; from: number } | null {
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once and never changed: nothing to react to
	const params = new URLSearchParams(search);
	const parsed = v.safeParse(querySchema, {
		script: params.get('script') ?? undefined,
		from: params.get('from') ?? undefined
	});
	return parsed.success ? { scriptId: parsed.output.script, from: parsed.output.from ?? 0 } : null;
}

export class PlayerState {
	status: PlayerStatus = $state('loading');
	script: GroundingScript | null = $state(null);
	run: RunState | null = $state(null);
	now: Milliseconds = $state(Date.now());
	/** The step the Begin button starts from (the address's `from`). */
	from = $state(0);
	voice: VoiceSettings = $state(DEFAULT_VOICE_SETTINGS);
	voices: VoiceChoice[] = $state([]);
	online = $state(true);
	eyesClosed = $state(false);
	/** Something went wrong that the person must know (sound would not start). */
	message = $state('');
	/** Quiet news (a background or a recording that could not be played). */
	notice = $state('');
	/** For screen readers: pauses, resumes, the end. */
	announcement = $state('');

	readonly view: RunView | null = $derived(this.script && this.run ? runView(this.script, this.run, this.now) : null);
	readonly active = $derived(this.status === 'playing' && this.run !== null && this.run.status !== 'finished');
	readonly paused = $derived(this.status === 'playing' && this.run?.status === 'paused');
	readonly waiting = $derived(this.status === 'playing' && this.run?.status === 'waiting');

	#audio: ScriptAudio | undefined;
	#pacer: PacerSettings = PACER_DEFAULTS;
	#timer: ReturnType<typeof setInterval> | undefined;
	#lastSave: Milliseconds = 0;
	#disposed = false;
	readonly #scripts: ScriptStore;
	readonly #voiceStored: StoredValue<VoiceSettings>;
	readonly #pacerStored: StoredValue<PacerSettings>;
	readonly #runStored: StoredValue<SavedPosition | null>;
	readonly #wakeLock = new ScreenWakeLock();
	readonly #onVisibility = (): void => {
		if (document.visibilityState === 'visible') this.#tick();
	};
	readonly #onNetwork = (): void => {
		this.online = navigator.onLine;
		void this.#loadVoices();
	};

	constructor(backend: KeyValueBackend = indexedDbBackend()) {
		this.#scripts = new ScriptStore(backend);
		this.#voiceStored = new StoredValue(backend, VOICE_SETTINGS_KEY, parseVoiceSettings, 'Your voice settings');
		this.#pacerStored = new StoredValue(backend, 'pacer-settings', parseStoredSettings);
		this.#runStored = new StoredValue(backend, RUN_KEY, parseSavedPosition, 'Your place in the script');
	}

	/** Reads the address (`location.search`), the script and what is kept on the device. */
	async load(search: string): Promise<void> {
		// Fetched now, while the person reads, so the tap on Begin waits only for the audio. Importing makes no context.
		import('$lib/audio/script-audio').catch(() => undefined);
		this.online = navigator.onLine;
		window.addEventListener('online', this.#onNetwork);
		window.addEventListener('offline', this.#onNetwork);
		document.addEventListener('visibilitychange', this.#onVisibility);
		const query = parsePlayerQuery(search);
		const [script, voice, pacer, saved] = await Promise.all([
			query ? this.#scripts.get(query.scriptId) : Promise.resolve(null),
			this.#voiceStored.load(),
			this.#pacerStored.load(),
			this.#runStored.load()
		]);
		this.voice = voice;
		this.#pacer = pacer;
		void this.#loadVoices();
		if (!script || !query) {
			this.status = 'missing';
			return;
		}
		this.script = script;
		this.from = Math.min(query.from, script.steps.length - 1);
		if (saved && saved.scriptId === script.id) {
			// Paused at the saved step: nothing sounds until the person taps.
			this.run = resumeFrom(script, saved, Date.now()).state;
			this.status = 'resumable';
		} else {
			this.status = 'ready';
		}
	}

	// ——— starting ———

	/** Starts the script at the address's step. Call from a tap: sound may only start from one. */
	async begin(): Promise<void> {
		const script = this.script;
		if (!script || (this.status !== 'ready' && this.status !== 'resumable' && this.status !== 'finished')) return;
		const back = this.status;
		this.status = 'starting';
		if (!(await this.#ensureAudio(script))) {
			this.status = back;
			return;
		}
		this.#apply(startRun(script, Date.now(), this.from));
		this.status = 'playing';
		this.#startRun();
	}

	/** Carries on a run kept from before a reload, at its step. Call from a tap. */
	async continueSaved(): Promise<void> {
		const script = this.script;
		const run = this.run;
		if (!script || !run || this.status !== 'resumable') return;
		this.status = 'starting';
		if (!(await this.#ensureAudio(script))) {
			this.status = 'resumable';
			return;
		}
		this.status = 'playing';
		this.#apply(resumeRun(script, $state.snapshot(run) as RunState, Date.now()));
		this.#startRun();
	}

	async #ensureAudio(script: GroundingScript): Promise<boolean> {
		if (this.#audio) return true;
		this.message = '';
		try {
			const { ScriptAudio } = await import('$lib/audio/script-audio');
			const made = await ScriptAudio.create(script, {
				voice: $state.snapshot(this.voice) as VoiceSettings,
				cueSet: this.#pacer.cueSet,
				cueVolume: this.#pacer.volume,
				onNotice: (message) => (this.notice = message)
			});
			if (!made.ok) {
				this.message = made.reason;
				return false;
			}
			if (this.#disposed) {
				void made.value.dispose();
				return false;
			}
			this.#audio = made.value;
			return true;
		} catch {
			this.message =
				'The sound could not be started. If you are offline, open Grounded once with a connection so it can be kept on this device, then try again.';
			return false;
		}
	}

	#startRun(): void {
		this.notice = '';
		clearInterval(this.#timer);
		this.#timer = setInterval(() => this.#tick(), TICK_EVERY);
		void this.#wakeLock.request();
	}

	// ——— the person's commands ———

	togglePause(): void {
		if (this.run?.status === 'paused') this.resume();
		else this.pause();
	}

	pause(): void {
		const status = this.run?.status;
		if (status === 'running' || status === 'waiting') this.#command(pauseRun);
	}

	resume(): void {
		if (this.run?.status === 'paused') this.#command(resumeRun);
	}

	/** "Continue when ready", on an open step. */
	continueStep(): void {
		if (this.run?.status === 'waiting') this.#command(continueRun);
	}

	next(): void {
		if (this.active) this.#command(this.run?.status === 'waiting' ? continueRun : nextStep);
	}

	previous(): void {
		if (this.active) this.#command(previousStep);
	}

	/** Ends the run: the sound fades out, and the place is forgotten. */
	async end(): Promise<void> {
		if (this.status !== 'playing') return;
		this.#stopTicking();
		this.status = 'ready';
		this.run = null;
		this.eyesClosed = false;
		this.announcement = 'Ended';
		void this.#wakeLock.release();
		await Promise.all([this.#runStored.save(null), this.#audio?.stop()]);
	}

	toggleEyesClosed(): void {
		this.eyesClosed = !this.eyesClosed;
	}

	// ——— voice ———

	setVoiceMode(mode: VoiceMode): void {
		this.#saveVoice({ ...this.voice, mode });
	}

	setSystemVoice(voiceId: string): void {
		this.#saveVoice({ ...this.voice, voiceId: voiceId || null });
	}

	setRate(rate: number): void {
		if (Number.isFinite(rate)) this.#saveVoice({ ...this.voice, rate });
	}

	#saveVoice(next: VoiceSettings): void {
		const settings = parseVoiceSettings(next);
		this.voice = settings;
		this.#audio?.setVoice(settings);
		void this.#voiceStored.save(settings).then((saved) => {
			if (!saved.ok) this.notice = saved.reason;
		});
	}

	async #loadVoices(): Promise<void> {
		const voices = await systemVoices(navigator.onLine);
		this.voices = voices.map((voice) => ({ id: voiceIdOf(voice, voices), label: `${voice.name} (${voice.lang})` }));
	}

	// ——— the run ———

	#command(command: (script: GroundingScript, state: RunState, at: Milliseconds) => RunStep): void {
		const script = this.script;
		const run = this.run;
		if (!script || !run) return;
		this.#apply(command(script, $state.snapshot(run) as RunState, Date.now()));
	}

	#tick(): void {
		const script = this.script;
		const run = this.run;
		if (!script || !run || this.status !== 'playing') return;
		this.now = Date.now();
		const ticked = tick(script, $state.snapshot(run) as RunState, this.now);
		if (ticked.events.length > 0) this.#apply(ticked);
		if (this.run?.status !== 'finished' && this.now - this.#lastSave >= SAVE_EVERY) void this.#savePlace();
	}

	#apply(step: RunStep): void {
		const script = this.script;
		if (!script) return;
		this.run = step.state;
		this.now = Date.now();
		this.#audio?.follow(step);
		for (const event of step.events) {
			if (event.kind === 'paused') this.announcement = 'Paused';
			else if (event.kind === 'resumed') this.announcement = 'Playing';
			else if (event.kind === 'finished') this.announcement = 'The script has finished';
		}
		if (step.state.status === 'finished') {
			this.#finish();
			return;
		}
		if (step.events.length > 0) void this.#savePlace();
	}

	#finish(): void {
		this.#stopTicking();
		this.status = 'finished';
		this.eyesClosed = false;
		void this.#wakeLock.release();
		void this.#runStored.save(null);
	}

	async #savePlace(): Promise<void> {
		const run = this.run;
		if (!run || run.status === 'finished') return;
		this.#lastSave = Date.now();
		const saved = await this.#runStored.save(savedPosition($state.snapshot(run) as RunState, Date.now()));
		if (!saved.ok) this.notice = saved.reason;
	}

	#stopTicking(): void {
		clearInterval(this.#timer);
		this.#timer = undefined;
	}

	/** A short name for step `index` (0-based), for lists and "next". */
	headline(index: number): string {
		const step = this.script?.steps[index];
		return step ? stepHeadline(step.text) : '';
	}

	/** Saves the place as the page goes away (a reload comes back to it). */
	flushSave(): void {
		if (this.status === 'playing') void this.#savePlace();
	}

	async dispose(): Promise<void> {
		this.#disposed = true;
		this.flushSave();
		this.#stopTicking();
		window.removeEventListener('online', this.#onNetwork);
		window.removeEventListener('offline', this.#onNetwork);
		document.removeEventListener('visibilitychange', this.#onVisibility);
		await this.#wakeLock.release();
		await this.#audio?.dispose();
		this.#audio = undefined;
	}
}
