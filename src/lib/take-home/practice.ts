/**
 * A breathing practice as a therapist sets it for a client: the pacer's pattern, slowing ramp,
 * cues and length under a title, without the settings that belong to the device (haptics,
 * spoken announcements). It travels in a take-home pack or a link, and opens the pacer with
 * one tap on the client's home.
 *
 * Pure: no storage here. `parsePractice` refuses anything the pacer could not run, in plain words.
 *
 * @example
 * const practice = practiceFromSettings(settings, 'Slow breathing, evenings');
 * const back = parsePractice(JSON.parse(JSON.stringify(practice))); // { ok: true, value: practice }
 * const settings = settingsOfPractice(back.value, deviceSettings); // for the pacer
 */
import * as v from 'valibot';
import type { Result } from '../result';
import { PATTERN_INFO } from '../breath/patterns';
import {
	CUE_SET_INFO,
	customProblems,
	parseStoredSettings,
	settingsProblems,
	type PacerSettings
} from '../breath/settings';

export interface BreathingPractice {
	version: 1;
	title: string;
	settings: Pick<PacerSettings, 'pattern' | 'coherentRate' | 'custom' | 'cueSet' | 'volume' | 'length' | 'ramp'>;
}

export const PRACTICE_TITLE_MAX = 120;

const practiceShape = v.object({
	version: v.literal(1, 'This breathing practice was made by a newer Grounded.'),
	title: v.pipe(
		v.string('The practice’s title must be text.'),
		v.trim(),
		v.nonEmpty('The practice needs a title.'),
		v.maxLength(PRACTICE_TITLE_MAX, `A practice’s title can be at most ${PRACTICE_TITLE_MAX} characters.`)
	),
	settings: v.object({
		pattern: v.unknown(),
		coherentRate: v.unknown(),
		custom: v.unknown(),
		cueSet: v.unknown(),
		volume: v.unknown(),
		length: v.unknown(),
		ramp: v.unknown()
	})
});

/**
 * Checks a practice from outside the code. Unlike stored settings, nothing falls back to a
 * default: a practice that says something the pacer can't do is refused, never changed unseen.
 */
export function parsePractice(input: unknown): Result<BreathingPractice> {
	const shape = v.safeParse(practiceShape, input);
	if (!shape.success) {
		const message = shape.issues[0].message;
		return {
			ok: false,
			reason: `This breathing practice can’t be used. ${message.startsWith('Invalid') ? 'A value is missing or of the wrong kind.' : message}`
		};
	}
	const given = shape.output.settings;
	// parseStoredSettings keeps each field that passes its schema; any field it had to replace was bad.
	const parsed = parseStoredSettings({ version: 1, haptics: true, announce: true, ...given });
	const fields = ['pattern', 'coherentRate', 'custom', 'cueSet', 'volume', 'length', 'ramp'] as const;
	const replaced = fields.find((field) => JSON.stringify(parsed[field]) !== JSON.stringify(given[field]));
	const problem =
		replaced !== undefined
			? `Its ${FIELD_WORDS[replaced]} is not one Grounded can play.`
			: (customProblems(parsed.custom)[0]?.message ?? settingsProblems(parsed)[0]?.message);
	if (problem) return { ok: false, reason: `This breathing practice can’t be used. ${problem}` };
	const { pattern, coherentRate, custom, cueSet, volume, length, ramp } = parsed;
	return {
		ok: true,
		value: {
			version: 1,
			title: shape.output.title,
			settings: { pattern, coherentRate, custom, cueSet, volume, length, ramp }
		}
	};
}

const FIELD_WORDS = {
	pattern: 'breathing pattern',
	coherentRate: 'breathing rate',
	custom: 'own pattern',
	cueSet: 'sound',
	volume: 'volume',
	length: 'length',
	ramp: 'slowing down'
} as const;

/** The practice a therapist's pacer settings describe. */
export function practiceFromSettings(settings: PacerSettings, title: string): BreathingPractice {
	const { pattern, coherentRate, custom, cueSet, volume, length, ramp } = settings;
	return { version: 1, title: title.trim(), settings: { pattern, coherentRate, custom, cueSet, volume, length, ramp } };
}

/** The pacer settings to run a practice with, keeping this device's own haptics and announcements. */
export function settingsOfPractice(practice: BreathingPractice, device: PacerSettings): PacerSettings {
	return { ...device, ...practice.settings };
}

/** One line on what the practice is: “Coherent breathing, 5.5 a minute · 10 minutes · Soft tones”. */
export function describePractice(practice: BreathingPractice): string {
	const { settings } = practice;
	const pattern =
		settings.pattern === 'coherent'
			? `${PATTERN_INFO.coherent.name}, ${settings.coherentRate} a minute`
			: PATTERN_INFO[settings.pattern].name;
	const length =
		settings.length.kind === 'minutes'
			? `${settings.length.minutes} ${settings.length.minutes === 1 ? 'minute' : 'minutes'}`
			: `${settings.length.count} ${settings.length.count === 1 ? 'breath' : 'breaths'}`;
	return [pattern, length, CUE_SET_INFO[settings.cueSet].name].join(' · ');
}
