/**
 * Renders a generative soundscape through the real code in a stereo
 * OfflineAudioContext, faster than real time, as tests/audio/render.ts does
 * for breath cues: the native context is suspended every TICK seconds of
 * rendered audio and the Tone clock ticked there, so the soundscape's
 * top-ups run at the audio time they would run live.
 *
 * It also counts the native nodes the soundscape makes (every create* call on
 * the context) and lets go of each when Tone disconnects it on dispose, so a
 * test can check the node budget and that dispose() releases everything.
 */
import * as Tone from 'tone';
import { createSoundscape } from '../../src/lib/music/soundscapes';
import type { SoundscapeId } from '../../src/lib/session/playlist';
import type { Seconds } from '../../src/lib/units';
import { renderTicked } from './render';

/** How often the Tone clock ticks, in rendered seconds (live, the worker ticks every ~50 ms). */
const TICK: Seconds = 0.25;

export interface SoundscapeRenderRequest {
	readonly id: SoundscapeId;
	readonly seed: number;
	readonly duration: Seconds;
	readonly sampleRate?: number;
	/** Audio-clock time of start(); 0.5 s unless given. */
	readonly startAt?: Seconds;
	/** Call stop(stopAt, fade) a moment before stopAt, as the music engine would. */
	readonly stopAt?: Seconds;
	readonly fade?: Seconds;
	/** Call dispose() at this time. */
	readonly disposeAt?: Seconds;
}

export interface SoundscapeRender {
	readonly left: Float32Array;
	readonly right: Float32Array;
	readonly sampleRate: number;
	readonly startAt: Seconds;
	/** Native nodes made and not yet released, sampled every second. */
	readonly liveNodes: readonly number[];
	/** Native nodes still held when the render ended. */
	readonly liveAtEnd: number;
	/** Wall-clock milliseconds the render took. */
	readonly elapsed: number;
}

const FACTORIES = [
	'createAnalyser',
	'createBiquadFilter',
	'createBufferSource',
	'createChannelMerger',
	'createChannelSplitter',
	'createConstantSource',
	'createConvolver',
	'createDelay',
	'createDynamicsCompressor',
	'createGain',
	'createIIRFilter',
	'createOscillator',
	'createPanner',
	'createStereoPanner',
	'createWaveShaper'
] as const;

/** Wraps the context's node factories so every node made is counted until it is disconnected from everything. */
function countNodes(raw: OfflineAudioContext): Set<AudioNode> {
	const live = new Set<AudioNode>();
	for (const name of FACTORIES) {
		const factory = raw[name] as (...args: unknown[]) => AudioNode;
		Object.defineProperty(raw, name, {
			configurable: true,
			value: (...args: unknown[]) => {
				const node = factory.apply(raw, args);
				const disconnect = node.disconnect.bind(node) as (...args: unknown[]) => void;
				live.add(node);
				Object.defineProperty(node, 'disconnect', {
					configurable: true,
					value: (...targets: unknown[]) => {
						if (targets.length === 0) live.delete(node);
						disconnect(...targets);
					}
				});
				return node;
			}
		});
	}
	return live;
}

export async function renderSoundscape(request: SoundscapeRenderRequest): Promise<SoundscapeRender> {
	const sampleRate = request.sampleRate ?? 24_000;
	const startAt = request.startAt ?? 0.5;
	const raw = new OfflineAudioContext(2, Math.ceil(request.duration * sampleRate), sampleRate);
	const context = new Tone.Context({ context: raw, clockSource: 'offline', lookAhead: 0 });
	const live = countNodes(raw);
	const scape = createSoundscape(Tone, context, request.id, request.seed);
	scape.output.connect(raw.destination);
	scape.start(startAt);
	const liveNodes: number[] = [];
	context.setInterval(() => liveNodes.push(live.size), 1);
	if (request.stopAt !== undefined) {
		const { stopAt, fade } = request;
		context.setTimeout(() => scape.stop(stopAt, fade), Math.max(0, stopAt - 0.3));
	}
	if (request.disposeAt !== undefined) context.setTimeout(() => scape.dispose(), request.disposeAt);
	const began = performance.now();
	const buffer = await renderTicked(raw, context, request.duration, TICK);
	const elapsed = performance.now() - began;
	const liveAtEnd = live.size;
	scape.dispose();
	await context.close();
	return {
		left: buffer.getChannelData(0),
		right: buffer.getChannelData(1),
		sampleRate,
		startAt,
		liveNodes,
		liveAtEnd,
		elapsed
	};
}
