/**
 * The owner of the cue AudioContext: the single place that creates it, routes
 * it to the speakers, keeps it running, and starts runs of breath cues on it.
 *
 * Tone gets its own context with `latencyHint: 'playback'` (larger buffers,
 * fewer glitches; timing comes from scheduling, not from low latency). Music
 * playback (howler) will have its own, so neither can suspend the other.
 *
 * @example
 * const engine = await CueEngine.create(); // inside a click handler
 * const run = engine.startRun(timeline, 'tones', 0);
 * const chime = engine.scheduleChime(engine.now + 30); // a one-shot, 30 s from now on the audio clock
 * chime.cancel(); // silent within 80 ms, released soon after
 */
import type { CueSet } from '../breath/settings';
import type { Timeline } from '../breath/timeline';
import type { GainValue, Seconds } from '../units';
import { setPlaying } from '../platform/audio-activity';
import { isAppleMobile } from '../platform/apple-mobile';
import { CueRun, STOP_FADE } from './cue-run';
import { scheduleChimeCue, scheduleClosingBell } from './cue-voices';
import { loadTone, type ToneLib } from './tone';

/** Lead time before the first cue, so that it is never scheduled in the past. */
const START_LEAD: Seconds = 0.25;
/**
 * Nothing is scheduled in a context's first second of running. An output that has just started
 * may not play it faithfully: WebKitGTK's GStreamer output began 76 ms into the first cue and then
 * left a 60–80 ms gap about 0.7 s after the context started (recorded at the output, on a busy
 * machine), and a phone's audio route takes its time to come up too. A calm second after Begin
 * costs nothing; a first cue with its start cut off is a click.
 */
export const WARM_UP: Seconds = 1;
/** Volume changes glide over about this long rather than jump. */
const VOLUME_GLIDE: Seconds = 0.06;
/** A chime asked for in the past (a late caller) strikes this soon instead. */
const CHIME_LEAD: Seconds = 0.05;

export type ChimeKind = 'chime' | 'closing-bell';

/** A one-shot chime on the audio clock. */
export interface ScheduledChime {
	/** Audio-clock time at which it strikes. */
	readonly at: Seconds;
	/** Cancels it if it has not struck; fades it out within STOP_FADE if it rings. Either way its nodes are let go. */
	cancel(): void;
}

interface AudioSessionLike {
	type: string;
}

/** Perceived loudness grows roughly with the square of the gain; a slider feels even this way. */
export function volumeToGain(volume: number): GainValue {
	const clamped = Math.min(1, Math.max(0, volume));
	return clamped * clamped;
}

let engineCount = 0;

export class CueEngine {
	readonly #tone: ToneLib;
	readonly #context: import('tone').Context;
	readonly #master: import('tone').Gain;
	readonly #mediaElement: HTMLAudioElement | undefined;
	/** This engine's name in the audio-activity registry, and how many of its runs are alive. */
	readonly #activity = `cues-${(engineCount += 1)}`;
	#liveRuns = 0;
	readonly #onWake = (): void => void this.wake();
	/** Context time before which nothing is scheduled: see WARM_UP. */
	#warmUntil: Seconds;
	readonly #onStateChange = (): void => {
		if (this.#context.state === 'running') this.#warmUntil = this.#context.currentTime + WARM_UP;
		void this.wake();
	};
	#chimes = 0;

	private constructor(tone: ToneLib, volume: number) {
		this.#tone = tone;
		this.#context = new tone.Context({ latencyHint: 'playback' });
		// Importing Tone made a default context (Tone #719); close it, or it keeps a second
		// audio thread running and competes for the audio session on iOS.
		const importDefault = tone.getContext();
		tone.setContext(this.#context);
		if (importDefault !== this.#context && importDefault.rawContext.state !== 'closed') void importDefault.dispose();
		this.#master = new tone.Gain({ context: this.#context, gain: volumeToGain(volume) });
		this.#mediaElement = isAppleMobile() ? this.#routeThroughMediaElement() : undefined;
		if (!this.#mediaElement) this.#master.connect(this.#context.destination);
		this.#warmUntil = this.#context.currentTime + WARM_UP;
		document.addEventListener('visibilitychange', this.#onWake);
		this.#context.rawContext.addEventListener('statechange', this.#onStateChange);
	}

	/**
	 * Loads Tone and makes the context. Call from a user gesture: browsers only
	 * let sound start from one (and iOS only unlocks the media element then).
	 */
	static async create(volume: number): Promise<CueEngine> {
		// Safari 16.4+: treat the page as media playback, so the mute switch and the lock screen don't silence it.
		const session = (navigator as Navigator & { audioSession?: AudioSessionLike }).audioSession;
		if (session) session.type = 'playback';
		const tone = await loadTone();
		const engine = new CueEngine(tone, volume);
		await engine.wake();
		return engine;
	}

	/**
	 * iOS silences Web Audio alone when the screen locks; an <audio> element
	 * playing a MediaStream of our output keeps it alive (generativefm/play,
	 * destination-audio-element). Not testable here: no iOS device in CI.
	 * Where the platform lacks a piece of the route (an older iOS), the output
	 * goes to the speakers directly: sound while the screen is on beats none.
	 */
	#routeThroughMediaElement(): HTMLAudioElement | undefined {
		const raw = this.#context.rawContext as unknown as AudioContext;
		if (typeof raw.createMediaStreamDestination !== 'function' || !('srcObject' in HTMLMediaElement.prototype)) {
			return undefined;
		}
		const streamDestination = raw.createMediaStreamDestination();
		this.#master.connect(streamDestination as unknown as import('tone').InputNode);
		const element = new Audio();
		element.srcObject = streamDestination.stream;
		element.setAttribute('playsinline', '');
		// Rejection means the gesture was lost; Web Audio still plays while the screen is on.
		element.play().catch(() => undefined);
		return element;
	}

	/** Resumes a context that the system suspended or interrupted (a call, a lock). */
	async wake(): Promise<void> {
		if (this.#context.state !== 'running') {
			try {
				await this.#context.resume();
			} catch {
				// Resuming without a gesture may be refused; the next tap tries again.
			}
		}
		if (this.#mediaElement?.paused) this.#mediaElement.play().catch(() => undefined);
	}

	get running(): boolean {
		return this.#context.state === 'running';
	}

	/** The audio clock. */
	get now(): Seconds {
		return this.#context.currentTime;
	}

	/**
	 * Resolves once the warm-up is over (at most WARM_UP and a little more of wall time, should the
	 * clock not run): for a caller that starts a clock of its own, such as a grounding script's steps.
	 */
	untilWarm(): Promise<void> {
		const wait = Math.min(WARM_UP, Math.max(0, this.#warmUntil - this.#context.currentTime));
		// A page timer only waits here: everything that sounds is still placed on the audio clock.
		return new Promise((resolve) => setTimeout(resolve, wait * 1000 + 20));
	}

	/** The audio-clock time of what is reaching the ears now (the clock less output latency). */
	get heardNow(): Seconds {
		const raw = this.#context.rawContext as unknown as Partial<AudioContext>;
		const latency = raw.outputLatency || raw.baseLatency || 0;
		return Math.max(0, this.#context.currentTime - latency);
	}

	setVolume(volume: number): void {
		this.#master.gain.setTargetAtTime(volumeToGain(volume), this.#context.currentTime, VOLUME_GLIDE / 3);
	}

	/**
	 * Starts cues for `timeline` from position `from`, a moment from now, or at
	 * audio-clock time `startAt` (a grounding step planned ahead) if that is later.
	 */
	startRun(timeline: Timeline, cueSet: CueSet, from: Seconds, startAt?: Seconds): CueRun {
		// An app update waits while any run is alive (src/lib/platform/audio-activity.ts).
		this.#liveRuns += 1;
		setPlaying(this.#activity, true);
		return new CueRun({
			tone: this.#tone,
			context: this.#context,
			output: this.#master,
			timeline,
			cueSet,
			from,
			startAt: Math.max(startAt ?? 0, this.#context.currentTime + START_LEAD, this.#warmUntil),
			onReleased: () => {
				this.#liveRuns -= 1;
				if (this.#liveRuns === 0) setPlaying(this.#activity, false);
			}
		});
	}

	/** Chimes scheduled or ringing now (for the release test). */
	get liveChimes(): number {
		return this.#chimes;
	}

	/**
	 * Strikes a step chime (the pacer's in-breath bowl) or the closing bell at
	 * audio-clock time `at`, placed there now so that a busy or throttled page
	 * cannot make it late. It has a gain of its own, so a cancel can fade it.
	 */
	scheduleChime(at: Seconds, kind: ChimeKind = 'chime'): ScheduledChime {
		const tone = this.#tone;
		const context = this.#context;
		const start = Math.max(at, context.currentTime + CHIME_LEAD, this.#warmUntil);
		const bus = new tone.Gain({ context, gain: 1 });
		bus.connect(this.#master);
		const target = { tone, context, output: bus };
		const voice = kind === 'chime' ? scheduleChimeCue(target, 'inhale', start) : scheduleClosingBell(target, start);
		this.#chimes += 1;
		let released = false;
		const release = (): void => {
			if (released) return;
			released = true;
			this.#chimes -= 1;
			context.clearTimeout(timer);
			voice.dispose();
			bus.dispose();
		};
		// Released on the audio clock's own timer once it has rung out.
		let timer = context.setTimeout(release, voice.end - context.currentTime + 0.1);
		return {
			at: start,
			cancel: () => {
				if (released) return;
				const now = context.currentTime;
				if (now < start) return release();
				bus.gain.cancelScheduledValues(now);
				bus.gain.setValueAtTime(1, now);
				bus.gain.linearRampToValueAtTime(0, now + STOP_FADE);
				context.clearTimeout(timer);
				timer = context.setTimeout(release, STOP_FADE + 0.25);
			}
		};
	}

	/** Closes the context and releases everything. */
	async dispose(): Promise<void> {
		setPlaying(this.#activity, false);
		document.removeEventListener('visibilitychange', this.#onWake);
		this.#context.rawContext.removeEventListener('statechange', this.#onStateChange);
		this.#mediaElement?.pause();
		if (this.#mediaElement) this.#mediaElement.srcObject = null;
		this.#master.dispose();
		await this.#context.close();
	}
}
