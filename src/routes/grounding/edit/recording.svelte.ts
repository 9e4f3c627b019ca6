/**
 * Recording the therapist's voice, one step at a time: it opens the
 * microphone, feeds the level meter, turns the take into a clip
 * (processRecording), plays it back through ClipPlayer, and keeps it in the
 * VoiceClipStore. Only one step records at a time, and the microphone is
 * released as soon as a take is stopped, the panel is closed or the page left.
 *
 * @example
 * const voice = new VoiceRecording(() => editor.script.id);
 * await voice.loadClips();
 * await voice.record(stepId); // the microphone opens and recording starts
 * await voice.stop(); // “Preparing…”, then the take can be heard and kept
 * await voice.keep();
 */
import type { Result } from '$lib/result';
import type { Milliseconds, Seconds } from '$lib/units';
import { VoiceClipStore, type StoredClip } from '$lib/voice/clip-store';
import { MAX_RECORDING_SECONDS, processRecording, type ProcessedClip } from '$lib/voice/process-recording';
import { VoiceRecorder } from '$lib/voice/recorder';
import { CLIP_MESSAGES, ClipPlayer } from '$lib/voice/clip-player';

export type TakeStatus = 'idle' | 'opening' | 'recording' | 'preparing' | 'review' | 'keeping' | 'failed';

/** How often the meter's value is given to screen readers and the elapsed time is shown. */
const METER_EVERY: Milliseconds = 250;
/** The meter shows -60 dBFS to 0 dBFS: speech peaks well below full scale would barely move a linear bar. */
const METER_FLOOR_DB = -60;
/** How fast the bar falls back after a peak, in meter widths a second, so that short syllables stay readable. */
const METER_FALL_PER_SECOND = 1.2;

/** An input peak (0–1) as a meter position (0–1) on the dB scale. */
export function meterPosition(peak: number): number {
	if (peak <= 0) return 0;
	return Math.min(1, Math.max(0, 1 - (20 * Math.log10(peak)) / METER_FLOOR_DB));
}

export interface VoiceRecordingOptions {
	clips?: VoiceClipStore;
	/** Opens the microphone; VoiceRecorder.open unless given. */
	open?: () => Promise<Result<VoiceRecorder>>;
}

export class VoiceRecording {
	/** The step whose recording panel is open, or null. */
	stepId: string | null = $state(null);
	status: TakeStatus = $state('idle');
	/** The meter's position, 0–1 on a dB scale with a slow fall, every frame while recording. */
	level = $state(0);
	/** The same as a percentage, a few times a second, for aria-valuenow. */
	meterValue = $state(0);
	elapsed: Seconds = $state(0);
	/** A problem at the open panel's step, in plain words. */
	message = $state('');
	/** A problem with a kept clip (listening to it, deleting it), by step id. */
	clipMessages: Record<string, string> = $state({});
	/** The processed take waiting to be kept. */
	take: ProcessedClip | null = $state.raw(null);
	/** Kept clips of this script, by step id. */
	clips: Record<string, StoredClip> = $state.raw({});
	/** What is being listened to: the take, or a kept clip's step id. */
	listening: 'take' | string | null = $state(null);

	readonly #scriptId: () => string;
	readonly #store: VoiceClipStore;
	readonly #open: () => Promise<Result<VoiceRecorder>>;
	#recorder: VoiceRecorder | undefined;
	#frame: number | undefined;
	#lastMeter: Milliseconds = 0;
	#lastFrame: Milliseconds | undefined;
	#player: ClipPlayer | undefined;
	/** Bumped whenever a take is abandoned, so that late results of an old one are dropped. */
	#generation = 0;

	constructor(scriptId: () => string, options: VoiceRecordingOptions = {}) {
		this.#scriptId = scriptId;
		this.#store = options.clips ?? new VoiceClipStore();
		this.#open = options.open ?? (() => VoiceRecorder.open());
	}

	/** True while a take is in hand that would be lost by leaving. */
	get unsaved(): boolean {
		return this.status === 'recording' || this.status === 'preparing' || this.status === 'review';
	}

	async loadClips(): Promise<void> {
		const clips = await this.#store.listFor(this.#scriptId());
		this.clips = Object.fromEntries(clips.map((clip) => [clip.stepId, clip]));
	}

	/** Opens the microphone and starts recording `stepId`; a refusal is shown at that step. */
	async record(stepId: string): Promise<void> {
		if (this.stepId !== null && this.stepId !== stepId) return;
		if (this.status === 'opening' || this.status === 'recording' || this.status === 'preparing') return;
		await this.#stopListening();
		const generation = ++this.#generation;
		this.stepId = stepId;
		this.status = 'opening';
		this.message = '';
		this.take = null;
		this.level = 0;
		this.meterValue = 0;
		this.elapsed = 0;
		const opened = await this.#open();
		if (generation !== this.#generation) {
			if (opened.ok) await opened.value.close();
			return;
		}
		if (!opened.ok) {
			this.status = 'failed';
			this.message = opened.reason;
			return;
		}
		const recorder = opened.value;
		this.#recorder = recorder;
		const started = recorder.start();
		if (!started.ok) {
			await this.#release();
			this.status = 'failed';
			this.message = started.reason;
			return;
		}
		this.status = 'recording';
		this.#frame = requestAnimationFrame(this.#onFrame);
	}

	readonly #onFrame = (now: number): void => {
		const recorder = this.#recorder;
		if (!recorder || this.status !== 'recording') return;
		const fall = this.#lastFrame === undefined ? 1 : ((now - this.#lastFrame) / 1000) * METER_FALL_PER_SECOND;
		this.#lastFrame = now;
		this.level = Math.max(meterPosition(recorder.level()), this.level - fall, 0);
		if (now - this.#lastMeter >= METER_EVERY) {
			this.#lastMeter = now;
			this.meterValue = Math.round(this.level * 100);
			this.elapsed = recorder.elapsed;
		}
		// A take longer than processRecording accepts would be lost: it stops itself at the limit.
		if (recorder.elapsed >= MAX_RECORDING_SECONDS) {
			void this.stop();
			return;
		}
		this.#frame = requestAnimationFrame(this.#onFrame);
	};

	/** Ends the take, lets go of the microphone, and prepares the clip. */
	async stop(): Promise<void> {
		const recorder = this.#recorder;
		if (!recorder || this.status !== 'recording') return;
		const generation = this.#generation;
		this.#cancelFrame();
		this.status = 'preparing';
		this.level = 0;
		this.meterValue = 0;
		const taken = await recorder.stop();
		this.elapsed = recorder.elapsed;
		await this.#release();
		if (generation !== this.#generation) return;
		if (!taken.ok) {
			this.status = 'failed';
			this.message = taken.reason;
			return;
		}
		const processed = await processRecording(taken.value);
		if (generation !== this.#generation) return;
		if (!processed.ok) {
			this.status = 'failed';
			this.message = processed.reason;
			return;
		}
		this.take = processed.value;
		this.status = 'review';
	}

	/** Plays the take waiting to be kept. */
	async listenToTake(): Promise<void> {
		if (this.take) await this.#listen('take', this.take.wav);
	}

	/** Plays the kept clip of a step. */
	async listenToClip(stepId: string): Promise<void> {
		const clip = this.clips[stepId];
		if (clip) await this.#listen(stepId, clip.wav);
	}

	async #listen(what: 'take' | string, wav: Blob): Promise<void> {
		if (this.listening === what) return this.#stopListening();
		await this.#stopListening();
		const player = (this.#player ??= new ClipPlayer());
		this.listening = what;
		// Inside the tap on Listen: howler sets up (and may swap) its context now rather than on a later clip.
		await player.wake();
		const played = await player.play(wav, { onEnd: () => (this.listening = null) });
		if (!played.ok) {
			// Stopped or replaced before it began: nothing went wrong.
			if (played.reason === CLIP_MESSAGES.superseded) return;
			this.listening = null;
			if (what === 'take') this.message = played.reason;
			else this.clipMessages = { ...this.clipMessages, [what]: played.reason };
		}
	}

	async stopListening(): Promise<void> {
		await this.#stopListening();
	}

	async #stopListening(): Promise<void> {
		if (this.listening === null) return;
		this.listening = null;
		this.#player?.stop();
	}

	/** Keeps the take as the step's clip; on failure the clip kept before stays. */
	async keep(): Promise<boolean> {
		const take = this.take;
		const stepId = this.stepId;
		if (!take || stepId === null || this.status !== 'review') return false;
		await this.#stopListening();
		this.status = 'keeping';
		const saved = await this.#store.put({
			scriptId: this.#scriptId(),
			stepId,
			wav: take.wav,
			durationSeconds: take.durationSeconds,
			gainDb: take.gainDb,
			recordedAt: Date.now()
		});
		if (!saved.ok) {
			this.status = 'review';
			this.message = saved.reason;
			return false;
		}
		this.clips = { ...this.clips, [stepId]: saved.value };
		this.#reset();
		return true;
	}

	/** Closes the panel: a take not kept is dropped and the microphone released. */
	async close(): Promise<void> {
		this.#generation += 1;
		this.#cancelFrame();
		await this.#stopListening();
		await this.#release();
		this.#reset();
	}

	async deleteClip(stepId: string): Promise<void> {
		if (this.listening === stepId) await this.#stopListening();
		const removed = await this.#store.remove(this.#scriptId(), stepId);
		if (!removed.ok) {
			this.clipMessages = { ...this.clipMessages, [stepId]: removed.reason };
			return;
		}
		const rest = { ...this.clips };
		delete rest[stepId];
		this.clips = rest;
		this.clipMessages = { ...this.clipMessages, [stepId]: '' };
	}

	/** Removes clips of steps the saved script no longer has (deleted steps). */
	async keepOnly(stepIds: readonly string[]): Promise<void> {
		for (const stepId of Object.keys(this.clips)) {
			if (!stepIds.includes(stepId)) await this.deleteClip(stepId);
		}
	}

	/** Removes every clip of the script (a new script left without saving). */
	async removeAll(): Promise<void> {
		if (Object.keys(this.clips).length === 0) return;
		const removed = await this.#store.removeAllFor(this.#scriptId());
		if (removed.ok) this.clips = {};
	}

	async dispose(): Promise<void> {
		await this.close();
		this.#player?.dispose();
		this.#player = undefined;
	}

	#reset(): void {
		this.stepId = null;
		this.status = 'idle';
		this.take = null;
		this.message = '';
		this.level = 0;
		this.meterValue = 0;
		this.elapsed = 0;
	}

	#cancelFrame(): void {
		if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
		this.#frame = undefined;
		this.#lastFrame = undefined;
	}

	async #release(): Promise<void> {
		const recorder = this.#recorder;
		this.#recorder = undefined;
		await recorder?.close();
	}
}
