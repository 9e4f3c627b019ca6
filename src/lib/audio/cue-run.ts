/**
 * One run of breath cues: the scheduler that keeps time.
 *
 * Every cue is placed on the AudioContext clock minutes before it sounds. A
 * throttled, frozen or busy main thread can delay the next top-up, but never a
 * cue that is already scheduled: the audio thread plays it on time. The run
 * keeps at least MIN_AHEAD seconds scheduled; top-ups come from Tone's
 * worker-driven clock (and from the offline clock when rendering), never from
 * page timers.
 *
 * A run owns its bus: stopping fades the bus to silence within STOP_FADE and
 * then releases every node it made.
 *
 * @example
 * const run = new CueRun({ tone, context, output, timeline, cueSet: 'tones', from: 0, startAt: context.currentTime + 0.2 });
 * // later
 * const silentAt = run.stop();
 */
import type { CueSet } from '../breath/settings';
import type { Timeline } from '../breath/timeline';
import type { Seconds } from '../units';
import type { ScheduledVoice, VoiceTarget } from './cue-voices';
import { CLOSING_BELL_LENGTH, OceanSwell, scheduleChimeCue, scheduleClosingBell, scheduleToneCue } from './cue-voices';
import type { ToneContext, ToneLib, ToneNode } from './tone';

export interface CueRunOptions {
	readonly tone: ToneLib;
	readonly context: ToneContext;
	readonly output: ToneNode;
	readonly timeline: Timeline;
	readonly cueSet: CueSet;
	/** Timeline position the run starts from (0, or the start of a resumed breath). */
	readonly from: Seconds;
	/** Audio-clock time at which position `from` sounds. */
	readonly startAt: Seconds;
	/** Called once, when the run has released its nodes (after a stop's fade, or on dispose). */
	readonly onReleased?: () => void;
}

/** How far ahead cues are scheduled after a top-up. */
export const HORIZON: Seconds = 180;
/** The guarantee: never fewer than this many seconds scheduled ahead, even with one top-up a minute. */
export const MIN_AHEAD: Seconds = 60;
/** Top up when fewer than this remain: leaves a full minute of slack above MIN_AHEAD. */
const TOP_UP_BELOW: Seconds = 120;
/** How often the run looks whether a top-up is due. */
const CHECK_EVERY: Seconds = 1;
/** Pause and stop reach silence within this time. */
export const STOP_FADE: Seconds = 0.08;

export class CueRun {
	readonly #context: ToneContext;
	readonly #timeline: Timeline;
	readonly #cueSet: CueSet;
	readonly #from: Seconds;
	readonly #startAt: Seconds;
	readonly #bus;
	readonly #target: VoiceTarget;
	readonly #voices: ScheduledVoice[] = [];
	#ocean: OceanSwell | undefined;
	readonly #intervalId: number;
	/** Timeline position up to which every cue has been scheduled. */
	#scheduledUntil: Seconds;
	#nextEvent: number;
	#bellScheduled = false;
	#stoppedAt: Seconds | undefined;
	#disposed = false;

	readonly #onReleased: (() => void) | undefined;

	constructor(options: CueRunOptions) {
		this.#onReleased = options.onReleased;
		this.#context = options.context;
		this.#timeline = options.timeline;
		this.#cueSet = options.cueSet;
		this.#from = options.from;
		this.#startAt = options.startAt;
		this.#bus = new options.tone.Gain({ context: options.context, gain: 1 });
		this.#bus.connect(options.output);
		this.#target = { tone: options.tone, context: options.context, output: this.#bus };
		this.#scheduledUntil = options.from;
		this.#nextEvent = options.timeline.events.findIndex((event) => event.start >= options.from - 1e-9);
		if (this.#nextEvent < 0) this.#nextEvent = options.timeline.events.length;
		if (this.#cueSet === 'ocean') this.#ocean = new OceanSwell(this.#target, options.startAt);
		this.topUp(true);
		this.#intervalId = this.#context.setInterval(() => this.topUp(), CHECK_EVERY);
	}

	/** Timeline position at audio-clock time `time`. */
	positionAt(time: Seconds): Seconds {
		return this.#from + (time - this.#startAt);
	}

	/** Audio-clock time at which timeline position `position` sounds. */
	timeOf(position: Seconds): Seconds {
		return this.#startAt + (position - this.#from);
	}

	/** The timeline position from which this run started. */
	get from(): Seconds {
		return this.#from;
	}

	/** Seconds of cues scheduled beyond the current position (through the end of practice). */
	get scheduledAhead(): Seconds {
		return this.#scheduledUntil - this.positionAt(this.#context.currentTime);
	}

	/** Audio-clock time when the closing bell has rung out. */
	get endsAt(): Seconds {
		const bell = this.#cueSet === 'silent' ? 0 : CLOSING_BELL_LENGTH;
		return this.timeOf(this.#timeline.end) + bell;
	}

	/** Number of voices alive now (for the release test). */
	get liveVoices(): number {
		return this.#voices.length + (this.#ocean ? 1 : 0);
	}

	/**
	 * Schedules every cue up to HORIZON ahead when fewer than TOP_UP_BELOW remain,
	 * and releases voices that have finished. `force` tops up regardless.
	 */
	topUp(force = false): void {
		if (this.#stoppedAt !== undefined) return;
		const now = this.#context.currentTime;
		this.#releaseFinished(now);
		const position = this.positionAt(now);
		if (!force && this.#scheduledUntil - position >= TOP_UP_BELOW) return;
		const until = Math.min(position + HORIZON, this.#timeline.end);
		const events = this.#timeline.events;
		while (this.#nextEvent < events.length && events[this.#nextEvent]!.start < until) {
			const event = events[this.#nextEvent]!;
			this.#schedule(event.kind, this.timeOf(event.start), event.duration);
			this.#nextEvent += 1;
		}
		this.#scheduledUntil = this.#nextEvent < events.length ? until : Number.POSITIVE_INFINITY;
		if (this.#nextEvent >= events.length && !this.#bellScheduled) {
			this.#bellScheduled = true;
			const endTime = this.timeOf(this.#timeline.end);
			this.#ocean?.close(endTime, 3);
			if (this.#cueSet !== 'silent') this.#voices.push(scheduleClosingBell(this.#target, endTime));
		}
	}

	#schedule(kind: Parameters<typeof scheduleChimeCue>[1], start: Seconds, length: Seconds): void {
		switch (this.#cueSet) {
			case 'tones': {
				const voice = scheduleToneCue(this.#target, kind, start, length);
				if (voice) this.#voices.push(voice);
				break;
			}
			case 'chimes':
				this.#voices.push(scheduleChimeCue(this.#target, kind, start));
				break;
			case 'ocean':
				this.#ocean?.follow(kind, start, length);
				break;
			case 'silent':
				break;
		}
	}

	#releaseFinished(now: Seconds): void {
		for (let i = this.#voices.length - 1; i >= 0; i -= 1) {
			const voice = this.#voices[i]!;
			if (voice.end < now) {
				voice.dispose();
				this.#voices.splice(i, 1);
			}
		}
	}

	/**
	 * Cancels everything scheduled and fades to silence within STOP_FADE.
	 * Returns the audio-clock time at which the run is silent; its nodes are
	 * released shortly after.
	 */
	stop(at: Seconds = this.#context.currentTime): Seconds {
		if (this.#stoppedAt !== undefined) return this.#stoppedAt + STOP_FADE;
		this.#stoppedAt = at;
		this.#context.clearInterval(this.#intervalId);
		const gain = this.#bus.gain;
		gain.cancelScheduledValues(at);
		gain.setValueAtTime(1, at);
		gain.linearRampToValueAtTime(0, at + STOP_FADE);
		const silentAt = at + STOP_FADE;
		// Released on the audio clock's own timer, once the fade is surely heard through.
		this.#context.setTimeout(() => this.dispose(), silentAt - this.#context.currentTime + 0.25);
		return silentAt;
	}

	/** Releases every node at once. Call after stop(), or when the context is going away. */
	dispose(): void {
		if (this.#disposed) return;
		this.#disposed = true;
		this.#context.clearInterval(this.#intervalId);
		for (const voice of this.#voices) voice.dispose();
		this.#voices.length = 0;
		this.#ocean?.dispose();
		this.#ocean = undefined;
		this.#bus.dispose();
		this.#onReleased?.();
	}

	get disposed(): boolean {
		return this.#disposed;
	}
}
