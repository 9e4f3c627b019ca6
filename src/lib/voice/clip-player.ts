/**
 * The one owner of voice-clip playback: a therapist's recorded clip, played
 * through howler in Web Audio mode (`html5: false`), with every fade on the
 * audio clock (howler's `fade()` ramps the sound's GainNode there).
 *
 * Why Web Audio mode: a clip is short and decoded whole (AUDIO-NOTES, memory),
 * its fades must work on iOS, where an html5 element's volume is read-only
 * (howler #932, #1474), and an html5 Howl would take an element from howler's
 * pool, which the music engine may have captured into its own graph (see
 * music/howler-media.ts).
 *
 * Why a data: URL and not an object URL: in Web Audio mode howler fetches the
 * source with XMLHttpRequest, which the app's policy (`connect-src 'self'`)
 * refuses for a blob: URL, and on that refusal howler silently falls back to
 * an html5 element. A base64 data: URL howler decodes itself, with no request.
 * Howler caches decoded sounds by URL; unloading the Howl drops its entry.
 *
 * @example
 * const player = new ClipPlayer();
 * await player.wake(); // inside the tap that starts things
 * const played = await player.play(clip.wav, { onEnd: () => engine.duck(false) });
 * if (!played.ok) show(played.reason); // "This recording could not be played."
 * await player.pause(); // fades out over 0.4 s, keeps its place
 * player.resume(); // fades back in from there
 */
import { Howl, Howler } from 'howler';
import type { Milliseconds, Seconds } from '../units';
import type { Result } from '../result';

/** Pause, resume and fade-out glide over this long by default. */
export const CLIP_FADE: Seconds = 0.4;

export const CLIP_MESSAGES = {
	unplayable: 'This recording could not be played.',
	shutDown: 'This recording could not be played: the player has been closed.',
	/** Not for people: a later play, stop or dispose took over before this clip started. */
	superseded: 'Another request came before this recording started.'
} as const;

/** A decode that takes longer than this has failed (a 10-minute clip decodes in well under a second). */
const LOAD_TIMEOUT: Milliseconds = 20_000;
/** A resume the browser holds back (no gesture yet) is not waited on for longer than this. */
const RESUME_WAIT: Milliseconds = 1_000;
/** The page timer that follows a fade waits this much longer than the fade itself. */
const FADE_MARGIN: Milliseconds = 40;
/** Howler's own silent sound: a Howl of it, never loaded, makes howler set up its context. */
const SILENT_WAV = 'data:audio/wav;base64,UklGRigAAABXQVZFZm10IBIAAAABAAEARKwAAIhYAQACABAAAABkYXRhAgAAAAEA';

export interface ClipPlayOptions {
	/** The clip played to its end (not when stopped, faded out or replaced). */
	readonly onEnd?: () => void;
}

type ClipState = 'idle' | 'loading' | 'playing' | 'pausing' | 'paused' | 'ending';

/**
 * The sound as a base64 data: URL. Its type loses any parameters (`audio/webm;codecs=opus`, as
 * MediaRecorder names a journal's voice note, becomes `audio/webm`): howler knows a data: URL only
 * by `data:<type>;base64,`, and takes one with more in it for an address to fetch, which the app's
 * policy refuses.
 */
function dataUrlOf(blob: Blob): Promise<string> {
	const plain = blob.type.includes(';') ? new Blob([blob], { type: blob.type.split(';')[0]!.trim() }) : blob;
	return new Promise((resolve, reject) => {
		const reader = new FileReader();
		reader.onload = () => (typeof reader.result === 'string' ? resolve(reader.result) : reject(new Error('No data')));
		reader.onerror = () => reject(reader.error ?? new Error('Unreadable'));
		reader.readAsDataURL(plain);
	});
}

function loaded(howl: Howl): Promise<boolean> {
	return new Promise((resolve) => {
		const timer = setTimeout(() => resolve(false), LOAD_TIMEOUT);
		howl.once('load', () => {
			clearTimeout(timer);
			resolve(true);
		});
		howl.once('loaderror', () => {
			clearTimeout(timer);
			resolve(false);
		});
	});
}

async function resumeContext(): Promise<void> {
	const context = Howler.ctx as AudioContext | null | undefined;
	if (!context || context.state === 'running' || context.state === 'closed') return;
	// Without a gesture the browser may hold the promise until the next tap: don't wait on it here.
	await Promise.race([context.resume().catch(() => undefined), new Promise((r) => setTimeout(r, RESUME_WAIT))]);
}

export class ClipPlayer {
	#howl: Howl | undefined;
	#soundId: number | undefined;
	#state: ClipState = 'idle';
	#onEnd: (() => void) | undefined;
	/** Bumped by every play and stop: a play still loading that sees it change gives up. */
	#request = 0;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#settle: (() => void) | undefined;
	#disposed = false;

	/**
	 * Sets up howler's context and resumes it. Call from the tap that starts
	 * things: on the first Howl, howler may close its context and make a new one
	 * (at a device rate other than 44.1 kHz; howler #434, #498), and that swap
	 * had better happen now, inside the gesture, than on the first clip.
	 */
	async wake(): Promise<void> {
		if (this.#disposed) return;
		// Howler would suspend its context 30 s after the last sound, and the next clip would wait on a resume.
		Howler.autoSuspend = false;
		new Howl({ src: [SILENT_WAV], format: ['wav'], html5: false, preload: false }).unload();
		await resumeContext();
	}

	/** True while a clip is sounding (not loading, paused, fading out or ended). */
	get playing(): boolean {
		return this.#state === 'playing';
	}

	/**
	 * Plays `blob` (a WAV clip, or a voice note as the browser recorded it) from its start, in place of any clip playing now.
	 * Resolves once it sounds, with its length; or not-ok with a reason in
	 * plain words (`CLIP_MESSAGES.superseded` if a later call took over).
	 */
	async play(blob: Blob, options: ClipPlayOptions = {}): Promise<Result<{ duration: Seconds }>> {
		if (this.#disposed) return { ok: false, reason: CLIP_MESSAGES.shutDown };
		this.stop();
		const request = ++this.#request;
		const stale = (): boolean => request !== this.#request || this.#disposed;
		this.#state = 'loading';
		let url: string;
		try {
			url = await dataUrlOf(blob);
		} catch {
			return this.#failed(request, CLIP_MESSAGES.unplayable);
		}
		if (stale()) return { ok: false, reason: CLIP_MESSAGES.superseded };
		Howler.autoSuspend = false;
		const howl = new Howl({ src: [url], format: ['wav'], html5: false, preload: true });
		this.#howl = howl;
		const ok = await loaded(howl);
		if (stale()) {
			if (this.#howl !== howl) howl.unload();
			return { ok: false, reason: CLIP_MESSAGES.superseded };
		}
		if (!ok) return this.#failed(request, CLIP_MESSAGES.unplayable);
		await resumeContext();
		if (stale()) return { ok: false, reason: CLIP_MESSAGES.superseded };
		const id = howl.play();
		this.#soundId = id;
		this.#onEnd = options.onEnd;
		this.#state = 'playing';
		howl.once('end', () => this.#ended(howl), id);
		howl.once('playerror', () => this.#release(), id);
		return { ok: true, value: { duration: howl.duration() } };
	}

	/** Fades the clip out over `seconds` and lets it go; resolves once it is silent. */
	fadeOut(seconds: Seconds = CLIP_FADE): Promise<void> {
		const howl = this.#howl;
		const id = this.#soundId;
		if (!howl || id === undefined || this.#state === 'ending' || this.#state === 'loading') {
			if (this.#state === 'loading') this.stop();
			return Promise.resolve();
		}
		if (this.#state === 'paused') {
			this.stop();
			return Promise.resolve();
		}
		this.#state = 'ending';
		return this.#fadeThen(howl, id, seconds, () => this.#release());
	}

	/** Fades out over `fade` and pauses, keeping the place; resolves once paused. */
	pause(fade: Seconds = CLIP_FADE): Promise<void> {
		const howl = this.#howl;
		const id = this.#soundId;
		if (!howl || id === undefined || this.#state !== 'playing') return Promise.resolve();
		this.#state = 'pausing';
		return this.#fadeThen(howl, id, fade, () => {
			howl.pause(id);
			this.#state = 'paused';
		});
	}

	/** Plays on from where the clip paused (or was pausing), fading in over `fade`. */
	resume(fade: Seconds = CLIP_FADE): void {
		const howl = this.#howl;
		const id = this.#soundId;
		if (!howl || id === undefined || (this.#state !== 'paused' && this.#state !== 'pausing')) return;
		this.#cancelTimer();
		const wasPaused = this.#state === 'paused';
		// Still fading out: turn back from the level it has reached, not from silence.
		const level = howl.volume(id);
		const from = !wasPaused && typeof level === 'number' ? level : 0;
		if (wasPaused) {
			void resumeContext();
			howl.volume(0, id);
			howl.play(id);
		}
		this.#state = 'playing';
		howl.fade(from, 1, Math.max(0, fade) * 1000, id);
	}

	/** Stops at once (a 0 s cut: fade first for a soft end) and releases the clip. */
	stop(): void {
		this.#request += 1;
		this.#release();
	}

	/** Stops and releases everything; the player cannot be used again. */
	dispose(): void {
		this.stop();
		this.#disposed = true;
	}

	/** The howler fade runs on the audio clock; the page timer after it only releases or pauses. */
	#fadeThen(howl: Howl, id: number, seconds: Seconds, then: () => void): Promise<void> {
		this.#cancelTimer();
		const from = howl.volume(id);
		howl.fade(typeof from === 'number' ? from : 1, 0, Math.max(0, seconds) * 1000, id);
		return new Promise((resolve) => {
			this.#settle = resolve;
			this.#timer = setTimeout(
				() => {
					this.#timer = undefined;
					this.#settle = undefined;
					if (this.#howl === howl) then();
					resolve();
				},
				Math.max(0, seconds) * 1000 + FADE_MARGIN
			);
		});
	}

	#cancelTimer(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		// Whoever waited on the cancelled fade is let go: what they waited for was overtaken.
		this.#settle?.();
		this.#settle = undefined;
	}

	#ended(howl: Howl): void {
		if (this.#howl !== howl || this.#state !== 'playing') return;
		const onEnd = this.#onEnd;
		this.#release();
		onEnd?.();
	}

	#failed(request: number, reason: string): Result<{ duration: Seconds }> {
		if (request === this.#request) this.#release();
		return { ok: false, reason };
	}

	#release(): void {
		this.#cancelTimer();
		const howl = this.#howl;
		this.#howl = undefined;
		this.#soundId = undefined;
		this.#onEnd = undefined;
		this.#state = 'idle';
		if (howl) {
			howl.off();
			howl.stop();
			// Unloading frees the decoded buffer and howler's cache entry for this clip's URL.
			howl.unload();
		}
	}
}
