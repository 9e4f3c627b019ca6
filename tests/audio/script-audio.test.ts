/**
 * A grounding run's sound in real Chromium, heard by the same audio tap the
 * end-to-end tests use: step chimes land on the plan's boundaries on the audio
 * clock even when the page's main thread stalls across one, and dispose
 * releases every voice, timer and context the run made.
 */
import { Howler } from 'howler';
import { encodeWav } from '../../src/lib/voice/clip';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScriptAudio } from '../../src/lib/audio/script-audio';
import { isPlaying } from '../../src/lib/platform/audio-activity';
import { DEFAULT_VOICE_SETTINGS } from '../../src/lib/audio/voice-settings';
import type { GroundingScript, ScriptStep } from '../../src/lib/grounding/script';
import { nextStep, startRun, tick, type RunState, type RunStep } from '../../src/lib/grounding/script-runner';
import { memoryBackend } from '../../src/lib/storage/key-value';
import { VoiceClipStore, voiceClipKey } from '../../src/lib/voice/clip-store';
import { DEFAULT_TAP_OPTIONS, TAP_PROCESSOR_SOURCE, audioTapInitScript } from '../support/audio-tap-browser.js';

interface TapEntry {
	id: number;
	context: AudioContext;
	delay: number;
	ready: boolean;
	onsets: { time: number }[];
}

const tapContexts = (): TapEntry[] =>
	Object.values((window as unknown as { __audioTap: { contexts: Record<number, TapEntry> } }).__audioTap.contexts);
const liveHowls = (): number => (Howler as unknown as { _howls: unknown[] })._howls.length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function step(id: string, seconds: number, options: Partial<ScriptStep> = {}): ScriptStep {
	return {
		id,
		text: `Step ${id}.`,
		timing: { kind: 'timed', seconds },
		breath: null,
		chime: true,
		background: null,
		...options
	};
}

function script(id: string, steps: ScriptStep[]): GroundingScript {
	return { version: 1, id, title: 'Test', summary: '', builtIn: false, steps };
}

function toneWav(seconds: number): Blob {
	const rate = 24_000;
	const samples = new Float32Array(Math.round(seconds * rate));
	for (let i = 0; i < samples.length; i += 1) samples[i] = (8000 / 32767) * Math.sin((2 * Math.PI * 660 * i) / rate);
	return new Blob([encodeWav(samples, rate)], { type: 'audio/wav' });
}

/** Ticks the runner every 100 ms, as the player does, until `until` (wall ms); returns the last state. */
async function runUntil(run: GroundingScript, audio: ScriptAudio, state: RunState, until: number): Promise<RunState> {
	let current = state;
	while (Date.now() < until) {
		await sleep(100);
		const ticked: RunStep = tick(run, current, Date.now());
		current = ticked.state;
		audio.follow(ticked);
	}
	return current;
}

let audio: ScriptAudio | undefined;

beforeAll(() => {
	// Before Tone loads, so that every context the run makes is tapped.
	audioTapInitScript({ ...DEFAULT_TAP_OPTIONS, processorSource: TAP_PROCESSOR_SOURCE, moduleUrls: [] });
});

afterEach(async () => {
	await audio?.dispose();
	audio = undefined;
});

describe('ScriptAudio', () => {
	it('strikes each step’s chime at its planned boundary on the audio clock, through a stalled main thread', async () => {
		const before = tapContexts().map((entry) => entry.id);
		const plan = script('chimes', [step('a', 8), step('b', 8)]);
		const made = await ScriptAudio.create(plan, {
			voice: { ...DEFAULT_VOICE_SETTINGS, mode: 'text' },
			cueSet: 'chimes',
			cueVolume: 1,
			clips: new VoiceClipStore(memoryBackend())
		});
		expect(made.ok).toBe(true);
		if (!made.ok) return;
		audio = made.value;
		expect(isPlaying()).toBe(false);
		const started = startRun(plan, Date.now());
		audio.follow(started);
		// From its start the run holds back an app update, though only chimes sound.
		expect(isPlaying()).toBe(true);
		await sleep(6_500);
		// Busy across the boundary at 8 s: no tick, no timer, no top-up runs for 2.5 s.
		const stallEnd = performance.now() + 2_500;
		while (performance.now() < stallEnd) {
			// The stall.
		}
		await runUntil(plan, audio, started.state, started.state.stepStartedAt + 17_500);
		const cue = tapContexts().find((entry) => !before.includes(entry.id) && entry.onsets.length > 0);
		expect(cue).toBeDefined();
		while (cue!.context.currentTime - cue!.delay < cue!.onsets[0]!.time + 16.3) await sleep(50);
		const onsets = cue!.onsets.map((onset) => onset.time);
		// The two step chimes and the closing bell, 8 s apart to within a frame or two.
		expect(onsets).toHaveLength(3);
		expect(onsets[1]! - onsets[0]!).toBeCloseTo(8, 3);
		expect(onsets[2]! - onsets[0]!).toBeCloseTo(16, 3);
		// Finished: an update may go ahead.
		expect(isPlaying()).toBe(false);
	});

	it('releases every voice, timer, Howl and context it made on dispose', async () => {
		const before = tapContexts().map((entry) => entry.id);
		const howls = liveHowls();
		const plan = script('release', [
			step('a', 20, {
				breath: { kind: 'box' },
				background: { kind: 'soundscape', soundscape: 'warm-drone', seed: 3 }
			}),
			step('b', 20, { background: { kind: 'soundscape', soundscape: 'warm-drone', seed: 3 } })
		]);
		const clips = new VoiceClipStore(
			memoryBackend({
				[voiceClipKey('release', 'b')]: {
					version: 1,
					scriptId: 'release',
					stepId: 'b',
					wav: toneWav(3),
					durationSeconds: 3,
					gainDb: 0,
					recordedAt: 1
				}
			})
		);
		const made = await ScriptAudio.create(plan, {
			voice: DEFAULT_VOICE_SETTINGS,
			cueSet: 'tones',
			cueVolume: 1,
			clips
		});
		expect(made.ok).toBe(true);
		if (!made.ok) return;
		const run = made.value;
		audio = run;
		const started = startRun(plan, Date.now());
		run.follow(started);
		await sleep(1_500);
		expect(run.stats()).toMatchObject({ breathRuns: 1, disposed: false });
		const moved = nextStep(plan, started.state, Date.now());
		run.follow(moved);
		await sleep(1_800);
		const playing = run.stats();
		expect(playing.voiceSounding).toBe(true);
		expect(playing.chimes).toBeGreaterThanOrEqual(1);
		expect(liveHowls()).toBe(howls + 1);

		expect(isPlaying()).toBe(true);
		await run.dispose();
		expect(isPlaying()).toBe(false);
		expect(run.stats()).toEqual({ chimes: 0, breathRuns: 0, voiceSounding: false, timers: 0, disposed: true });
		expect(liveHowls()).toBe(howls);
		const made_ = tapContexts().filter((entry) => !before.includes(entry.id) && entry.context !== Howler.ctx);
		expect(made_.length).toBeGreaterThanOrEqual(2);
		expect(made_.map((entry) => entry.context.state)).toEqual(made_.map(() => 'closed'));
	});
});
