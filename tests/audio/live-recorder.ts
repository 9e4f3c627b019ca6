/**
 * Records what a live AudioContext plays, sample for sample, so tests and the
 * bench can measure the real output of the music engine: an AudioWorklet
 * copies its input (mono) and posts it back in chunks stamped with the frame
 * they began at.
 *
 * @example
 * const recorder = await LiveRecorder.create(context);
 * engine = new MusicEngine({ context, destination: recorder.input });
 * const samples = await recorder.take(10, 16); // audio-clock seconds 10 to 16
 */
import type { Seconds } from '../../src/lib/units';

const RECORDER = `
class MusicRecorder extends AudioWorkletProcessor {
	constructor() {
		super();
		this.buffer = new Float32Array(16384);
		this.filled = 0;
		this.start = 0;
		this.port.onmessage = () => {
			this.send();
			this.port.postMessage({ flushed: true });
		};
	}
	send() {
		if (this.filled > 0) this.port.postMessage({ start: this.start, samples: this.buffer.slice(0, this.filled) });
		this.filled = 0;
	}
	process(inputs) {
		const channel = inputs[0] && inputs[0][0];
		if (this.filled === 0) this.start = currentFrame;
		for (let i = 0; i < 128; i += 1) this.buffer[this.filled + i] = channel ? channel[i] : 0;
		this.filled += 128;
		if (this.filled + 128 > this.buffer.length) this.send();
		return true;
	}
}
registerProcessor('music-recorder', MusicRecorder);
`;

interface Chunk {
	start: number;
	samples: Float32Array;
}

export class LiveRecorder {
	readonly node: AudioWorkletNode;
	readonly sampleRate: number;
	readonly #context: BaseAudioContext;
	#chunks: Chunk[] = [];
	#flushed: (() => void) | undefined;

	private constructor(context: BaseAudioContext, node: AudioWorkletNode) {
		this.#context = context;
		this.node = node;
		this.sampleRate = context.sampleRate;
		node.port.onmessage = (event: MessageEvent<Chunk | { flushed: true }>) => {
			if ('flushed' in event.data) this.#flushed?.();
			else this.#chunks.push(event.data);
		};
	}

	/** A recorder on `context`, pulled by its destination (it passes nothing on, so it is silent). */
	static async create(context: AudioContext): Promise<LiveRecorder> {
		const moduleUrl = URL.createObjectURL(new Blob([RECORDER], { type: 'text/javascript' }));
		await context.audioWorklet.addModule(moduleUrl);
		URL.revokeObjectURL(moduleUrl);
		const node = new AudioWorkletNode(context, 'music-recorder', {
			channelCount: 1,
			channelCountMode: 'explicit',
			channelInterpretation: 'speakers'
		});
		node.connect(context.destination);
		return new LiveRecorder(context, node);
	}

	/** Forgets everything recorded so far (long runs: keep memory bounded). */
	clear(): void {
		this.#chunks = [];
	}

	/** Resolves once the context's clock has passed `time`. */
	until(time: Seconds): Promise<void> {
		return new Promise((resolve) => {
			const check = () => (this.#context.currentTime >= time ? resolve() : setTimeout(check, 10));
			check();
		});
	}

	/** The recorded output between two audio-clock times (mono); waits until it has been played. */
	async take(from: Seconds, to: Seconds): Promise<Float32Array> {
		await this.until(to + 0.05);
		await new Promise<void>((resolve) => {
			this.#flushed = resolve;
			this.node.port.postMessage('flush');
		});
		const first = Math.round(from * this.sampleRate);
		const out = new Float32Array(Math.round((to - from) * this.sampleRate));
		for (const chunk of this.#chunks) {
			const offset = chunk.start - first;
			if (offset + chunk.samples.length <= 0 || offset >= out.length) continue;
			for (let i = Math.max(0, -offset); i < chunk.samples.length && offset + i < out.length; i += 1)
				out[offset + i] = chunk.samples[i]!;
		}
		return out;
	}

	/** Drops chunks that end before `time` (a long bench would otherwise keep every sample). */
	forgetBefore(time: Seconds): void {
		const frame = Math.round(time * this.sampleRate);
		this.#chunks = this.#chunks.filter((chunk) => chunk.start + chunk.samples.length > frame);
	}
}
