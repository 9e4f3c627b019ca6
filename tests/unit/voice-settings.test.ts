import { describe, expect, it } from 'vitest';
import {
	DEFAULT_VOICE_SETTINGS,
	chosenVoice,
	offeredVoices,
	parseVoiceSettings,
	type VoiceLike
} from '../../src/lib/audio/voice-settings';

describe('parseVoiceSettings', () => {
	it('keeps good settings as they are', () => {
		const stored = { version: 1, mode: 'system', voiceURI: 'Samantha', rate: 1.15 };
		expect(parseVoiceSettings(stored)).toEqual(stored);
	});

	it('gives the defaults for nothing, another version, or something that is not settings', () => {
		expect(parseVoiceSettings(undefined)).toEqual(DEFAULT_VOICE_SETTINGS);
		expect(parseVoiceSettings({ version: 2, mode: 'text' })).toEqual(DEFAULT_VOICE_SETTINGS);
		expect(parseVoiceSettings('system')).toEqual(DEFAULT_VOICE_SETTINGS);
		expect(DEFAULT_VOICE_SETTINGS).toEqual({ version: 1, mode: 'recorded', voiceURI: null, rate: 0.9 });
	});

	it('replaces only the damaged fields with their defaults', () => {
		expect(parseVoiceSettings({ version: 1, mode: 'shout', voiceURI: 'Daniel', rate: 1.5 })).toEqual({
			version: 1,
			mode: 'recorded',
			voiceURI: 'Daniel',
			rate: 0.9
		});
		expect(parseVoiceSettings({ version: 1, mode: 'text', voiceURI: '', rate: 0.7 })).toEqual({
			version: 1,
			mode: 'text',
			voiceURI: null,
			rate: 0.7
		});
		expect(parseVoiceSettings({ version: 1, mode: 'system', voiceURI: 42, rate: Number.NaN })).toEqual({
			version: 1,
			mode: 'system',
			voiceURI: null,
			rate: 0.9
		});
	});
});

const voices: VoiceLike[] = [
	{ voiceURI: 'Cloud voice', localService: false },
	{ voiceURI: 'On-device A', localService: true },
	{ voiceURI: 'On-device B', localService: true }
];

describe('offeredVoices', () => {
	it('offers every voice online, and only on-device voices offline', () => {
		expect(offeredVoices(voices, true).map((voice) => voice.voiceURI)).toEqual([
			'Cloud voice',
			'On-device A',
			'On-device B'
		]);
		expect(offeredVoices(voices, false).map((voice) => voice.voiceURI)).toEqual(['On-device A', 'On-device B']);
	});
});

describe('chosenVoice', () => {
	it('takes the chosen voice when offered, else the first offered, else none', () => {
		expect(chosenVoice(voices, 'On-device B')?.voiceURI).toBe('On-device B');
		expect(chosenVoice(offeredVoices(voices, false), 'Cloud voice')?.voiceURI).toBe('On-device A');
		expect(chosenVoice(voices, null)?.voiceURI).toBe('Cloud voice');
		expect(chosenVoice([], 'On-device A')).toBeNull();
	});
});
