/**
 * Renders a run of breath cues through the real cue code in an
 * OfflineAudioContext, faster than real time.
 *
 * Tone's own OfflineContext runs its whole clock before rendering anything,
 * which would let the run release voices before they are heard. Here the
 * native context is suspended every TICK seconds of rendered audio and the
 * Tone clock is ticked there, so top-ups and releases happen at the audio
 * time they would happen live.
 */
import * as Tone from 'tone';
import { CueRun } from '../../src/lib/audio/cue-run';
import type { CueSet } from '../../src/lib/breath/settings';
import type { Timeline } from '../../src/lib/breath/timeline';

/** How often the Tone clock ticks, in rendered seconds (live, the worker ticks every ~50 ms). */
const TICK = 0.1;

export interface RenderRequest {
	timeline: Timeline;
	cueSet: CueSet;
	/** Length of the render in seconds. */
	duration: number;
	sampleRate?: number;
	/** Audio-clock time of the first phase. */
	startAt?: number;
	/** Audio-clock time at which to stop the run, if any. */
	stopAt?: number;
	/** How often to sample the run's state. */
	probeEvery?: number;
}

export interface RenderResult {
	samples: Float32Array;
	sampleRate: number;
	startAt: number;
	run: CueRun;
	/** scheduledAhead and liveVoices, sampled through the render. */
	probes: { time: number; ahead: number; voices: number }[];
	silentAt: number | undefined;
}

export async function renderRun(request: RenderRequest): Promise<RenderResult> {
	const sampleRate = request.sampleRate ?? 24_000;
	const startAt = request.startAt ?? 0.5;
	const raw = new OfflineAudioContext(1, Math.ceil(request.duration * sampleRate), sampleRate);
	const context = new Tone.Context({ context: raw, clockSource: 'offline', lookAhead: 0 });
	const output = new Tone.Gain({ context, gain: 1 });
	output.connect(context.destination);
	const run = new CueRun({
		tone: Tone,
		context,
		output,
		timeline: request.timeline,
		cueSet: request.cueSet,
		from: 0,
		startAt
	});
	const probes: RenderResult['probes'] = [];
	context.setInterval(
		() => probes.push({ time: context.currentTime, ahead: run.scheduledAhead, voices: run.liveVoices }),
		request.probeEvery ?? 1
	);
	let silentAt: number | undefined;
	if (request.stopAt !== undefined) {
		context.setTimeout(() => {
			silentAt = run.stop();
		}, request.stopAt);
	}
	const buffer = await renderTicked(raw, context, request.duration);
	const samples = buffer.getChannelData(0);
	await context.close();
	return { samples, sampleRate, startAt, run, probes, silentAt };
}

/**
 * Renders `raw`, pausing every `tick` seconds of rendered audio to tick the Tone
 * clock, so that `context.setInterval` callbacks run at the audio time they
 * would run live.
 */
export async function renderTicked(
	raw: OfflineAudioContext,
	context: Tone.Context,
	duration: number,
	tick: number = TICK
): Promise<AudioBuffer> {
	for (let time = tick; time < duration; time += tick) {
		// A rejected suspend would only mean the render already passed that point.
		void raw.suspend(time).then(() => {
			context.emit('tick');
			return raw.resume();
		});
	}
	return raw.startRendering();
}
