/**
 * How a grounding script is spoken: the therapist's recorded voice where a
 * step has one, the system's speech synthesis, or text only (chimes still
 * sound). Pure: the shape, the defaults, the stored value's parser, and which
 * system voices may be offered.
 *
 * @example
 * const settings = parseVoiceSettings(await backend.get(VOICE_SETTINGS_KEY)); // never throws
 * const voices = offeredVoices(speechSynthesis.getVoices(), navigator.onLine);
 */
import * as v from 'valibot';

export const VOICE_SETTINGS_KEY = 'grounding-voice-settings';

export const VOICE_MODES = ['recorded', 'system', 'text'] as const;
export type VoiceMode = (typeof VOICE_MODES)[number];

export const VOICE_MODE_NAMES: Record<VoiceMode, string> = {
	recorded: 'Recorded voice where there is one',
	system: 'System voice',
	text: 'Text only'
};

/** Speaking rates offered: slower than usual suits grounding; faster than 1.2 feels hurried. */
export const SPEECH_RATE = { min: 0.7, max: 1.2, step: 0.05 } as const;

export interface VoiceSettings {
	version: 1;
	mode: VoiceMode;
	/** The chosen system voice (`SpeechSynthesisVoice.voiceURI`); null for the device's default. */
	voiceURI: string | null;
	rate: number;
}

export const DEFAULT_VOICE_SETTINGS: VoiceSettings = { version: 1, mode: 'recorded', voiceURI: null, rate: 0.9 };

const fieldSchemas = {
	mode: v.picklist(VOICE_MODES),
	voiceURI: v.nullable(v.pipe(v.string(), v.nonEmpty(), v.maxLength(500))),
	rate: v.pipe(v.number(), v.finite(), v.minValue(SPEECH_RATE.min), v.maxValue(SPEECH_RATE.max))
} as const;

/** Whatever was stored, as usable settings: each missing or damaged field falls back to its default. */
export function parseVoiceSettings(stored: unknown): VoiceSettings {
	if (typeof stored !== 'object' || stored === null || (stored as { version?: unknown }).version !== 1) {
		return DEFAULT_VOICE_SETTINGS;
	}
	const record = stored as Record<string, unknown>;
	const mode = v.safeParse(fieldSchemas.mode, record.mode);
	const voiceURI = v.safeParse(fieldSchemas.voiceURI, record.voiceURI);
	const rate = v.safeParse(fieldSchemas.rate, record.rate);
	return {
		version: 1,
		mode: mode.success ? mode.output : DEFAULT_VOICE_SETTINGS.mode,
		voiceURI: voiceURI.success ? voiceURI.output : DEFAULT_VOICE_SETTINGS.voiceURI,
		rate: rate.success ? rate.output : DEFAULT_VOICE_SETTINGS.rate
	};
}

/** What a system voice needs to be offered. */
export interface VoiceLike {
	readonly voiceURI: string;
	readonly localService: boolean;
}

/** The voices to offer: every one when online; offline, only those that run on the device. */
export function offeredVoices<T extends VoiceLike>(voices: readonly T[], online: boolean): T[] {
	return online ? [...voices] : voices.filter((voice) => voice.localService);
}

/** The chosen voice if it is offered, else the first offered, else none. */
export function chosenVoice<T extends VoiceLike>(offered: readonly T[], voiceURI: string | null): T | null {
	return offered.find((voice) => voice.voiceURI === voiceURI) ?? offered[0] ?? null;
}
