/**
 * The breath pacer's state: settings (checked and remembered), the practice in
 * progress, and where it stands on the audio clock.
 *
 * Opened with a therapist's practice (`load(senderId)`), it runs that practice with this
 * device's own haptics and announcements, and saves nothing: the person's own settings are
 * overwritten only when they change something themselves (`commitDraft`).
 *
 * The page renders this and calls its methods; all sound goes through the
 * CueEngine, all storage through StoredValue and TakeHomeStore.
 */
import * as v from 'valibot';
import { CueEngine } from '$lib/audio/cue-engine';
import type { CueRun } from '$lib/audio/cue-run';
import { PHASE_NAMES, type PhaseKind } from '$lib/breath/patterns';
import {
	DEFAULT_SETTINGS,
	customProblems,
	parseStoredSettings,
	settingsProblems,
	timelineRequestOf,
	type FieldProblem,
	type PacerSettings
} from '$lib/breath/settings';
import { breathStartAt, buildTimeline, fullnessAt, positionAt, type Timeline } from '$lib/breath/timeline';
import { pulseForPhase } from '$lib/platform/haptics';
import { ScreenWakeLock } from '$lib/platform/wake-lock';
import { indexedDbBackend, StoredValue, type KeyValueBackend } from '$lib/storage/key-value';
import { settingsOfPractice, type BreathingPractice } from '$lib/take-home/practice';
import { TakeHomeStore } from '$lib/take-home/take-home-store';
import type { Milliseconds, Seconds } from '$lib/units';

export const SETTINGS_KEY = 'pacer-settings';

/** How long the audio clock may stand still, while visible, before we try to wake it, then give up. */
const CLOCK_WAKE_MS: Milliseconds = 1_000;
const CLOCK_GIVE_UP_MS: Milliseconds = 4_000;

export type PracticeStatus = 'idle' | 'starting' | 'running' | 'paused' | 'finished';

type AnyProblem = FieldProblem<string>;

/** A sender's id in `?practice=`, as take-home records name them; anything else is no practice. */
const senderParam = v.pipe(v.string(), v.maxLength(80), v.regex(/^[A-Za-z0-9_-]+$/));

/** The sender whose practice the address asks for (`?practice=<senderId>`), or null. */
export function practiceParam(search: string): string | null {
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, never state
	const parsed = v.safeParse(senderParam, new URLSearchParams(search).get('practice'));
	return parsed.success ? parsed.output : null;
}

/** Settings with one group of fields taken from `draft` when that group is valid. */
function acceptValidGroups(saved: PacerSettings, draft: PacerSettings): PacerSettings {
	const custom = customProblems(draft.custom).length === 0 ? draft.custom : saved.custom;
	const candidate: PacerSettings = { ...draft, custom };
	const problems = settingsProblems(candidate).map((p) => p.field);
	return {
		...candidate,
		custom: { ...custom },
		coherentRate: problems.includes('coherentRate') ? saved.coherentRate : candidate.coherentRate,
		length: problems.includes('minutes') || problems.includes('breaths') ? saved.length : { ...candidate.length },
		ramp: problems.includes('fromRate') || problems.includes('rampMinutes') ? saved.ramp : { ...candidate.ramp }
	};
}

export class PacerState {
	/** What is saved and used. */
	settings: PacerSettings = $state(DEFAULT_SETTINGS);
	/** What the form shows, which may hold a value not yet valid. */
	draft: PacerSettings = $state(structuredClone(DEFAULT_SETTINGS));
	loaded = $state(false);
	status: PracticeStatus = $state('idle');
	/** Timeline position heard now, in seconds. */
	position: Seconds = $state(0);
	/** Plain-words message when something went wrong (sound would not start, a save failed). */
	message = $state('');
	/** The words for screen readers, changed at each phase. */
	announcement = $state('');
	/** The therapist's practice the pacer was opened with, if any. */
	practice: BreathingPractice | null = $state.raw(null);
	/** Why the practice asked for could not be opened, in plain words. */
	practiceMessage = $state('');

	/** True once the settings differ from the practice's (the person changed something, and it is saved as theirs). */
	readonly practiceChanged: boolean = $derived.by(() => {
		const practice = this.practice;
		if (!practice) return false;
		return Object.entries(practice.settings).some(
			([field, value]) => JSON.stringify(this.settings[field as keyof PacerSettings]) !== JSON.stringify(value)
		);
	});

	readonly problems: AnyProblem[] = $derived.by(() => {
		const custom = this.draft.pattern === 'custom' ? customProblems(this.draft.custom) : [];
		return [...custom, ...settingsProblems(this.draft)];
	});

	/** The timeline being practised, or the one the current settings would give. */
	readonly timeline: Timeline = $derived.by(
		() => this.#activeTimeline ?? buildTimeline(timelineRequestOf(this.settings))
	);

	readonly current = $derived(positionAt(this.timeline, this.position));
	readonly fullness = $derived(fullnessAt(this.timeline, this.position));
	readonly phaseName = $derived(this.current ? PHASE_NAMES[this.current.event.kind] : '');
	readonly secondsLeft = $derived(this.current ? Math.ceil(this.current.remaining - 1e-6) : 0);
	/** 0–1 through the whole practice. */
	readonly overallProgress = $derived(this.timeline.end > 0 ? Math.min(1, this.position / this.timeline.end) : 0);

	#activeTimeline: Timeline | undefined = $state(undefined);
	#engine: CueEngine | undefined;
	#run: CueRun | undefined;
	#frame = 0;
	#lastEventIndex = -1;
	#pausedAt: Seconds = 0;
	#lastClock: Seconds = -1;
	#lastClockWall: Milliseconds = 0;
	#saveTimer: ReturnType<typeof setTimeout> | undefined;
	readonly #stored: StoredValue<PacerSettings>;
	readonly #takeHome: TakeHomeStore;
	readonly #wakeLock = new ScreenWakeLock();
	readonly #onVisibility = (): void => {
		if (document.visibilityState === 'visible') this.#tick();
	};

	constructor(backend: KeyValueBackend = indexedDbBackend()) {
		this.#stored = new StoredValue(backend, SETTINGS_KEY, parseStoredSettings);
		this.#takeHome = new TakeHomeStore(backend);
	}

	/**
	 * Reads the person's settings; with `practiceFrom` (a sender's id, from `?practice=`), runs
	 * that sender's breathing practice instead, without saving it over the person's settings.
	 */
	async load(practiceFrom: string | null = null): Promise<void> {
		const [device, record] = await Promise.all([
			this.#stored.load(),
			practiceFrom === null ? Promise.resolve(null) : this.#takeHome.get(practiceFrom)
		]);
		const practice = record?.breathing ?? null;
		if (practiceFrom !== null && !practice) {
			this.practiceMessage =
				'The breathing practice this page was asked for is not on this device. Here is the pacer with your own settings.';
		}
		this.practice = practice;
		const settings = practice ? settingsOfPractice(practice, device) : device;
		this.settings = settings;
		this.draft = structuredClone(settings);
		this.loaded = true;
	}

	/** Call after any form change: keeps what is valid, and saves it. */
	commitDraft(): void {
		const next = acceptValidGroups(this.settings, $state.snapshot(this.draft) as PacerSettings);
		if (JSON.stringify(next) === JSON.stringify(this.settings)) return;
		const volumeChanged = next.volume !== this.settings.volume;
		this.settings = next;
		if (volumeChanged) this.#engine?.setVolume(next.volume);
		// A slider drag makes many changes; one write when it settles is enough.
		clearTimeout(this.#saveTimer);
		this.#saveTimer = setTimeout(() => {
			this.#saveTimer = undefined;
			void this.#save();
		}, 250);
	}

	async #save(): Promise<void> {
		const result = await this.#stored.save($state.snapshot(this.settings) as PacerSettings);
		this.message = result.ok ? '' : result.reason;
	}

	get canStart(): boolean {
		return this.loaded && this.problems.length === 0 && (this.status === 'idle' || this.status === 'finished');
	}

	get practising(): boolean {
		return this.status === 'running' || this.status === 'paused' || this.status === 'starting';
	}

	/** Starts practice. Call from a click or key press: sound may only start from a gesture. */
	async start(): Promise<void> {
		if (!this.canStart) return;
		this.status = 'starting';
		this.message = '';
		const engine = await this.#ensureEngine();
		if (!engine) {
			this.status = 'idle';
			return;
		}
		this.#activeTimeline = buildTimeline(timelineRequestOf(this.settings));
		this.#lastEventIndex = -1;
		this.#begin(engine, 0);
		void this.#wakeLock.request();
	}

	async #ensureEngine(): Promise<CueEngine | undefined> {
		if (this.#engine) {
			await this.#engine.wake();
			return this.#engine;
		}
		try {
			this.#engine = await CueEngine.create(this.settings.volume);
			document.addEventListener('visibilitychange', this.#onVisibility);
			return this.#engine;
		} catch {
			this.message =
				'The sound could not be started. If you are offline, open Grounded once with a connection so it can be kept on this device, then try again.';
			return undefined;
		}
	}

	#begin(engine: CueEngine, from: Seconds): void {
		this.#run = engine.startRun(this.timeline, this.settings.cueSet, from);
		this.position = from;
		this.status = 'running';
		this.#loop();
	}

	pause(): void {
		if (this.status !== 'running' || !this.#run) return;
		this.#run.stop();
		// Resuming restarts the interrupted breath from its in-breath: the natural place to pick up.
		this.#pausedAt = breathStartAt(this.timeline, this.position);
		this.#run = undefined;
		this.status = 'paused';
		this.announce('Paused');
		cancelAnimationFrame(this.#frame);
	}

	async resume(): Promise<void> {
		if (this.status !== 'paused') return;
		const engine = await this.#ensureEngine();
		if (!engine) return;
		this.#lastEventIndex = -1;
		this.#begin(engine, this.#pausedAt);
	}

	/** Ends practice with a short fade; nothing stops abruptly. */
	stop(): void {
		this.#run?.stop();
		this.#run = undefined;
		this.#end('idle');
		this.announce('Stopped');
	}

	#end(status: PracticeStatus): void {
		cancelAnimationFrame(this.#frame);
		this.status = status;
		this.#activeTimeline = undefined;
		this.position = 0;
		void this.#wakeLock.release();
	}

	#loop(): void {
		cancelAnimationFrame(this.#frame);
		const frame = (): void => {
			this.#tick();
			if (this.status === 'running') this.#frame = requestAnimationFrame(frame);
		};
		this.#frame = requestAnimationFrame(frame);
	}

	/** Reads the audio clock and brings the visible state up to it. */
	#tick(): void {
		const run = this.#run;
		const engine = this.#engine;
		if (this.status !== 'running' || !run || !engine) return;
		if (this.#clockStuck(engine)) return;
		const heard = engine.heardNow;
		if (heard >= run.endsAt) {
			this.#run = undefined;
			this.#end('finished');
			this.announce('Practice complete');
			return;
		}
		this.position = Math.max(run.from, run.positionAt(heard));
		const at = this.current;
		if (at && at.event.index !== this.#lastEventIndex) {
			this.#lastEventIndex = at.event.index;
			this.#onPhaseChange(at.event.kind);
		}
	}

	/**
	 * A context can stick in 'suspended' or 'interrupted' after a call or a lock
	 * (howler #1660, #1771): try to wake it, and if the clock still stands,
	 * pause honestly and say so rather than show a breath that is not sounding.
	 */
	#clockStuck(engine: CueEngine): boolean {
		const wall = performance.now();
		if (engine.now !== this.#lastClock || document.visibilityState !== 'visible') {
			this.#lastClock = engine.now;
			this.#lastClockWall = wall;
			return false;
		}
		const stalled = wall - this.#lastClockWall;
		if (stalled > CLOCK_GIVE_UP_MS) {
			this.pause();
			this.message = 'The device paused the sound. Tap Resume to carry on from the start of this breath.';
			return true;
		}
		if (stalled > CLOCK_WAKE_MS) void engine.wake();
		return false;
	}

	#onPhaseChange(kind: PhaseKind): void {
		if (this.settings.haptics) pulseForPhase(kind);
		this.announce(PHASE_NAMES[kind]);
	}

	announce(text: string): void {
		if (this.settings.announce) this.announcement = text;
	}

	/** Seconds of cues scheduled ahead now (shown to tests and curious users). */
	get scheduledAhead(): Seconds {
		return this.#run?.scheduledAhead ?? 0;
	}

	/** Saves a change still waiting for its write, as the page goes away. */
	flushSave(): void {
		if (this.#saveTimer === undefined) return;
		clearTimeout(this.#saveTimer);
		this.#saveTimer = undefined;
		void this.#save();
	}

	async dispose(): Promise<void> {
		cancelAnimationFrame(this.#frame);
		this.flushSave();
		document.removeEventListener('visibilitychange', this.#onVisibility);
		this.#run?.dispose();
		this.#run = undefined;
		await this.#wakeLock.release();
		await this.#engine?.dispose();
		this.#engine = undefined;
	}
}
