/**
 * Bench, session music: the real MusicEngine plays the shipped items (the
 * curated MP3s through howler and the generative soundscapes through Tone) in
 * real Chromium, and its output is recorded sample for sample. Each item comes
 * in as it would in a session (a track from the end of its opening swell); once
 * the transition and the seconds after it are recorded, a track is moved on to
 * near its end with a 30 ms cut (not measured), so fourteen real transitions take
 * about three and a half minutes.
 * Writes bench-results/session-music.json; `npm run bench` prints it.
 *
 * - crossfade_silence_max_ms: longest run of 128-frame blocks whose peak is under
 *   −50 dBFS, from each fade's start to its end.
 * - crossfade_level_dev_max_db: short-term loudness (EBU R128, 3 s, K-weighted)
 *   of every window centred inside a fade, against the band the items around it
 *   span by themselves (every short-term window within the 6 s before the fade
 *   and the 6 s after it); how far outside. Music and soundscapes swell on their
 *   own, so a band, not a single level, is the fair reference.
 * - duck_ramp_ms, pause_fade_ms: on a steady tone through the same engine (so the
 *   ramp is not hidden by the music's own movement), from the call (on the audio
 *   clock) to the first 4 ms window within 0.1 dB of the new level (pause: the
 *   first 60 dB under the old level).
 * - heap_growth_mb_50_transitions: V8 heap in use (DevTools Runtime.getHeapUsage,
 *   after forced GC) after 50 transitions minus after the first; needs Chromium's
 *   --js-flags=--expose-gc.
 * - curated_loudness_spread_lu: integrated loudness of every shipped MP3 as the
 *   browser decodes it, max − min.
 */
import { it } from 'vitest';
import { cdp, commands } from 'vitest/browser';
import { CURATED_TRACKS, sourceOf } from '../src/lib/music/catalog';
import { MusicEngine } from '../src/lib/music/music-engine';
import type { MusicSource, TrackSource } from '../src/lib/music/types';
import { integratedLoudness, shortTermLoudness } from '../src/lib/loudness/loudness';
import type { Seconds } from '../src/lib/units';
import { LiveRecorder } from '../tests/audio/live-recorder';
import { encodeWav } from '../src/lib/voice/clip';

const FADE: Seconds = 6;
/** After its transition a track jumps to this long before its end: its closing fade, the crossfade, the lead and a few seconds alone. */
const TAIL: Seconds = 28;
/** A soundscape plays alone this long after its fade-in before the next item. */
const SOUNDSCAPE_ALONE: Seconds = 8;
/** Seconds of the items either side of a fade that set the band its level is judged against. */
const AROUND: Seconds = 6;
const SILENT_PEAK = 10 ** (-50 / 20);
const HEAP_TRANSITIONS = 50;

interface Transition {
	readonly from: string;
	readonly to: string;
	readonly fadeStart: Seconds;
	readonly fadeEnd: Seconds;
}

const db = (value: number): number => 20 * Math.log10(Math.max(value, 1e-12));
const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Shipped items in session order: tracks, with a soundscape after every second one. */
function sessionItems(): MusicSource[] {
	const scapes: MusicSource[] = (['warm-drone', 'slow-pads', 'bowls', 'sea', 'rain'] as const).map((soundscape, i) =>
		sourceOf({ kind: 'soundscape', soundscape, seed: 100 + i }, `scape-${soundscape}`)!
	);
	const items: MusicSource[] = [];
	CURATED_TRACKS.forEach((track, i) => {
		items.push(sourceOf({ kind: 'track', trackId: track.id }, `track-${track.id}`)!);
		if (i % 2 === 1 && scapes[(i - 1) / 2]) items.push(scapes[(i - 1) / 2]!);
	});
	return items;
}

function tailOffset(source: MusicSource): Seconds | undefined {
	return source.kind === 'track' ? Math.max(0, source.durationSeconds - TAIL) : undefined;
}

function longestSilenceMs(samples: Float32Array, rate: number): number {
	let run = 0;
	let longest = 0;
	for (let i = 0; i + 128 <= samples.length; i += 128) {
		let peak = 0;
		for (let j = i; j < i + 128; j += 1) peak = Math.max(peak, Math.abs(samples[j]!));
		run = peak < SILENT_PEAK ? run + 128 : 0;
		longest = Math.max(longest, run);
	}
	return (longest / rate) * 1000;
}

/** How far the short-term loudness inside the fade strays outside the band of the items around it. */
function levelDeviationDb(
	samples: Float32Array,
	rate: number,
	fadeLength: Seconds
): { worst: number; before: number; after: number; inside: number[] } {
	// samples span [fadeStart − AROUND, fadeEnd + AROUND]; curve entry n covers [n·0.1, n·0.1 + 3).
	const curve = shortTermLoudness([samples], rate, 0.1);
	const at = (start: Seconds) => curve[Math.round(start / 0.1)]!;
	const around: number[] = [];
	for (let start = 0; start + 3 <= AROUND + 1e-9; start += 0.1) around.push(at(start));
	for (let start = AROUND + fadeLength; start + 3 <= 2 * AROUND + fadeLength + 1e-9; start += 0.1)
		around.push(at(start));
	const low = Math.min(...around);
	const high = Math.max(...around);
	const before = at(AROUND - 3);
	const after = at(AROUND + fadeLength);
	let worst = 0;
	const inside: number[] = [];
	for (let centre = AROUND; centre <= AROUND + fadeLength + 1e-9; centre += 0.1) {
		const level = at(centre - 1.5);
		inside.push(round(level, 2));
		worst = Math.max(worst, low - level, level - high);
	}
	return { worst, before: round(before, 2), after: round(after, 2), inside: inside.filter((_, i) => i % 10 === 0) };
}

async function transitionFigures(context: AudioContext) {
	const recorder = await LiveRecorder.create(context);
	const input = context.createGain();
	input.connect(recorder.node);
	let announce = (): void => undefined;
	/** Resolves when the engine asks for the item after the one about to play (tracks only). */
	const nearEnd = () => new Promise<void>((resolve) => (announce = resolve));
	const engine = new MusicEngine({
		context,
		destination: input,
		crossfadeSeconds: FADE,
		onNearEnd: () => announce(),
		onFailure: (source, reason) => {
			throw new Error(`${source.title}: ${reason}`);
		}
	});
	const items = sessionItems();
	const transitions: (Transition & {
		silenceMs: number;
		worst: number;
		before: number;
		after: number;
		inside: number[];
	})[] = [];
	let current = items[0]!;
	let asked = nearEnd();
	let started = await engine.play(current, { offset: tailOffset(current) });
	if (!started.ok) throw new Error(started.reason);
	for (const next of items.slice(1)) {
		if (current.kind === 'track') await asked;
		else await recorder.until(started.value.fadeEnd + SOUNDSCAPE_ALONE);
		asked = nearEnd();
		const result = await engine.play(next);
		if (!result.ok) throw new Error(`${next.title}: ${result.reason}`);
		const { fadeStart, fadeEnd } = result.value;
		const samples = await recorder.take(fadeStart - AROUND, fadeEnd + AROUND);
		transitions.push({
			from: current.title,
			to: next.title,
			fadeStart,
			fadeEnd,
			silenceMs: longestSilenceMs(
				samples.subarray(AROUND * recorder.sampleRate, samples.length - AROUND * recorder.sampleRate),
				recorder.sampleRate
			),
			...levelDeviationDb(samples, recorder.sampleRate, fadeEnd - fadeStart)
		});
		recorder.forgetBefore(fadeEnd - 1);
		if (next.kind === 'track') {
			// The acceleration: on to near the end, a cut the next transition's "before" window never sees.
			asked = nearEnd();
			const jumped = await engine.play({ ...next, key: `${next.key}-tail` }, { offset: tailOffset(next), fade: 0 });
			if (!jumped.ok) throw new Error(`${next.title}: ${jumped.reason}`);
		}
		current = next;
		started = result;
		console.info(`transition ${transitions.length}: ${JSON.stringify(transitions.at(-1))}`);
	}
	await engine.stop();
	await engine.dispose();
	recorder.node.disconnect();
	return transitions;
}

/** A steady tone as a WAV track, so ramps are measured on a level that moves only when the engine moves it. */
function toneTrack(seconds: Seconds, rate: number): { source: TrackSource; url: string } {
	const samples = new Float32Array(Math.round(seconds * rate));
	for (let i = 0; i < samples.length; i += 1) samples[i] = 0.25 * Math.sin((2 * Math.PI * i) / TONE_PERIOD);
	const url = URL.createObjectURL(new Blob([encodeWav(samples, rate)], { type: 'audio/wav' }));
	return {
		url,
		source: {
			kind: 'track',
			key: 'tone',
			title: 'Tone',
			src: url,
			gainDb: 0,
			durationSeconds: seconds,
			openingFade: 0,
			closingFade: 0
		}
	};
}

/** The steady tone's period in samples: every level window holds whole cycles, so a steady level reads steady. */
const TONE_PERIOD = 96;

/** RMS over two periods of the tone (4 ms at 48 kHz) as dB, each window with its audio-clock time. */
function windowsDb(samples: Float32Array, rate: number, from: Seconds): { time: Seconds; level: number }[] {
	const size = 2 * TONE_PERIOD;
	const out: { time: Seconds; level: number }[] = [];
	for (let i = 0; i + size <= samples.length; i += size) {
		let sum = 0;
		for (let j = i; j < i + size; j += 1) sum += samples[j]! ** 2;
		out.push({ time: from + i / rate, level: db(Math.sqrt(sum / size)) });
	}
	return out;
}

/**
 * From the moment asked (audio clock) to the first window that has arrived: within 0.1 dB of
 * `end`, or under it when `end` is 60 dB down (silence). Checks the level did move first.
 */
function rampMs(points: { time: Seconds; level: number }[], askedAt: Seconds, start: number, end: number): number {
	const left = points.find((point) => Math.abs(point.level - start) > 0.1);
	if (!left) throw new Error('The level never moved.');
	const arrived = points.find(
		(point) => point.time > left.time && (end <= start - 60 ? point.level < end : Math.abs(point.level - end) <= 0.1)
	);
	if (!arrived) throw new Error('The level never arrived.');
	return (arrived.time - askedAt) * 1000;
}

async function rampFigures(context: AudioContext) {
	const recorder = await LiveRecorder.create(context);
	const input = context.createGain();
	input.connect(recorder.node);
	const engine = new MusicEngine({ context, destination: input, formatOf: () => ['wav'] });
	const { source, url } = toneTrack(40, context.sampleRate);
	const started = await engine.play(source, { fade: 0 });
	if (!started.ok) throw new Error(started.reason);
	await recorder.until(started.value.fadeEnd + 1);
	const steady = windowsDb(await recorder.take(context.currentTime - 0.5, context.currentTime), recorder.sampleRate, 0);
	const level = steady.reduce((sum, point) => sum + point.level, 0) / steady.length;

	const duckAt = context.currentTime;
	engine.duck(true);
	await recorder.until(duckAt + 2.5);
	const duckPoints = windowsDb(await recorder.take(duckAt - 0.2, duckAt + 2.4), recorder.sampleRate, duckAt - 0.2);
	const duckedLevel = duckPoints.slice(-40).reduce((sum, point) => sum + point.level, 0) / 40;
	const duckMs = rampMs(duckPoints, duckAt, level, duckedLevel);
	engine.duck(false);
	await recorder.until(context.currentTime + 2.5);

	const pauseAt = context.currentTime;
	const paused = engine.pause();
	const pausePoints = windowsDb(await recorder.take(pauseAt - 0.2, pauseAt + 3.6), recorder.sampleRate, pauseAt - 0.2);
	await paused;
	const pauseMs = rampMs(pausePoints, pauseAt, level, level - 60);
	await engine.stop();
	await engine.dispose();
	URL.revokeObjectURL(url);
	recorder.node.disconnect();
	return { duckMs, duckDepthDb: level - duckedLevel, pauseMs };
}

async function heapFigures(context: AudioContext) {
	const gc = (globalThis as { gc?: () => void }).gc;
	if (!gc) throw new Error('Run Chromium with --js-flags=--expose-gc to measure the heap.');
	// performance.memory is cached and coarse in Chromium (it did not move after 16 MB of arrays);
	// the DevTools protocol reads the V8 heap itself.
	const heap = async () => {
		for (let i = 0; i < 3; i += 1) {
			gc();
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		const usage = (await cdp().send('Runtime.getHeapUsage')) as { usedSize: number };
		return usage.usedSize;
	};
	const silent = context.createGain();
	silent.gain.value = 0;
	silent.connect(context.destination);
	const engine = new MusicEngine({ context, destination: silent, crossfadeSeconds: 0.3 });
	const tracks = CURATED_TRACKS.map((track) => sourceOf({ kind: 'track', trackId: track.id }, track.id)!);
	let first = 0;
	for (let n = 0; n <= HEAP_TRANSITIONS; n += 1) {
		const track = tracks[n % tracks.length]!;
		const result = await engine.play({ ...track, key: `${track.key}-${n}` }, { offset: 60 + (n % 7) * 10 });
		if (!result.ok) throw new Error(result.reason);
		await new Promise((resolve) => setTimeout(resolve, 700));
		if (n === 1) first = await heap();
	}
	const last = await heap();
	const stats = engine.stats();
	await engine.stop();
	await engine.dispose();
	return {
		growthMb: (last - first) / 1e6,
		firstMb: first / 1e6,
		lastMb: last / 1e6,
		liveHowls: stats.liveHowls,
		capturedElements: stats.capturedElements
	};
}

async function loudnessSpread(): Promise<{ spread: number; values: number[] }> {
	const decoder = new OfflineAudioContext(2, 1, 44_100);
	const values: number[] = [];
	for (const track of CURATED_TRACKS) {
		const buffer = await decoder.decodeAudioData(await (await fetch(track.file)).arrayBuffer());
		const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
		values.push(integratedLoudness(channels, buffer.sampleRate));
	}
	return { spread: Math.max(...values) - Math.min(...values), values };
}

it('measures session music on the shipped items', async () => {
	const context = new AudioContext({ latencyHint: 'playback' });
	await context.resume();
	const transitions = await transitionFigures(context);
	const ramps = await rampFigures(context);
	const heap = await heapFigures(context);
	await context.close();
	const loudness = await loudnessSpread();
	const figures = {
		crossfade_transitions: transitions.length,
		crossfade_silence_max_ms: round(Math.max(...transitions.map((t) => t.silenceMs))),
		crossfade_level_dev_max_db: round(Math.max(...transitions.map((t) => t.worst)), 2),
		crossfade_level_dev_mean_db: round(transitions.reduce((sum, t) => sum + t.worst, 0) / transitions.length, 2),
		duck_ramp_ms: round(ramps.duckMs),
		duck_depth_db: round(ramps.duckDepthDb, 2),
		pause_fade_ms: round(ramps.pauseMs),
		heap_growth_mb_50_transitions: round(heap.growthMb, 2),
		heap_after_first_mb: round(heap.firstMb, 2),
		heap_after_50_mb: round(heap.lastMb, 2),
		live_howls_after_50_transitions: heap.liveHowls,
		curated_loudness_spread_lu: round(loudness.spread, 2),
		curated_loudness_min_lufs: round(Math.min(...loudness.values), 2),
		curated_loudness_max_lufs: round(Math.max(...loudness.values), 2)
	};
	await commands.writeFile('bench-results/session-music.json', JSON.stringify(figures, null, 2));
	await commands.writeFile(
		'bench-results/session-music-transitions.json',
		JSON.stringify(
			transitions.map((t) => ({ ...t, silenceMs: round(t.silenceMs), worst: round(t.worst, 2) })),
			null,
			2
		)
	);
});
