import { describe, expect, it } from 'vitest';
import {
	DEFAULT_VOICE_SETTINGS,
	chosenVoice,
	offeredVoices,
	parseVoiceSettings,
	voiceIdOf,
	type VoiceLike
} from '../../src/lib/audio/voice-settings';

describe('parseVoiceSettings', () => {
	it('keeps good settings as they are', () => {
		const stored = { version: 1, mode: 'system', voiceId: 'Samantha', rate: 1.15 };
		expect(parseVoiceSettings(stored)).toEqual(stored);
	});

	it('reads the voiceURI that settings kept before voices had ids', () => {
		expect(parseVoiceSettings({ version: 1, mode: 'system', voiceURI: 'Samantha', rate: 1 }).voiceId).toBe('Samantha');
	});

	it('gives the defaults for nothing, another version, or something that is not settings', () => {
		expect(parseVoiceSettings(undefined)).toEqual(DEFAULT_VOICE_SETTINGS);
		expect(parseVoiceSettings({ version: 2, mode: 'text' })).toEqual(DEFAULT_VOICE_SETTINGS);
		expect(parseVoiceSettings('system')).toEqual(DEFAULT_VOICE_SETTINGS);
		expect(DEFAULT_VOICE_SETTINGS).toEqual({ version: 1, mode: 'recorded', voiceId: null, rate: 0.9 });
	});

	it('replaces only the damaged fields with their defaults', () => {
		expect(parseVoiceSettings({ version: 1, mode: 'shout', voiceId: 'Daniel', rate: 1.5 })).toEqual({
			version: 1,
			mode: 'recorded',
			voiceId: 'Daniel',
			rate: 0.9
		});
		expect(parseVoiceSettings({ version: 1, mode: 'text', voiceId: '', rate: 0.7 })).toEqual({
			version: 1,
			mode: 'text',
			voiceId: null,
			rate: 0.7
		});
		expect(parseVoiceSettings({ version: 1, mode: 'system', voiceId: 42, rate: Number.NaN })).toEqual({
			version: 1,
			mode: 'system',
			voiceId: null,
			rate: 0.9
		});
	});
});

const voices: VoiceLike[] = [
	{ voiceURI: 'Cloud voice', name: 'Cloud', lang: 'en-GB', localService: false },
	{ voiceURI: 'On-device A', name: 'A', lang: 'en-US', localService: true },
	{ voiceURI: 'On-device B', name: 'B', lang: 'en-US', localService: true }
];

/** As WebKitGTK lists its voices: every one with an empty voiceURI. */
const unnamed: VoiceLike[] = [
	{ voiceURI: '', name: 'kal', lang: 'en-US', localService: false },
	{ voiceURI: '', name: 'slt', lang: 'en-US', localService: false },
	{ voiceURI: '', name: 'kal', lang: 'en-US', localService: false }
];

describe('voiceIdOf', () => {
	it('is the voiceURI where it is the voice’s own, else adds the name and language', () => {
		expect(voices.map((voice) => voiceIdOf(voice, voices))).toEqual(['Cloud voice', 'On-device A', 'On-device B']);
		expect(unnamed.map((voice) => voiceIdOf(voice, unnamed))).toEqual(['|kal|en-US', '|slt|en-US', '|kal|en-US']);
		const shared = [voices[1]!, { ...voices[2]!, voiceURI: 'On-device A' }];
		expect(shared.map((voice) => voiceIdOf(voice, shared))).toEqual(['On-device A|A|en-US', 'On-device A|B|en-US']);
	});
});

describe('offeredVoices', () => {
	it('offers every voice online, and only on-device voices offline', () => {
		expect(offeredVoices(voices, true).map((voice) => voice.voiceURI)).toEqual([
			'Cloud voice',
			'On-device A',
			'On-device B'
		]);
		expect(offeredVoices(voices, false).map((voice) => voice.voiceURI)).toEqual(['On-device A', 'On-device B']);
	});

	it('offers voices listed twice alike only once, and each offered voice has an id of its own', () => {
		const offered = offeredVoices(unnamed, true);
		expect(offered.map((voice) => voice.name)).toEqual(['kal', 'slt']);
		expect(new Set(offered.map((voice) => voiceIdOf(voice, offered))).size).toBe(2);
	});
});

describe('chosenVoice', () => {
	it('takes the chosen voice when offered, else the first offered, else none', () => {
		expect(chosenVoice(voices, 'On-device B')?.voiceURI).toBe('On-device B');
		expect(chosenVoice(offeredVoices(voices, false), 'Cloud voice')?.voiceURI).toBe('On-device A');
		expect(chosenVoice(voices, null)?.voiceURI).toBe('Cloud voice');
		expect(chosenVoice([], 'On-device A')).toBeNull();
		const offered = offeredVoices(unnamed, true);
		expect(chosenVoice(offered, '|slt|en-US')?.name).toBe('slt');
	});
});
