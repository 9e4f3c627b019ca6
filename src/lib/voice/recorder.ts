/**
 * The one owner of the microphone while a voice clip is recorded: it opens
 * the input, records takes with MediaRecorder, feeds a level meter, and on
 * `close()` stops every track, disconnects its nodes and closes its
 * AudioContext.
 *
 * Any failure to get the microphone comes back as a plain-words reason that
 * says the rest of the editor keeps working; nothing here throws.
 *
 * @example
 * const opened = await VoiceRecorder.open();
 * if (!opened.ok) return show(opened.reason);
 * const recorder = opened.value;
 * recorder.start();
 * // each animation frame: meter = recorder.level(); seconds = recorder.elapsed;
 * const take = await recorder.stop(); // Result<Blob>, WebM/Opus or MP4/AAC
 * await recorder.close();
 */
import type { Result } from '../result';
import type { Milliseconds, Seconds } from '../units';

/**
 * Echo cancellation and noise suppression keep room hum and the page's own
 * sound out of the take (the loudness step would otherwise raise them with the
 * voice); automatic gain control is off because it pumps the level within a
 * take, and the clip is brought to its loudness afterwards anyway.
 */
export const VOICE_CONSTRAINTS: MediaTrackConstraints = {
	echoCancellation: true,
	noiseSuppression: true,
	autoGainControl: false,
	channelCount: 1
};

/** Best first: Opus in WebM (Chromium, Firefox), AAC in MP4 (Safari), then whatever the browser picks. */
export const MIME_TYPE_PREFERENCE = ['audio/webm;codecs=opus', 'audio/mp4', 'audio/webm', ''] as const;

const KEEPS_WORKING = 'the rest of the editor keeps working.';

export const RECORDER_MESSAGES = {
	notAllowed: `Grounded was not allowed to use the microphone. You can allow it in the browser’s site settings; ${KEEPS_WORKING}`,
	notFound: `No microphone was found. Connect one or switch it on, then try again; ${KEEPS_WORKING}`,
	inUse: `The microphone could not be started: another app may be using it. Close that app, then try again; ${KEEPS_WORKING}`,
	insecure: `The microphone can only be used when Grounded is opened from a secure (https) address; ${KEEPS_WORKING}`,
	unsupported: `This browser cannot record audio (a current Chrome, Edge, Firefox or Safari can); ${KEEPS_WORKING}`,
	other: `The microphone could not be opened just now. Try again; ${KEEPS_WORKING}`,
	startFailed: 'Recording could not start. Check the microphone, then try again.',
	failed: 'The recording stopped because of a problem with the microphone. Try recording it again.',
	empty: 'Nothing was recorded. Check the microphone, then try again.',
	notRecording: 'Nothing is being recorded.',
	closed: 'The microphone has been closed. Open it again to record.'
} as const;

export interface VoiceRecorderOptions {
	/**
	 * A stream to record instead of asking for the microphone (a test's
	 * oscillator, or a stream the page already holds). The recorder takes it
	 * over: `close()` stops its tracks.
	 */
	stream?: MediaStream;
	/** Where to ask for the microphone; navigator.mediaDevices unless given. */
	mediaDevices?: Pick<MediaDevices, 'getUserMedia'>;
	constraints?: MediaTrackConstraints;
	/** Makes the level meter's context; a new AudioContext unless given. The recorder closes it. */
	createContext?: () => AudioContext;
	/** Clock for `elapsed`; performance.now unless given. */
	now?: () => Milliseconds;
	/** How often MediaRecorder hands over data while recording. */
	timeslice?: Milliseconds;
}

export type RecorderState = 'ready' | 'recording' | 'closed';

/** The first candidate the browser can record; '' lets MediaRecorder choose. */
export function pickMimeType(
	isSupported: (mimeType: string) => boolean,
	candidates: readonly string[] = MIME_TYPE_PREFERENCE
): string {
	return candidates.find((type) => type === '' || isSupported(type)) ?? '';
}

/** Why getUserMedia failed, in words. */
export function microphoneFailure(error: unknown): string {
	const name = error instanceof DOMException || error instanceof Error ? error.name : '';
	switch (name) {
		case 'NotAllowedError':
		case 'SecurityError':
			return RECORDER_MESSAGES.notAllowed;
		case 'NotFoundError':
		case 'OverconstrainedError':
			return RECORDER_MESSAGES.notFound;
		case 'NotReadableError':
		case 'AbortError':
			return RECORDER_MESSAGES.inUse;
		default:
			return RECORDER_MESSAGES.other;
	}
}

interface Take {
	readonly recorder: MediaRecorder;
	readonly startedAt: Milliseconds;
	stoppedAt: Milliseconds | undefined;
	readonly result: Promise<Result<Blob>>;
}

interface Meter {
	readonly context: AudioContext;
	readonly source: MediaStreamAudioSourceNode;
	readonly analyser: AnalyserNode;
	readonly samples: Float32Array<ArrayBuffer>;
}

export class VoiceRecorder {
	/** The type MediaRecorder is asked for ('' for the browser's choice). */
	readonly mimeType: string;
	readonly #stream: MediaStream;
	readonly #meter: Meter | undefined;
	readonly #now: () => Milliseconds;
	readonly #timeslice: Milliseconds;
	#take: Take | undefined;
	#closed = false;

	private constructor(stream: MediaStream, mimeType: string, options: VoiceRecorderOptions) {
		this.#stream = stream;
		this.mimeType = mimeType;
		this.#now = options.now ?? (() => performance.now());
		this.#timeslice = options.timeslice ?? 1000;
		this.#meter = openMeter(stream, options.createContext ?? (() => new AudioContext()));
	}

	/** Opens the microphone (or takes over `options.stream`), ready to record. */
	static async open(options: VoiceRecorderOptions = {}): Promise<Result<VoiceRecorder>> {
		if (typeof MediaRecorder === 'undefined') {
			options.stream?.getTracks().forEach((track) => track.stop());
			return { ok: false, reason: RECORDER_MESSAGES.unsupported };
		}
		let stream = options.stream;
		if (!stream) {
			const devices = options.mediaDevices ?? globalThis.navigator?.mediaDevices;
			if (!devices?.getUserMedia) {
				return {
					ok: false,
					reason: globalThis.isSecureContext === false ? RECORDER_MESSAGES.insecure : RECORDER_MESSAGES.unsupported
				};
			}
			try {
				stream = await devices.getUserMedia({ audio: options.constraints ?? VOICE_CONSTRAINTS });
			} catch (error) {
				return { ok: false, reason: microphoneFailure(error) };
			}
		}
		if (stream.getAudioTracks().length === 0) {
			stream.getTracks().forEach((track) => track.stop());
			return { ok: false, reason: RECORDER_MESSAGES.notFound };
		}
		const mimeType = pickMimeType((type) => MediaRecorder.isTypeSupported(type));
		return { ok: true, value: new VoiceRecorder(stream, mimeType, options) };
	}

	get state(): RecorderState {
		if (this.#closed) return 'closed';
		return this.#take && this.#take.stoppedAt === undefined ? 'recording' : 'ready';
	}

	/** Seconds recorded in the current take, or in the last one once stopped; 0 before the first. */
	get elapsed(): Seconds {
		const take = this.#take;
		if (!take) return 0;
		return ((take.stoppedAt ?? this.#now()) - take.startedAt) / 1000;
	}

	/** Starts a new take; a take stopped before is forgotten. */
	start(): Result<void> {
		if (this.#closed) return { ok: false, reason: RECORDER_MESSAGES.closed };
		if (this.state === 'recording') return { ok: true, value: undefined };
		let recorder: MediaRecorder;
		try {
			recorder = new MediaRecorder(this.#stream, this.mimeType ? { mimeType: this.mimeType } : undefined);
		} catch {
			return { ok: false, reason: RECORDER_MESSAGES.startFailed };
		}
		const chunks: Blob[] = [];
		let failed = false;
		const result = new Promise<Result<Blob>>((resolve) => {
			recorder.ondataavailable = (event) => {
				if (event.data.size > 0) chunks.push(event.data);
			};
			recorder.onerror = () => {
				failed = true;
			};
			// Also fired when the browser ends the take itself (the microphone was unplugged).
			recorder.onstop = () => {
				if (take.stoppedAt === undefined) take.stoppedAt = this.#now();
				const blob = new Blob(chunks, { type: recorder.mimeType || chunks[0]?.type || this.mimeType });
				if (failed) resolve({ ok: false, reason: RECORDER_MESSAGES.failed });
				else if (blob.size === 0) resolve({ ok: false, reason: RECORDER_MESSAGES.empty });
				else resolve({ ok: true, value: blob });
			};
		});
		const take: Take = { recorder, startedAt: this.#now(), stoppedAt: undefined, result };
		try {
			recorder.start(this.#timeslice);
		} catch {
			return { ok: false, reason: RECORDER_MESSAGES.startFailed };
		}
		this.#take = take;
		return { ok: true, value: undefined };
	}

	/** Ends the take and gives what was recorded. */
	async stop(): Promise<Result<Blob>> {
		if (this.#closed) return { ok: false, reason: RECORDER_MESSAGES.closed };
		const take = this.#take;
		if (!take) return { ok: false, reason: RECORDER_MESSAGES.notRecording };
		if (take.recorder.state !== 'inactive') {
			take.stoppedAt = this.#now();
			take.recorder.stop();
		}
		return take.result;
	}

	/** The input's current peak, 0 to 1, over the last few tens of milliseconds; 0 when there is no meter. */
	level(): number {
		const meter = this.#meter;
		if (!meter || this.#closed) return 0;
		meter.analyser.getFloatTimeDomainData(meter.samples);
		let peak = 0;
		for (const x of meter.samples) {
			const a = Math.abs(x);
			if (a > peak) peak = a;
		}
		return Math.min(1, peak);
	}

	/** Ends any take (discarding it), stops every track, disconnects the meter and closes its context. */
	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		const take = this.#take;
		if (take && take.recorder.state !== 'inactive') take.recorder.stop();
		for (const track of this.#stream.getTracks()) track.stop();
		const meter = this.#meter;
		if (meter) {
			meter.source.disconnect();
			meter.analyser.disconnect();
			try {
				await meter.context.close();
			} catch {
				// Already closed: nothing is left to release.
			}
		}
	}
}

/** A level meter on the stream; none if Web Audio is unavailable (recording still works). */
function openMeter(stream: MediaStream, createContext: () => AudioContext): Meter | undefined {
	let context: AudioContext | undefined;
	try {
		context = createContext();
		const source = context.createMediaStreamSource(stream);
		const analyser = context.createAnalyser();
		analyser.fftSize = 1024;
		// Not connected to the output: the microphone must never be heard through the speakers.
		source.connect(analyser);
		// open() runs from the person's click, so resuming is allowed; if not, the meter reads 0 until it is.
		void context.resume().catch(() => undefined);
		return { context, source, analyser, samples: new Float32Array(analyser.fftSize) };
	} catch {
		void context?.close().catch(() => undefined);
		return undefined;
	}
}
