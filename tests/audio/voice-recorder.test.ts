/**
 * VoiceRecorder in real Chromium. The main test records a stream made from
 * an oscillator (the recorder takes any MediaStream), so it needs no
 * microphone; one test uses the real getUserMedia and runs only when the
 * browser has a fake microphone (--use-fake-device-for-media-stream
 * --use-fake-ui-for-media-stream).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { integratedLoudness } from '../../src/lib/loudness/loudness';
import { processRecording } from '../../src/lib/voice/process-recording';
import {
	microphoneFailure,
	pickMimeType,
	RECORDER_MESSAGES,
	VoiceRecorder,
	type VoiceRecorderOptions
} from '../../src/lib/voice/recorder';

const AMPLITUDE = 0.25;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
	while (cleanups.length > 0) await cleanups.pop()!();
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A live 440 Hz tone as a MediaStream, as a microphone would give one. */
async function toneStream(): Promise<MediaStream> {
	const context = new AudioContext();
	await context.resume();
	const oscillator = new OscillatorNode(context, { frequency: 440 });
	const gain = new GainNode(context, { gain: AMPLITUDE });
	const destination = context.createMediaStreamDestination();
	oscillator.connect(gain).connect(destination);
	oscillator.start();
	cleanups.push(async () => {
		oscillator.stop();
		await context.close();
	});
	return destination.stream;
}

/** Opens a recorder on the tone, remembering the meter's context so the test can see it closed. */
async function openOnTone(options: VoiceRecorderOptions = {}) {
	const stream = await toneStream();
	const contexts: AudioContext[] = [];
	const opened = await VoiceRecorder.open({
		stream,
		createContext: () => {
			const context = new AudioContext();
			contexts.push(context);
			return context;
		},
		...options
	});
	if (!opened.ok) throw new Error(opened.reason);
	const recorder = opened.value;
	cleanups.push(() => recorder.close());
	return { recorder, stream, contexts };
}

/** Whether getUserMedia gives a microphone here (only with Chromium's fake-device flags, in tests). */
async function hasMicrophone(): Promise<boolean> {
	// mediaDevices is missing outside a secure context, whatever the types say.
	if (!('mediaDevices' in navigator)) return false;
	const request = navigator.mediaDevices.getUserMedia({ audio: true });
	// Without the fake-UI flag a permission prompt could wait for ever; give up after 3 s, and release a late stream.
	const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), 3000));
	const answer = request.then(
		(stream) => {
			stream.getTracks().forEach((track) => track.stop());
			return true;
		},
		() => false
	);
	return Promise.race([answer, timeout]);
}

const microphone = await hasMicrophone();

describe('VoiceRecorder on a stream', () => {
	it('records a take, meters it, and the take processes into a clip at the voice loudness', async () => {
		const { recorder } = await openOnTone();
		expect(recorder.mimeType).toBe('audio/webm;codecs=opus');
		expect(recorder.state).toBe('ready');
		expect(recorder.elapsed).toBe(0);
		expect(recorder.start()).toEqual({ ok: true, value: undefined });
		expect(recorder.state).toBe('recording');

		await wait(600);
		const level = recorder.level();
		expect(level).toBeGreaterThan(AMPLITUDE * 0.9);
		expect(level).toBeLessThan(AMPLITUDE * 1.1);
		await wait(900);
		expect(Math.abs(recorder.elapsed - 1.5)).toBeLessThan(0.2);

		const take = await recorder.stop();
		if (!take.ok) throw new Error(take.reason);
		expect(recorder.state).toBe('ready');
		const frozen = recorder.elapsed;
		await wait(100);
		expect(recorder.elapsed).toBe(frozen);
		expect(take.value.type).toMatch(/^audio\/webm/);
		expect(take.value.size).toBeGreaterThan(1000);

		const clip = await processRecording(take.value);
		if (!clip.ok) throw new Error(clip.reason);
		// The tone runs through the whole take, so nearly all of it is kept.
		expect(clip.value.durationSeconds).toBeGreaterThan(1.2);
		expect(clip.value.durationSeconds).toBeLessThan(1.8);
		// A 0.25 sine at 440 Hz is about −15 LUFS; Opus keeps it within a dB or so.
		expect(clip.value.loudnessBefore).toBeGreaterThan(-17);
		expect(clip.value.loudnessBefore).toBeLessThan(-13);
		const decoded = await new OfflineAudioContext(1, 1, 24_000).decodeAudioData(await clip.value.wav.arrayBuffer());
		expect(Math.abs(integratedLoudness([decoded.getChannelData(0)], 24_000) - -20)).toBeLessThan(0.5);
	});

	it('records a second take after the first, independent of it', async () => {
		const { recorder } = await openOnTone();
		recorder.start();
		await wait(300);
		const first = await recorder.stop();
		recorder.start();
		await wait(900);
		const second = await recorder.stop();
		if (!first.ok || !second.ok) throw new Error('a take failed');
		expect(second.value.size).toBeGreaterThan(first.value.size);
		expect(recorder.elapsed).toBeGreaterThan(0.8);
		expect(recorder.elapsed).toBeLessThan(1.2);
	});

	it('closing stops every track, closes the meter’s context, and refuses further use', async () => {
		const { recorder, stream, contexts } = await openOnTone();
		recorder.start();
		await wait(200);
		await recorder.close();
		expect(stream.getTracks().map((track) => track.readyState)).toEqual(['ended']);
		expect(contexts.map((context) => context.state)).toEqual(['closed']);
		expect(recorder.state).toBe('closed');
		expect(recorder.level()).toBe(0);
		expect(recorder.start()).toEqual({ ok: false, reason: RECORDER_MESSAGES.closed });
		expect(await recorder.stop()).toEqual({ ok: false, reason: RECORDER_MESSAGES.closed });
		await recorder.close(); // twice is harmless
	});

	it('says so when stopped without a take', async () => {
		const { recorder } = await openOnTone();
		expect(await recorder.stop()).toEqual({ ok: false, reason: 'Nothing is being recorded.' });
	});

	it('refuses a stream with no audio track', async () => {
		const canvas = document.createElement('canvas');
		const video = canvas.captureStream();
		const opened = await VoiceRecorder.open({ stream: video });
		expect(opened).toEqual({ ok: false, reason: RECORDER_MESSAGES.notFound });
		expect(video.getTracks().every((track) => track.readyState === 'ended')).toBe(true);
	});
});

describe('VoiceRecorder.open failures', () => {
	const refusing = (error: unknown): Pick<MediaDevices, 'getUserMedia'> => ({
		getUserMedia: async () => {
			throw error;
		}
	});

	it('names each way the microphone can be refused, in plain words', async () => {
		const cases: [unknown, string][] = [
			[
				new DOMException('Permission denied', 'NotAllowedError'),
				'Grounded was not allowed to use the microphone. You can allow it in the browser’s site settings; the rest of the editor keeps working.'
			],
			[
				new DOMException('Requested device not found', 'NotFoundError'),
				'No microphone was found. Connect one or switch it on, then try again; the rest of the editor keeps working.'
			],
			[
				new DOMException('Could not start audio source', 'NotReadableError'),
				'The microphone could not be started: another app may be using it. Close that app, then try again; the rest of the editor keeps working.'
			],
			[
				new Error('strange'),
				'The microphone could not be opened just now. Try again; the rest of the editor keeps working.'
			]
		];
		for (const [error, reason] of cases) {
			expect(await VoiceRecorder.open({ mediaDevices: refusing(error) })).toEqual({ ok: false, reason });
			expect(microphoneFailure(error)).toBe(reason);
		}
		expect(microphoneFailure(new DOMException('policy', 'SecurityError'))).toBe(RECORDER_MESSAGES.notAllowed);
	});

	it('asks for voice-friendly processing: echo cancellation and noise suppression on, gain control off', async () => {
		let asked: MediaStreamConstraints | undefined;
		await VoiceRecorder.open({
			mediaDevices: {
				getUserMedia: async (constraints) => {
					asked = constraints;
					throw new DOMException('no', 'NotAllowedError');
				}
			}
		});
		expect(asked).toEqual({
			audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: false, channelCount: 1 }
		});
	});
});

describe('pickMimeType', () => {
	it('takes the first type the browser supports, else lets the browser choose', () => {
		expect(pickMimeType((type) => type.startsWith('audio/webm'))).toBe('audio/webm;codecs=opus');
		expect(pickMimeType((type) => type === 'audio/mp4' || type === 'audio/webm')).toBe('audio/mp4');
		expect(pickMimeType((type) => type === 'audio/webm')).toBe('audio/webm');
		expect(pickMimeType(() => false)).toBe('');
		expect(pickMimeType((type) => MediaRecorder.isTypeSupported(type))).toBe('audio/webm;codecs=opus');
	});
});

describe('VoiceRecorder on the microphone', () => {
	it.skipIf(!microphone)(
		'opens the microphone and records from it (runs only with a fake microphone: scripts/browser.js needs --use-fake-device-for-media-stream --use-fake-ui-for-media-stream)',
		async () => {
			const opened = await VoiceRecorder.open();
			if (!opened.ok) throw new Error(opened.reason);
			const recorder = opened.value;
			cleanups.push(() => recorder.close());
			recorder.start();
			await wait(2000);
			const take = await recorder.stop();
			if (!take.ok) throw new Error(take.reason);
			// Chromium's fake device beeps once a second, so the take is not silent.
			const clip = await processRecording(take.value);
			expect(clip.ok).toBe(true);
		}
	);
});
