/**
 * Bench, session music: the real MusicEngine plays the shipped items (the
 * curated MP3s through howler and the generative soundscapes through Tone) in
 * real Chromium, and its output is recorded sample for sample. Each item comes
 * in as it would in a session (a track from the end of its opening swell); once
 * the transition and the seconds after it are recorded, a track is moved on to
 * near its end with a 30 ms cut (not measured), so fourteen real transitions take
 * about four minutes. The cut comes early enough (its closing fade, the crossfade,
 * the engine's lead, AROUND and a margin before the end) that the next transition's
 * "before" stretch never holds it, however long the track's closing fade:
 * `sinceCutS` in the transitions file says how long before each fade it was. (With
 * a fixed 28 s, the two grounding tracks, whose closing fades last 18 and 21 s, were
 * announced at once after the cut, and the "before" band of the next transition was
 * mostly the track's earlier, quieter part.)
 * Writes bench-results/session-music.json; `npm run bench` prints it.
 *
 * - crossfade_silence_max_ms: longest run of 128-frame blocks whose peak is under
 *   −50 dBFS, from each fade's start to its end.
 * - crossfade_level_dev_max_db: short-term loudness (EBU R128, 3 s, K-weighted)
 *   of every window centred inside a fade, against the band the items around it
 *   span by themselves (every short-term window within the 6 s before the fade
 *   and the 6 s after it); how far outside. Music and soundscapes swell on their
 *   own, so a band, not a single level, is the fair reference. An item whose own
 *   level moves during the fade still counts against the engine here.
 * - crossfade_level_dev_engine_max_db (and _mean_db, the mean of each transition's
 *   worst): the engine's part alone. Each transition is rebuilt from its two items
 *   heard alone, at the positions the engine played them, through the engine's
 *   gains: out·cos + in·sin of the equal-power fade (the very `fadePoints` its
 *   faders schedule) times each item's loudness gain. Short-term loudness of that
 *   expected mix against the recorded one, for every window centred inside the
 *   fade; the largest difference. The items alone:
 *   - a track is its MP3 decoded by an OfflineAudioContext at the recorder's rate.
 *     Where it lines up is first estimated from `engine.current.position` read right
 *     after its play resolved, then found to the sample by cross-correlation with
 *     the recording where that item plays alone (the 6 s before the fade for the
 *     outgoing one, the 6 s after for the incoming one; ±1 s around the estimate);
 *   - a soundscape is rendered offline (tests/audio/render-soundscape.ts) with the
 *     same seed from its start, which the engine placed exactly FADE_IN before the
 *     fade: on the same fraction of a frame and the same place in the 128-frame
 *     render quantum, so the render is the live sound itself. Each is rendered
 *     twice to check the render repeats itself.
 *   Both are down-mixed to mono as the recorder does, (L + R) / 2. How exact that
 *   is, where each item plays alone: crossfade_solo_residual_max_db (the recording
 *   minus the aligned item alone, against the recording; −120 means the samples are
 *   the same), crossfade_solo_level_error_max_db (recorded power against the item
 *   alone through the engine's gain), crossfade_track_position_estimate_error_max_ms
 *   (the engine's position reading against the sample-exact alignment), and
 *   soundscape_solo_repeat_max_diff. The transitions file also gives, per
 *   transition, `musicWorst`: the band figure above measured on the expected mix,
 *   that is what the items' own movement alone makes of it.
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
import { dbToGain } from '../src/lib/music/equal-power';
import { MusicEngine, NEAR_END_LEAD } from '../src/lib/music/music-engine';
import { FADE_IN } from '../src/lib/music/soundscapes';
import type { MusicSource, TrackSource } from '../src/lib/music/types';
import { integratedLoudness, shortTermLoudness } from '../src/lib/loudness/loudness';
import type { Seconds } from '../src/lib/units';
import { LiveRecorder } from '../tests/audio/live-recorder';
import { encodeWav } from '../src/lib/voice/clip';
import { alignSolo, fitAt, monoOf, scheduledGains, type SoloFit } from './expected-mix';

const FADE: Seconds = 6;
/** Seconds a track plays alone after its cut beyond the AROUND its next transition measures. */
const TAIL_MARGIN: Seconds = 4;
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

/** An item as it was played: where it was at a moment on the audio clock (position = anchorPosition + t − anchorTime). */
interface Heard {
	readonly source: MusicSource;
	/** A track: the engine's reading right after its play resolved. A soundscape: its start, at position 0, exactly. */
	readonly anchorTime: Seconds;
	readonly anchorPosition: Seconds;
	/** A track moved on to near its end: when the cut began. */
	readonly cutAt?: Seconds;
}

/** A transition's recording and its two items, for the engine's own figure (see engineLevelFigures). */
interface Capture {
	readonly samples: Float32Array;
	/** Frame of the first sample. */
	readonly first: number;
	readonly fadeStart: Seconds;
	readonly fadeEnd: Seconds;
	readonly outgoing: Heard;
	readonly incoming: Heard;
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

/**
 * Where a track jumps to after its transition (and where the first one starts, `extra` earlier for
 * its fade-in from silence): before its closing fade by the crossfade, the engine's lead, AROUND and a margin.
 */
function tailOffset(source: MusicSource, extra: Seconds = 0): Seconds | undefined {
	if (source.kind !== 'track') return undefined;
	const tail = source.closingFade + FADE + NEAR_END_LEAD + AROUND + TAIL_MARGIN + extra;
	return Math.max(0, source.durationSeconds - tail);
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

/** The gain the engine gives an item at full level (music-engine.ts `itemGain`): a track's loudness gain, 1 for a soundscape. */
const itemGain = (source: MusicSource): number => (source.kind === 'track' ? dbToGain(source.gainDb) : 1);

interface SoloCheck {
	readonly item: string;
	readonly kind: MusicSource['kind'];
	/** Track: the sample-exact alignment minus the estimate from the engine's position reading (soundscape: 0, known). */
	readonly lagErrorMs: number;
	readonly correlation: number;
	readonly residualDb: number;
	/** Recorded power against the item alone through the engine's gain, where it plays alone. */
	readonly levelErrorDb: number;
	/** Where it fits less than exactly: the 50 ms block with the most misfit (s from the fade start), and its share. */
	readonly misfitAtS: number | null;
	readonly misfitShare: number | null;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
	let max = a.length === b.length ? 0 : Infinity;
	for (let i = 0; i < Math.min(a.length, b.length); i += 1) max = Math.max(max, Math.abs(a[i]! - b[i]!));
	return max;
}

/**
 * The engine's own level error in each transition: the recording against the
 * mix its two items make alone at the same positions through the engine's
 * gains (see the header). Works on the recordings after the live part is over,
 * so decoding and offline rendering never compete with the live context.
 */
async function engineLevelFigures(captures: readonly Capture[], rate: number) {
	const { renderSoundscape } = await import('../tests/audio/render-soundscape');
	// Soundscapes: the span each must cover, from its start to the end of its last recording.
	const spans = new Map<string, { heard: Heard; until: Seconds }>();
	for (const capture of captures) {
		for (const item of [capture.outgoing, capture.incoming]) {
			if (item.source.kind !== 'soundscape') continue;
			const until = (capture.first + capture.samples.length) / rate;
			spans.set(item.source.key, { heard: item, until: Math.max(until, spans.get(item.source.key)?.until ?? 0) });
		}
	}
	// A solo render starts its soundscape about 0.5 s in, on the live start's fraction of a frame and its
	// place in the 128-frame render quantum, so its sample k is live frame k − lead + floor(start · rate).
	// (Off the quantum grid, k-rate parameters such as a noise loop's playbackRate are sampled at other
	// moments and the render drifts from the live sound, 15–30 dB down; on it the two are the same.)
	const scapes = new Map<string, { mono: Float32Array; offset: number }>();
	let repeatMaxDiff = 0;
	for (const [key, { heard, until }] of spans) {
		const source = heard.source;
		if (source.kind !== 'soundscape') continue;
		const exact = heard.anchorTime * rate;
		const base = Math.floor(exact);
		const lead = (base % 128) + 128 * Math.round((0.5 * rate - (base % 128)) / 128);
		const startAt = (lead + exact - base) / rate;
		const request = { id: source.soundscape, seed: source.seed, sampleRate: rate, startAt };
		const duration = startAt + (until - heard.anchorTime) + 1;
		const once = await renderSoundscape({ ...request, duration });
		const twice = await renderSoundscape({ ...request, duration });
		repeatMaxDiff = Math.max(
			repeatMaxDiff,
			maxDifference(once.left, twice.left),
			maxDifference(once.right, twice.right)
		);
		scapes.set(key, { mono: monoOf([once.left, once.right]), offset: lead - base });
	}
	const decoder = new OfflineAudioContext(2, 1, rate);
	const decoded = new Map<string, Float32Array>();
	const trackMono = async (src: string): Promise<Float32Array> => {
		const known = decoded.get(src);
		if (known) return known;
		const buffer = await decoder.decodeAudioData(await (await fetch(src)).arrayBuffer());
		const mono = monoOf(Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c)));
		decoded.set(src, mono);
		// Consecutive transitions share a track: two decoded at a time are enough.
		if (decoded.size > 2) decoded.delete(decoded.keys().next().value!);
		return mono;
	};

	const around = Math.round(AROUND * rate);
	const edge = Math.round(0.05 * rate);
	const results = [];
	for (const capture of captures) {
		const count = capture.samples.length;
		const solos: { heard: Heard; solo: Float32Array; lag: number; check: SoloCheck }[] = [];
		// The outgoing item alone before the fade, the incoming one alone after it.
		for (const [heard, from, to] of [
			[capture.outgoing, 0, around - edge],
			[capture.incoming, count - around + edge, count]
		] as const) {
			const source = heard.source;
			const scape = scapes.get(source.key);
			const solo = source.kind === 'track' ? await trackMono(source.src) : scape!.mono;
			const stretch = capture.samples.subarray(from, to);
			const estimate =
				source.kind === 'track'
					? Math.round((heard.anchorPosition + capture.first / rate - heard.anchorTime) * rate)
					: capture.first + scape!.offset;
			const fit: SoloFit =
				source.kind === 'track'
					? alignSolo(stretch, solo, estimate + from, Math.round(rate))
					: fitAt(stretch, solo, estimate + from);
			const lag = fit.lag - from;
			let heardEnergy = 0;
			let soloEnergy = 0;
			// Where the misfit is, if any: the 50 ms block with the most of it (a dropout is one block).
			const block = Math.round(0.05 * rate);
			let misfit = { total: 0, worst: 0, at: 0 };
			for (let b = 0; b + block <= stretch.length; b += block) {
				let sum = 0;
				for (let i = b; i < b + block; i += 1) {
					heardEnergy += stretch[i]! ** 2;
					soloEnergy += (itemGain(source) * (solo[fit.lag + i] ?? 0)) ** 2;
					sum += (stretch[i]! - fit.gain * (solo[fit.lag + i] ?? 0)) ** 2;
				}
				misfit.total += sum;
				if (sum > misfit.worst) misfit = { ...misfit, worst: sum, at: b };
			}
			solos.push({
				heard,
				solo,
				lag,
				check: {
					item: source.title,
					kind: source.kind,
					lagErrorMs: round(((lag - estimate) / rate) * 1000, 2),
					correlation: round(fit.correlation, 6),
					residualDb: round(fit.residualDb, 1),
					levelErrorDb: round(10 * Math.log10(heardEnergy / soloEnergy), 3),
					misfitAtS:
						fit.residualDb > -60 ? round((capture.first + from + misfit.at) / rate - capture.fadeStart, 2) : null,
					misfitShare: fit.residualDb > -60 ? round(misfit.worst / misfit.total, 2) : null
				}
			});
		}
		const [out, inc] = solos as [(typeof solos)[0], (typeof solos)[0]];
		const t0 = capture.first / rate;
		const fade = capture.fadeEnd - capture.fadeStart;
		const gOut = scheduledGains(count, rate, t0, {
			start: capture.fadeStart,
			length: fade,
			from: itemGain(out.heard.source),
			to: 0,
			shape: 'equal-power-out'
		});
		const gIn = scheduledGains(count, rate, t0, {
			start: capture.fadeStart,
			length: fade,
			from: 0,
			to: itemGain(inc.heard.source),
			shape: 'equal-power-in'
		});
		const expected = new Float32Array(count);
		for (let i = 0; i < count; i += 1) {
			expected[i] = gOut[i]! * (out.solo[i + out.lag] ?? 0) + gIn[i]! * (inc.solo[i + inc.lag] ?? 0);
		}
		const recordedLevels = shortTermLoudness([capture.samples], rate, 0.1);
		const expectedLevels = shortTermLoudness([expected], rate, 0.1);
		let worst = 0;
		const inside: number[] = [];
		for (let centre = AROUND, n = 0; centre <= AROUND + fade + 1e-9; centre += 0.1, n += 1) {
			const window = Math.round((centre - 1.5) / 0.1);
			worst = Math.max(worst, Math.abs(recordedLevels[window]! - expectedLevels[window]!));
			if (n % 10 === 0) inside.push(round(expectedLevels[window]!, 2));
		}
		results.push({
			engineWorst: worst,
			expectedInside: inside,
			musicWorst: round(levelDeviationDb(expected, rate, fade).worst, 2),
			solos: solos.map((solo) => solo.check)
		});
	}
	return { results, repeatMaxDiff };
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
		sinceCutS: number | null;
	})[] = [];
	const captures: Capture[] = [];
	/** Where `source` is, read right after its play resolved (a soundscape's start is known exactly). */
	const heard = (source: MusicSource, fadeStart: Seconds): Heard => {
		if (source.kind === 'soundscape') return { source, anchorTime: fadeStart - FADE_IN, anchorPosition: 0 };
		const before = context.currentTime;
		const position = engine.current?.position ?? 0;
		return { source, anchorTime: (before + context.currentTime) / 2, anchorPosition: position };
	};
	let current = items[0]!;
	let asked = nearEnd();
	let started = await engine.play(current, { offset: tailOffset(current, FADE) });
	if (!started.ok) throw new Error(started.reason);
	let currentHeard = heard(current, started.value.fadeStart);
	for (const next of items.slice(1)) {
		if (current.kind === 'track') await asked;
		else await recorder.until(started.value.fadeEnd + SOUNDSCAPE_ALONE);
		asked = nearEnd();
		const result = await engine.play(next);
		if (!result.ok) throw new Error(`${next.title}: ${result.reason}`);
		const { fadeStart, fadeEnd } = result.value;
		const nextHeard = heard(next, fadeStart);
		const samples = await recorder.take(fadeStart - AROUND, fadeEnd + AROUND);
		captures.push({
			samples,
			first: Math.round((fadeStart - AROUND) * recorder.sampleRate),
			fadeStart,
			fadeEnd,
			outgoing: currentHeard,
			incoming: nextHeard
		});
		currentHeard = nextHeard;
		const cutAt = captures.at(-1)!.outgoing.cutAt;
		transitions.push({
			from: current.title,
			to: next.title,
			fadeStart,
			fadeEnd,
			silenceMs: longestSilenceMs(
				samples.subarray(AROUND * recorder.sampleRate, samples.length - AROUND * recorder.sampleRate),
				recorder.sampleRate
			),
			...levelDeviationDb(samples, recorder.sampleRate, fadeEnd - fadeStart),
			sinceCutS: cutAt === undefined ? null : round(fadeStart - cutAt, 2)
		});
		recorder.forgetBefore(fadeEnd - 1);
		if (next.kind === 'track') {
			// The acceleration: on to near the end, a cut the next transition's "before" window never sees.
			asked = nearEnd();
			const tail = { ...next, key: `${next.key}-tail` };
			const jumped = await engine.play(tail, { offset: tailOffset(next), fade: 0 });
			if (!jumped.ok) throw new Error(`${next.title}: ${jumped.reason}`);
			currentHeard = { ...heard(tail, jumped.value.fadeStart), cutAt: jumped.value.fadeStart };
		}
		current = next;
		started = result;
		console.info(`transition ${transitions.length}: ${JSON.stringify(transitions.at(-1))}`);
	}
	await engine.stop();
	await engine.dispose();
	recorder.node.disconnect();
	return { transitions, captures, rate: recorder.sampleRate };
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
	const { transitions, captures, rate } = await transitionFigures(context);
	const engineLevels = await engineLevelFigures(captures, rate);
	// The recordings are no longer needed; let them go before the heap is measured.
	captures.splice(0);
	const engine = engineLevels.results;
	const solos = engine.flatMap((result) => result.solos);
	const ramps = await rampFigures(context);
	const heap = await heapFigures(context);
	await context.close();
	const loudness = await loudnessSpread();
	const figures = {
		crossfade_transitions: transitions.length,
		crossfade_silence_max_ms: round(Math.max(...transitions.map((t) => t.silenceMs))),
		crossfade_level_dev_max_db: round(Math.max(...transitions.map((t) => t.worst)), 2),
		crossfade_level_dev_mean_db: round(transitions.reduce((sum, t) => sum + t.worst, 0) / transitions.length, 2),
		crossfade_level_dev_engine_max_db: round(Math.max(...engine.map((e) => e.engineWorst)), 2),
		crossfade_level_dev_engine_mean_db: round(engine.reduce((sum, e) => sum + e.engineWorst, 0) / engine.length, 2),
		crossfade_solo_residual_max_db: round(Math.max(...solos.map((solo) => solo.residualDb)), 1),
		crossfade_solo_level_error_max_db: round(Math.max(...solos.map((solo) => Math.abs(solo.levelErrorDb))), 3),
		crossfade_track_position_estimate_error_max_ms: round(
			Math.max(...solos.filter((solo) => solo.kind === 'track').map((solo) => Math.abs(solo.lagErrorMs))),
			1
		),
		soundscape_solo_repeat_max_diff: engineLevels.repeatMaxDiff,
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
			transitions.map((t, i) => ({
				...t,
				silenceMs: round(t.silenceMs),
				worst: round(t.worst, 2),
				...engine[i],
				engineWorst: round(engine[i]!.engineWorst, 2)
			})),
			null,
			2
		)
	);
});
