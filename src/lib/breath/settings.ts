/**
 * Pacer settings: their shape, their defaults, and the checks that keep a bad
 * value (typed, stored or imported) from reaching the pacer.
 *
 * Pure: no storage here. `parseStoredSettings` accepts anything and always
 * returns usable settings, falling back field by field to the defaults.
 */
import * as v from 'valibot';
import type { BreathPattern, CustomDurations, PatternKind } from './patterns';
import { COHERENT_DEFAULT_RATE, COHERENT_RATE_RANGE, CUSTOM_LIMITS, patternRate } from './patterns';
import type { PracticeLength, Ramp, TimelineRequest } from './timeline';
import type { BreathsPerMinute, GainValue } from '../units';

export const CUE_SETS = ['tones', 'chimes', 'ocean', 'silent'] as const;
export type CueSet = (typeof CUE_SETS)[number];

export const CUE_SET_INFO: Record<CueSet, { readonly name: string; readonly summary: string }> = {
	tones: { name: 'Soft tones', summary: 'A tone that rises as you breathe in and falls as you breathe out.' },
	chimes: { name: 'Bowl chimes', summary: 'A singing-bowl chime at each change: higher for in, lower for out.' },
	ocean: { name: 'Ocean breath', summary: 'A soft wash of sound that swells and ebbs with the breath.' },
	silent: { name: 'Silent', summary: 'No sound: follow the shape and the words on screen.' }
};

export const LENGTH_LIMITS = {
	minutes: { min: 1, max: 60 },
	breaths: { min: 1, max: 600 }
} as const;
export const RAMP_LIMITS = {
	fromRate: { min: 3, max: 20 },
	minutes: { min: 1, max: 10 }
} as const;

export interface RampSetting {
	enabled: boolean;
	fromRate: BreathsPerMinute;
	minutes: number;
}

export interface PacerSettings {
	version: 1;
	pattern: PatternKind;
	coherentRate: BreathsPerMinute;
	custom: CustomDurations;
	cueSet: CueSet;
	volume: GainValue;
	length: PracticeLength;
	ramp: RampSetting;
	haptics: boolean;
	announce: boolean;
}

export const DEFAULT_SETTINGS: PacerSettings = {
	version: 1,
	pattern: 'coherent',
	coherentRate: COHERENT_DEFAULT_RATE,
	custom: { inhale: 4, holdIn: 2, exhale: 6, holdOut: 0 },
	cueSet: 'tones',
	volume: 0.7,
	length: { kind: 'minutes', minutes: 5 },
	ramp: { enabled: false, fromRate: 8, minutes: 2 },
	haptics: true,
	announce: true
};

const finite = v.pipe(v.number(), v.finite());
const inRange = (min: number, max: number) => v.pipe(finite, v.minValue(min), v.maxValue(max));

const customSchema = v.object({
	inhale: inRange(CUSTOM_LIMITS.minBreath, CUSTOM_LIMITS.max),
	holdIn: inRange(0, CUSTOM_LIMITS.max),
	exhale: inRange(CUSTOM_LIMITS.minBreath, CUSTOM_LIMITS.max),
	holdOut: inRange(0, CUSTOM_LIMITS.max)
});

const lengthSchema = v.variant('kind', [
	v.object({
		kind: v.literal('minutes'),
		minutes: v.pipe(inRange(LENGTH_LIMITS.minutes.min, LENGTH_LIMITS.minutes.max), v.integer())
	}),
	v.object({
		kind: v.literal('breaths'),
		count: v.pipe(inRange(LENGTH_LIMITS.breaths.min, LENGTH_LIMITS.breaths.max), v.integer())
	})
]);

const rampSchema = v.object({
	enabled: v.boolean(),
	fromRate: inRange(RAMP_LIMITS.fromRate.min, RAMP_LIMITS.fromRate.max),
	minutes: inRange(RAMP_LIMITS.minutes.min, RAMP_LIMITS.minutes.max)
});

/** Each field has its own schema so that one bad field does not cost the others. */
const fieldSchemas = {
	pattern: v.picklist(['coherent', 'box', 'four-seven-eight', 'extended-exhale', 'sigh', 'custom']),
	coherentRate: inRange(COHERENT_RATE_RANGE.min, COHERENT_RATE_RANGE.max),
	custom: customSchema,
	cueSet: v.picklist(CUE_SETS),
	volume: inRange(0, 1),
	length: lengthSchema,
	ramp: rampSchema,
	haptics: v.boolean(),
	announce: v.boolean()
} as const;

type FieldName = keyof typeof fieldSchemas;

/**
 * Turns whatever was stored into settings the pacer can use. Missing, old or
 * corrupt fields fall back to their defaults; a custom pattern that is out of
 * range as a whole falls back too. Never throws.
 */
export function parseStoredSettings(stored: unknown): PacerSettings {
	if (typeof stored !== 'object' || stored === null || (stored as { version?: unknown }).version !== 1) {
		return DEFAULT_SETTINGS;
	}
	const record = stored as Record<string, unknown>;
	const result: Record<string, unknown> = { ...DEFAULT_SETTINGS };
	for (const name of Object.keys(fieldSchemas) as FieldName[]) {
		const parsed = v.safeParse(fieldSchemas[name], record[name]);
		if (parsed.success) result[name] = parsed.output;
	}
	const settings = result as unknown as PacerSettings;
	if (customProblems(settings.custom).length > 0) return { ...settings, custom: DEFAULT_SETTINGS.custom };
	return settings;
}

export type CustomField = keyof CustomDurations;

export interface FieldProblem<Field extends string> {
	readonly field: Field;
	readonly message: string;
}

const CUSTOM_LABELS: Record<CustomField, string> = {
	inhale: 'Breathing in',
	holdIn: 'The hold after breathing in',
	exhale: 'Breathing out',
	holdOut: 'The rest after breathing out'
};

/** Plain-words problems with a custom pattern, one per field at most. Empty when it is fine. */
export function customProblems(custom: Record<CustomField, unknown>): FieldProblem<CustomField>[] {
	const problems: FieldProblem<CustomField>[] = [];
	for (const field of ['inhale', 'holdIn', 'exhale', 'holdOut'] as const) {
		const value = custom[field];
		const label = CUSTOM_LABELS[field];
		const min = field === 'inhale' || field === 'exhale' ? CUSTOM_LIMITS.minBreath : 0;
		if (typeof value !== 'number' || !Number.isFinite(value)) {
			problems.push({ field, message: `${label} needs a number of seconds.` });
		} else if (value < min || value > CUSTOM_LIMITS.max) {
			problems.push({
				field,
				message: `${label} can be ${min === 0 ? 'from 0' : `from ${min}`} to ${CUSTOM_LIMITS.max} seconds.`
			});
		} else if (Math.abs(Math.round(value / CUSTOM_LIMITS.step) * CUSTOM_LIMITS.step - value) > 1e-9) {
			problems.push({ field, message: `${label} can be set to a tenth of a second, for example 4.5.` });
		}
	}
	return problems;
}

export type SettingsField = 'coherentRate' | 'minutes' | 'breaths' | 'fromRate' | 'rampMinutes';

/** Problems with the other numeric choices, in plain words. */
export function settingsProblems(settings: PacerSettings): FieldProblem<SettingsField>[] {
	const problems: FieldProblem<SettingsField>[] = [];
	const check = (field: SettingsField, value: number, min: number, max: number, what: string, whole = false) => {
		if (!Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
			problems.push({ field, message: `${what} can be ${whole ? 'a whole number ' : ''}from ${min} to ${max}.` });
		}
	};
	check('coherentRate', settings.coherentRate, COHERENT_RATE_RANGE.min, COHERENT_RATE_RANGE.max, 'Breaths a minute');
	if (settings.length.kind === 'minutes') {
		check('minutes', settings.length.minutes, LENGTH_LIMITS.minutes.min, LENGTH_LIMITS.minutes.max, 'Minutes', true);
	} else {
		check('breaths', settings.length.count, LENGTH_LIMITS.breaths.min, LENGTH_LIMITS.breaths.max, 'Breaths', true);
	}
	if (settings.ramp.enabled) {
		check('fromRate', settings.ramp.fromRate, RAMP_LIMITS.fromRate.min, RAMP_LIMITS.fromRate.max, 'The starting rate');
		check('rampMinutes', settings.ramp.minutes, RAMP_LIMITS.minutes.min, RAMP_LIMITS.minutes.max, 'The slowing time');
		const target = patternRate(patternOf(settings));
		if (problems.length === 0 && settings.ramp.fromRate <= target) {
			problems.push({
				field: 'fromRate',
				message: `To slow down gently, start faster than the pattern's own ${formatRate(target)} breaths a minute.`
			});
		}
	}
	return problems;
}

function formatRate(rate: BreathsPerMinute): string {
	return (Math.round(rate * 10) / 10).toString();
}

/** The pattern the settings describe. */
export function patternOf(settings: PacerSettings): BreathPattern {
	switch (settings.pattern) {
		case 'coherent':
			return { kind: 'coherent', breathsPerMinute: settings.coherentRate };
		case 'custom':
			return { kind: 'custom', durations: settings.custom };
		default:
			return { kind: settings.pattern };
	}
}

/** What the timeline needs from the settings. */
export function timelineRequestOf(settings: PacerSettings): TimelineRequest {
	const ramp: Ramp | undefined = settings.ramp.enabled
		? { fromRate: settings.ramp.fromRate, minutes: settings.ramp.minutes }
		: undefined;
	return { pattern: patternOf(settings), length: settings.length, ramp };
}
