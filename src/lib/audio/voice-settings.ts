/**
 * How a grounding script is spoken: the therapist's recorded voice where a
 * step has one, the system's speech synthesis, or text only (chimes still
 * sound). Pure: the shape, the defaults, the stored value's parser, and which
 * system voices may be offered.
 *
 * @example
 * const settings = parseVoiceSettings(await backend.get(VOICE_SETTINGS_KEY)); // never throws
 * const voices = offeredVoices(speechSynthesis.getVoices(), navigator.onLine);
 * const chosen = chosenVoice(voices, settings.voiceId);
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
	/** The chosen system voice, as `voiceIdOf` names it; null for the device's default. */
	voiceId: string | null;
	rate: number;
}

export const DEFAULT_VOICE_SETTINGS: VoiceSettings = { version: 1, mode: 'recorded', voiceId: null, rate: 0.9 };

const fieldSchemas = {
	mode: v.picklist(VOICE_MODES),
	voiceId: v.nullable(v.pipe(v.string(), v.nonEmpty(), v.maxLength(500))),
	rate: v.pipe(v.number(), v.finite(), v.minValue(SPEECH_RATE.min), v.maxValue(SPEECH_RATE.max))
} as const;

/** Whatever was stored, as usable settings: each missing or damaged field falls back to its default. */
export function parseVoiceSettings(stored: unknown): VoiceSettings {
	if (typeof stored !== 'object' || stored === null || (stored as { version?: unknown }).version !== 1) {
		return DEFAULT_VOICE_SETTINGS;
	}
	const record = stored as Record<string, unknown>;
	const mode = v.safeParse(fieldSchemas.mode, record.mode);
	// Settings saved before voices had ids kept the voiceURI, which is the id of a voice that has its own.
	const voiceId = v.safeParse(fieldSchemas.voiceId, record.voiceId ?? record.voiceURI);
	const rate = v.safeParse(fieldSchemas.rate, record.rate);
	return {
		version: 1,
		mode: mode.success ? mode.output : DEFAULT_VOICE_SETTINGS.mode,
		voiceId: voiceId.success ? voiceId.output : DEFAULT_VOICE_SETTINGS.voiceId,
		rate: rate.success ? rate.output : DEFAULT_VOICE_SETTINGS.rate
	};
}

/** What a system voice needs to be offered (the fields of `SpeechSynthesisVoice` we read). */
export interface VoiceLike {
	readonly voiceURI: string;
	readonly name: string;
	readonly lang: string;
	readonly localService: boolean;
}

/**
 * What tells a voice apart from the others listed with it: its voiceURI, where no other voice has
 * the same one. Engines may give several voices one URI, or an empty one (WebKitGTK lists every
 * voice with `voiceURI: ''`); then its name and language are added.
 */
export function voiceIdOf(voice: VoiceLike, among: readonly VoiceLike[]): string {
	const shared = voice.voiceURI === '' || among.some((other) => other !== voice && other.voiceURI === voice.voiceURI);
	return shared ? `${voice.voiceURI}|${voice.name}|${voice.lang}` : voice.voiceURI;
}

/**
 * The voices to offer, each once: every one when online; offline, only those that run on the device.
 * Two listed alike in URI, name and language are one voice to a person, and are offered once.
 */
export function offeredVoices<T extends VoiceLike>(voices: readonly T[], online: boolean): T[] {
	const usable = online ? voices : voices.filter((voice) => voice.localService);
	const seen = new Set<string>();
	return usable.filter((voice) => {
		const id = voiceIdOf(voice, usable);
		if (seen.has(id)) return false;
		seen.add(id);
		return true;
	});
}

/** The chosen voice if it is offered, else the first offered, else none. */
export function chosenVoice<T extends VoiceLike>(offered: readonly T[], voiceId: string | null): T | null {
	return offered.find((voice) => voiceIdOf(voice, offered) === voiceId) ?? offered[0] ?? null;
}
