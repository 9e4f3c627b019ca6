/**
 * The one owner of a grounding run's sound. The script runner decides which
 * step is current and when; this module makes that heard:
 *
 * - Chimes (and the closing bell) are struck on the cue engine's audio clock
 *   at each step's planned start, scheduled up to CHIME_HORIZON ahead from
 *   the runner's planned boundaries, so a busy or throttled page cannot make
 *   them late. Page timers only top the schedule up.
 * - A step's breath pattern runs the pacer's own cues (CueEngine.startRun) from
 *   the step's planned start, and stops with the pacer's fade when it ends.
 * - The background (one MusicEngine, its own context) carries on across steps
 *   that share it, crossfades when it changes, fades out when a step has none,
 *   and ducks (−12 dB over 1.5 s) under the voice. The voice starts VOICE_DELAY
 *   after the duck begins, so the music is already mostly down.
 * - The voice is the therapist's recorded clip for the step (ClipPlayer), else
 *   the system's speech synthesis, else none (text on screen; chimes still
 *   sound). Neither howler nor speech can start at an audio-clock time
 *   (howler #245), so the voice starts from a page timer aimed at the clock.
 *
 * Wall-clock times of the runner become audio-clock times through an anchor
 * set at each command (start, continue, skip, resume): boundaries after it
 * keep their planned spacing exactly, on the audio clock.
 *
 * @example
 * const made = await ScriptAudio.create(script, { voice, cueSet: 'chimes', cueVolume: 0.7 }); // in the tap
 * if (!made.ok) return show(made.reason);
 * const audio = made.value;
 * const run = startRun(script, Date.now());
 * audio.follow(run); // and after every tick or command: audio.follow(tick(script, state, Date.now()))
 * await audio.dispose();
 */
import type { CueSet } from '../breath/settings';
import { breathStartAt, buildTimeline, type Timeline } from '../breath/timeline';
import type { GroundingScript, ScriptStep, StepBackground } from '../grounding/script';
import { SCRIPT_LIMITS, sameBackground } from '../grounding/script';
import { plannedBoundaries, type RunEvent, type RunState, type RunStep } from '../grounding/script-runner';
import { sourceOf } from '../music/catalog';
import { setPlaying } from '../platform/audio-activity';
import { MusicEngine, SUPERSEDED } from '../music/music-engine';
import type { Result } from '../result';
import type { Milliseconds, Seconds } from '../units';
import { CLIP_MESSAGES, ClipPlayer } from '../voice/clip-player';
import { VoiceClipStore } from '../voice/clip-store';
import { CueEngine, type ScheduledChime } from './cue-engine';
import type { CueRun } from './cue-run';
import { SpeechVoice, systemVoices } from './speech';
import { chosenVoice, type VoiceSettings } from './voice-settings';

/** The voice starts this long after its step (and the duck) begins. */
export const VOICE_DELAY: Seconds = 1;
/** Chimes are scheduled this far ahead on the audio clock. */
export const CHIME_HORIZON: Seconds = 180;
/** How often a page timer tops the chime schedule up (a check; nothing sounds from it). */
const TOP_UP_EVERY: Milliseconds = 1_000;
/** Sound follows a command this much later on the audio clock, so that nothing is scheduled in the past. */
const ANCHOR_LEAD: Seconds = 0.15;
/** How long a missing voice list is waited on when the run starts. */
const VOICES_WAIT: Milliseconds = 300;
/** Voice fades, as ClipPlayer's defaults. */
const VOICE_FADE: Seconds = 0.4;

export const SCRIPT_AUDIO_MESSAGES = {
	noSound:
		'The sound could not be started. If you are offline, open Grounded once with a connection so it can be kept on this device, then try again.',
	noBackground: 'The background sound could not be started, so the script carries on without it.',
	clip: (step: number) => `The recording for step ${step} could not be played; its words are on the screen.`,
	background: (title: string) => `The background “${title}” could not be played, so the script carries on without it.`,
	missingTrack: 'This step’s background is not on this device, so the script carries on without it.'
} as const;

export interface ScriptAudioOptions {
	readonly voice: VoiceSettings;
	/** The pacer's cue set and volume, used for breath steps and chimes. */
	readonly cueSet: CueSet;
	readonly cueVolume: number;
	/** Where recorded clips are read from (tests pass one over a memory backend). */
	readonly clips?: VoiceClipStore;
	/** Quiet news for the person: a background or a recording that could not be played. */
	readonly onNotice?: (message: string) => void;
}

/** What is alive, for the release test. */
export interface ScriptAudioStats {
	readonly chimes: number;
	readonly breathRuns: number;
	readonly voiceSounding: boolean;
	readonly timers: number;
	readonly disposed: boolean;
}

type VoicePlan = { kind: 'clip'; blob: Blob } | { kind: 'speech'; text: string };
/** Where the current step's voice stands. */
type VoiceState = 'none' | 'waiting' | 'starting' | 'clip' | 'speech' | 'done';

interface Anchor {
	readonly wall: Milliseconds;
	readonly audio: Seconds;
}

/** The chime schedule: boundaries from `stepIndex`, whose start was at `startWall`. */
interface ChimePlan {
	readonly stepIndex: number;
	readonly startWall: Milliseconds;
	/** Whether the current step's own chime is still to sound (a fresh step). */
	readonly withCurrent: boolean;
}

interface BreathRun {
	readonly run: CueRun;
	readonly timeline: Timeline;
}

function findLast<K extends RunEvent['kind']>(
	events: readonly RunEvent[],
	kind: K
): { event: Extract<RunEvent, { kind: K }>; index: number } | undefined {
	for (let index = events.length - 1; index >= 0; index -= 1) {
		const event = events[index]!;
		if (event.kind === kind) return { event: event as Extract<RunEvent, { kind: K }>, index };
	}
	return undefined;
}

/** Events that come from the person (or a reload), as against the plan running its course. */
function isCommand(event: RunEvent): boolean {
	return !((event.kind === 'step' || event.kind === 'finished') && event.cause === 'planned');
}

/** Numbers each run's name in the audio-activity registry. */
let runsMade = 0;

export class ScriptAudio {
	readonly #script: GroundingScript;
	readonly #cue: CueEngine;
	readonly #music: MusicEngine | undefined;
	readonly #clipPlayer: ClipPlayer;
	readonly #speech = new SpeechVoice();
	readonly #clips: ReadonlyMap<string, Blob>;
	readonly #cueSet: CueSet;
	readonly #onNotice: (message: string) => void;
	#settings: VoiceSettings;
	#voices: SpeechSynthesisVoice[] = [];

	#anchor: Anchor | undefined;
	#plan: ChimePlan | undefined;
	/** Scheduled chimes by step index ('end' for the closing bell). */
	readonly #chimes = new Map<string, ScheduledChime>();
	/** The step whose sound is current, and its start on the audio clock. */
	#step: { index: number; start: Seconds } | undefined;
	/** What the music engine plays (or, paused, would play). */
	#background: StepBackground = null;
	#breath: BreathRun | undefined;
	/** Breath runs ringing out their closing bell after their step ended. */
	readonly #ringing = new Map<CueRun, ReturnType<typeof setTimeout>>();
	#voice: VoiceState = 'none';
	#voicePlan: VoicePlan | undefined;
	#voiceTimer: ReturnType<typeof setTimeout> | undefined;
	#paused = false;
	/** The step changed while paused: on resume it begins afresh rather than carrying on. */
	#movedWhilePaused = false;
	#finished = false;
	readonly #topUpTimer: ReturnType<typeof setInterval>;
	#disposed = false;
	/**
	 * This run's name in the audio-activity registry. A run counts as sounding from its start to its
	 * end or pause, whatever plays at the moment (a voice, a chime, silence between them), so an app
	 * update never reloads the page in the middle of a step.
	 */
	readonly #activity = `grounding-run-${++runsMade}`;

	private constructor(
		script: GroundingScript,
		engines: { cue: CueEngine; music: MusicEngine | undefined; clipPlayer: ClipPlayer },
		clips: ReadonlyMap<string, Blob>,
		options: ScriptAudioOptions
	) {
		this.#script = script;
		this.#cue = engines.cue;
		this.#music = engines.music;
		this.#clipPlayer = engines.clipPlayer;
		this.#clips = clips;
		this.#cueSet = options.cueSet;
		this.#settings = options.voice;
		this.#onNotice = options.onNotice ?? (() => undefined);
		if (this.#music) this.#music.onFailure = (source, reason) => this.#backgroundFailed(source.title, reason);
		this.#topUpTimer = setInterval(() => this.#topUp(), TOP_UP_EVERY);
	}

	/**
	 * Makes the sound for `script`: the cue engine, the music engine if any
	 * step has a background, and the clip player. Call from the tap that
	 * begins the run: browsers only let sound start from one.
	 */
	static async create(script: GroundingScript, options: ScriptAudioOptions): Promise<Result<ScriptAudio>> {
		const clipPlayer = new ClipPlayer();
		// Each context is made before the first await, inside the gesture (howler's only for recorded voices).
		const waking = options.voice.mode === 'recorded' ? clipPlayer.wake() : Promise.resolve();
		const music = script.steps.some((step) => step.background !== null)
			? MusicEngine.create().catch(() => undefined)
			: Promise.resolve(undefined);
		let cue: CueEngine;
		try {
			cue = await CueEngine.create(options.cueVolume);
		} catch {
			clipPlayer.dispose();
			await (await music)?.dispose();
			return { ok: false, reason: SCRIPT_AUDIO_MESSAGES.noSound };
		}
		const [musicEngine, clips] = await Promise.all([music, readClips(options.clips, script.id), waking]);
		if (!musicEngine && script.steps.some((step) => step.background !== null)) {
			options.onNotice?.(SCRIPT_AUDIO_MESSAGES.noBackground);
		}
		const audio = new ScriptAudio(script, { cue, music: musicEngine, clipPlayer }, clips, options);
		// The run's clock starts once the output has settled, so the first step's chime is whole and
		// the words and the sound stay together from the first step on (see WARM_UP).
		await Promise.all([audio.#loadVoices(), cue.untilWarm()]);
		return { ok: true, value: audio };
	}

	/** Takes effect from the next voice; the one speaking now is left to finish. */
	setVoice(settings: VoiceSettings): void {
		this.#settings = settings;
		void this.#loadVoices();
	}

	/** Brings the sound in line with the run, after any runner command or tick. */
	follow(run: RunStep): void {
		if (this.#disposed) return;
		const { state, events } = run;
		const finished = findLast(events, 'finished');
		if (finished) return this.#finish(finished.event);
		if (events.length === 0) return this.#topUp();
		// Back from the end ("previous" after the last step): the run plays again.
		this.#finished = false;
		const entered = findLast(events, 'step');
		const resumed = findLast(events, 'resumed');
		if (state.status === 'paused') {
			if (!this.#paused) this.#pauseSound();
			if (entered) this.#moveWhilePaused(state.stepIndex);
			return;
		}
		const commands = events.filter(isCommand);
		const lastCommand = commands.at(-1);
		if (lastCommand || !this.#anchor || this.#paused) this.#setAnchor(lastCommand?.at ?? events[0]!.at);
		const wasPaused = this.#paused;
		this.#paused = false;
		if (entered && (!resumed || entered.index > resumed.index)) {
			this.#enter(state, this.#toAudio(entered.event.at), 0);
		} else if (resumed) {
			const start = this.#toAudio(resumed.event.at) - resumed.event.elapsedInStep / 1000;
			const same = wasPaused && !this.#movedWhilePaused && this.#step?.index === state.stepIndex;
			if (same) this.#resumeSound(state, start, resumed.event.elapsedInStep);
			else this.#enter(state, start, resumed.event.elapsedInStep);
		}
		this.#movedWhilePaused = false;
		if (lastCommand || wasPaused) this.#replan(state);
		setPlaying(this.#activity, true);
		this.#topUp();
	}

	/** The person ended the run: everything fades out (the music over 3 s), with no closing bell. */
	async stop(): Promise<void> {
		if (this.#disposed) return;
		setPlaying(this.#activity, false);
		this.#finished = true;
		this.#cancelPendingChimes();
		this.#plan = undefined;
		this.#stopVoice();
		this.#voice = 'none';
		this.#breath?.run.stop();
		this.#breath = undefined;
		this.#step = undefined;
		this.#paused = false;
		this.#background = null;
		if (this.#music) {
			this.#music.duck(false);
			await this.#music.stop();
		}
	}

	stats(): ScriptAudioStats {
		return {
			chimes: this.#disposed ? 0 : this.#cue.liveChimes,
			breathRuns: (this.#breath ? 1 : 0) + this.#ringing.size,
			voiceSounding: this.#clipPlayer.playing || this.#speech.speaking,
			timers: (this.#voiceTimer ? 1 : 0) + (this.#disposed ? 0 : 1) + this.#ringing.size,
			disposed: this.#disposed
		};
	}

	/** Releases everything at once and closes the contexts it made (fade first with a pause or finish). */
	async dispose(): Promise<void> {
		if (this.#disposed) return;
		this.#disposed = true;
		setPlaying(this.#activity, false);
		clearInterval(this.#topUpTimer);
		this.#clearVoiceTimer();
		for (const chime of this.#chimes.values()) chime.cancel();
		this.#chimes.clear();
		this.#speech.cancel();
		this.#clipPlayer.dispose();
		this.#breath?.run.dispose();
		this.#breath = undefined;
		for (const [run, timer] of this.#ringing) {
			clearTimeout(timer);
			run.dispose();
		}
		this.#ringing.clear();
		if (this.#music) this.#music.onFailure = undefined;
		await Promise.all([this.#music?.dispose(), this.#cue.dispose().catch(() => undefined)]);
	}

	// ——— the clock ———

	#setAnchor(wall: Milliseconds): void {
		this.#anchor = { wall, audio: this.#cue.now + ANCHOR_LEAD };
	}

	#toAudio(wall: Milliseconds): Seconds {
		const anchor = this.#anchor ?? { wall, audio: this.#cue.now + ANCHOR_LEAD };
		return anchor.audio + (wall - anchor.wall) / 1000;
	}

	// ——— chimes ———

	/** A new plan from the current step: chimes not yet struck are cancelled; those ringing ring on. */
	#replan(state: RunState): void {
		this.#cancelPendingChimes();
		const fresh = state.elapsedInStep === 0;
		this.#plan = {
			stepIndex: state.stepIndex,
			startWall: state.stepStartedAt - state.elapsedInStep,
			withCurrent: fresh
		};
	}

	#cancelPendingChimes(keep?: string): void {
		const now = this.#cue.now;
		for (const [key, chime] of this.#chimes) {
			if (key !== keep && chime.at > now) chime.cancel();
		}
		for (const key of [...this.#chimes.keys()]) if (key !== keep) this.#chimes.delete(key);
	}

	/** Schedules every chime of the plan that falls within the horizon and is not scheduled yet. */
	#topUp(): void {
		const plan = this.#plan;
		if (!plan || this.#paused || this.#disposed) return;
		const steps = this.#script.steps;
		const now = this.#cue.now;
		const horizon = now + CHIME_HORIZON;
		const { starts, end } = plannedBoundaries(this.#script, plan.stepIndex);
		for (let index = plan.stepIndex; index < steps.length; index += 1) {
			const offset = starts[index];
			if (offset === null || offset === undefined) return;
			const at = this.#toAudio(plan.startWall + offset);
			if (at > horizon) return;
			const key = String(index);
			if (!steps[index]!.chime || this.#chimes.has(key) || (index === plan.stepIndex && !plan.withCurrent)) continue;
			// A boundary long gone (the page slept through it and so did the schedule) is not chimed late.
			if (at < now - 0.5) continue;
			this.#chimes.set(key, this.#cue.scheduleChime(at));
		}
		if (end !== null && !this.#chimes.has('end')) {
			const at = this.#toAudio(plan.startWall + end);
			if (at <= horizon && at >= now - 0.5) this.#chimes.set('end', this.#cue.scheduleChime(at, 'closing-bell'));
		}
	}

	// ——— steps ———

	/** Makes step `state.stepIndex` heard from audio time `start`, `elapsed` ms into it. */
	#enter(state: RunState, start: Seconds, elapsed: Milliseconds): void {
		const step = this.#script.steps[state.stepIndex];
		if (!step) return;
		this.#stopVoice();
		this.#endBreath();
		this.#step = { index: state.stepIndex, start };
		this.#applyBackground(step.background, state.stepIndex);
		this.#voicePlan = this.#voiceFor(step);
		this.#voice = this.#voicePlan ? 'waiting' : 'none';
		if (this.#voicePlan) {
			this.#music?.duck(true);
			// Part-way into a step (a reload), the voice begins again from its start, a second after the duck.
			const now = this.#cue.now;
			this.#armVoice(elapsed > 0 ? now + VOICE_DELAY : Math.max(start + VOICE_DELAY, now + ANCHOR_LEAD));
		} else {
			this.#music?.duck(false);
		}
		if (step.breath) this.#startBreath(step, start, elapsed);
	}

	#pauseSound(): void {
		this.#paused = true;
		setPlaying(this.#activity, false);
		this.#cancelPendingChimes();
		this.#plan = undefined;
		this.#clearVoiceTimer();
		if (this.#voice === 'starting') this.#clipPlayer.stop();
		if (this.#voice === 'clip') void this.#clipPlayer.pause(VOICE_FADE);
		if (this.#voice === 'speech') this.#speech.cancel();
		// Unstarted or cut-off voices begin again on resume; a paused clip carries on.
		if (this.#voice === 'starting' || this.#voice === 'speech') this.#voice = 'waiting';
		this.#breath?.run.stop();
		this.#breath = undefined;
		void this.#music?.pause();
	}

	/** Paused, the person moved to another step: the old step's voice goes; the new one begins on resume. */
	#moveWhilePaused(index: number): void {
		this.#movedWhilePaused = true;
		this.#clearVoiceTimer();
		this.#clipPlayer.stop();
		this.#speech.cancel();
		this.#voice = 'none';
		this.#step = { index, start: this.#cue.now };
	}

	#resumeSound(state: RunState, start: Seconds, elapsed: Milliseconds): void {
		const step = this.#script.steps[state.stepIndex];
		if (!step) return;
		this.#step = { index: state.stepIndex, start };
		this.#applyBackground(step.background, state.stepIndex);
		if (this.#voice === 'clip') {
			this.#music?.duck(true);
			this.#clipPlayer.resume(VOICE_FADE);
		} else if (this.#voice === 'waiting') {
			this.#music?.duck(true);
			this.#armVoice(Math.max(start + VOICE_DELAY, this.#cue.now + VOICE_DELAY / 2));
		} else {
			this.#music?.duck(false);
		}
		if (step.breath) this.#startBreath(step, start, elapsed);
	}

	#finish(event: Extract<RunEvent, { kind: 'finished' }>): void {
		if (this.#finished) return;
		this.#finished = true;
		setPlaying(this.#activity, false);
		// Run to its planned end, the closing bell is already on the clock; otherwise it rings now.
		const planned = event.cause === 'planned' && this.#chimes.has('end');
		this.#cancelPendingChimes(planned ? 'end' : undefined);
		if (!planned) this.#chimes.set('end', this.#cue.scheduleChime(this.#cue.now + ANCHOR_LEAD, 'closing-bell'));
		this.#plan = undefined;
		this.#stopVoice();
		this.#voice = 'none';
		this.#endBreath();
		this.#step = undefined;
		this.#paused = false;
		if (this.#music) {
			this.#music.duck(false);
			this.#background = null;
			void this.#music.stop();
		}
	}

	// ——— background ———

	#applyBackground(background: StepBackground, stepIndex: number): void {
		const music = this.#music;
		if (!music) return;
		const same = sameBackground(this.#background, background);
		if (same && !music.paused) return;
		if (same) {
			if (background) void music.resume();
			return;
		}
		this.#background = background;
		if (!background) {
			void music.stop();
			return;
		}
		const source = sourceOf(background, `${this.#script.id}:${stepIndex}`);
		if (!source) {
			this.#background = null;
			this.#onNotice(SCRIPT_AUDIO_MESSAGES.missingTrack);
			return;
		}
		void music.play(source).then((played) => {
			// onFailure has told the person already; the next step that has a background tries again.
			if (!played.ok && played.reason !== SUPERSEDED && sameBackground(this.#background, background)) {
				this.#background = null;
			}
		});
	}

	#backgroundFailed(title: string, reason: string): void {
		if (reason === SUPERSEDED || this.#disposed) return;
		this.#onNotice(SCRIPT_AUDIO_MESSAGES.background(title));
	}

	// ——— voice ———

	#voiceFor(step: ScriptStep): VoicePlan | undefined {
		const mode = this.#settings.mode;
		if (mode === 'text') return undefined;
		const clip = mode === 'recorded' ? this.#clips.get(step.id) : undefined;
		if (clip) return { kind: 'clip', blob: clip };
		return this.#systemVoice() ? { kind: 'speech', text: step.text } : undefined;
	}

	#systemVoice(): SpeechSynthesisVoice | null {
		return chosenVoice(this.#voices, this.#settings.voiceId);
	}

	async #loadVoices(): Promise<void> {
		// The page asked for the list when it loaded, so it is normally here at once; a device with none is not waited on long.
		this.#voices = this.#settings.mode === 'text' ? [] : await systemVoices(navigator.onLine, VOICES_WAIT);
	}

	/** Starts the voice when the audio clock reaches `at` (a page timer: neither howler nor speech can be scheduled). */
	#armVoice(at: Seconds): void {
		this.#clearVoiceTimer();
		const step = this.#step;
		this.#voiceTimer = setTimeout(
			() => {
				this.#voiceTimer = undefined;
				if (step && this.#step === step && !this.#paused) void this.#startVoice(step.index);
			},
			Math.max(0, (at - this.#cue.now) * 1000)
		);
	}

	async #startVoice(index: number): Promise<void> {
		const plan = this.#voicePlan;
		if (!plan || this.#voice !== 'waiting') return;
		const current = this.#step;
		const ended = (): void => {
			if (this.#step !== current) return;
			this.#voice = 'done';
			this.#music?.duck(false);
		};
		if (plan.kind === 'speech') {
			this.#voice = 'speech';
			this.#speech.speak(plan.text, { voice: this.#systemVoice(), rate: this.#settings.rate, onEnd: ended });
			return;
		}
		this.#voice = 'starting';
		const played = await this.#clipPlayer.play(plan.blob, { onEnd: ended });
		if (this.#step !== current || this.#voice !== 'starting') return;
		if (played.ok) {
			this.#voice = 'clip';
		} else if (played.reason !== CLIP_MESSAGES.superseded) {
			this.#onNotice(SCRIPT_AUDIO_MESSAGES.clip(index + 1));
			ended();
		}
	}

	#stopVoice(): void {
		this.#clearVoiceTimer();
		if (this.#voice === 'clip' || this.#voice === 'starting') void this.#clipPlayer.fadeOut(VOICE_FADE);
		if (this.#voice === 'speech') this.#speech.cancel();
	}

	#clearVoiceTimer(): void {
		clearTimeout(this.#voiceTimer);
		this.#voiceTimer = undefined;
	}

	// ——— breath ———

	#startBreath(step: ScriptStep, start: Seconds, elapsed: Milliseconds): void {
		if (!step.breath) return;
		// An open step breathes until the person continues (at most the longest step).
		const seconds = step.timing.kind === 'timed' ? step.timing.seconds : SCRIPT_LIMITS.seconds.max;
		const timeline = buildTimeline({ pattern: step.breath, length: { kind: 'minutes', minutes: seconds / 60 } });
		// Resumed part-way: from the start of the interrupted breath, as the pacer does.
		const from = elapsed > 0 ? breathStartAt(timeline, elapsed / 1000) : 0;
		const run = this.#cue.startRun(timeline, this.#cueSet, from, elapsed > 0 ? undefined : start);
		this.#breath = { run, timeline };
	}

	/** The step is over: its breath stops with the pacer's fade, unless its closing bell is ringing out. */
	#endBreath(): void {
		const breath = this.#breath;
		this.#breath = undefined;
		if (!breath) return;
		const { run, timeline } = breath;
		const now = this.#cue.now;
		if (now < run.timeOf(timeline.end)) {
			run.stop();
			return;
		}
		const timer = setTimeout(
			() => {
				this.#ringing.delete(run);
				run.dispose();
			},
			Math.max(0, run.endsAt - now) * 1000 + 250
		);
		this.#ringing.set(run, timer);
	}
}

/** Every recorded clip of the script, by step id, read once: steps then start without waiting on storage. */
async function readClips(store: VoiceClipStore | undefined, scriptId: string): Promise<ReadonlyMap<string, Blob>> {
	const clips = await (store ?? new VoiceClipStore()).listFor(scriptId);
	return new Map(clips.map((clip) => [clip.stepId, clip.wav]));
}
