import { describe, expect, it } from 'vitest';
import {
	DEFAULT_SETTINGS,
	customProblems,
	parseStoredSettings,
	settingsProblems,
	timelineRequestOf,
	type PacerSettings
} from '../../src/lib/breath/settings';

describe('customProblems', () => {
	it('accepts a pattern in range at a tenth of a second', () => {
		expect(customProblems({ inhale: 4.5, holdIn: 0, exhale: 20, holdOut: 19.9 })).toEqual([]);
	});

	it('asks for at least a second in and out, and at most 20 s anywhere', () => {
		const problems = customProblems({ inhale: 0.9, holdIn: 20.1, exhale: 0, holdOut: -1 });
		expect(problems.map((p) => p.field)).toEqual(['inhale', 'holdIn', 'exhale', 'holdOut']);
		expect(problems[0]?.message).toBe('Breathing in can be from 1 to 20 seconds.');
		expect(problems[1]?.message).toBe('The hold after breathing in can be from 0 to 20 seconds.');
	});

	it('refuses empty fields and finer steps than a tenth, in plain words', () => {
		const problems = customProblems({ inhale: null, holdIn: 1.25, exhale: Number.NaN, holdOut: '3' });
		expect(problems.map((p) => p.message)).toEqual([
			'Breathing in needs a number of seconds.',
			'The hold after breathing in can be set to a tenth of a second, for example 4.5.',
			'Breathing out needs a number of seconds.',
			'The rest after breathing out needs a number of seconds.'
		]);
	});
});

describe('settingsProblems', () => {
	it('checks lengths as whole numbers in range', () => {
		const bad: PacerSettings = { ...DEFAULT_SETTINGS, length: { kind: 'minutes', minutes: 61 } };
		expect(settingsProblems(bad)).toEqual([
			{ field: 'minutes', message: 'Minutes can be a whole number from 1 to 60.' }
		]);
		const fraction: PacerSettings = { ...DEFAULT_SETTINGS, length: { kind: 'breaths', count: 2.5 } };
		expect(settingsProblems(fraction).map((p) => p.field)).toEqual(['breaths']);
	});

	it('asks a ramp to start faster than the pattern', () => {
		const slow: PacerSettings = { ...DEFAULT_SETTINGS, ramp: { enabled: true, fromRate: 5, minutes: 2 } };
		expect(settingsProblems(slow)[0]?.message).toBe(
			"To slow down gently, start faster than the pattern's own 5.5 breaths a minute."
		);
		const off: PacerSettings = { ...DEFAULT_SETTINGS, ramp: { enabled: false, fromRate: 5, minutes: 2 } };
		expect(settingsProblems(off)).toEqual([]);
	});

	it('gives the timeline a ramp only when enabled', () => {
		expect(timelineRequestOf(DEFAULT_SETTINGS).ramp).toBeUndefined();
		const on: PacerSettings = { ...DEFAULT_SETTINGS, ramp: { enabled: true, fromRate: 9, minutes: 2 } };
		expect(timelineRequestOf(on).ramp).toEqual({ fromRate: 9, minutes: 2 });
	});
});

describe('parseStoredSettings', () => {
	it('returns the defaults for nothing, junk or another version', () => {
		for (const stored of [undefined, null, 42, 'x', [], { version: 2, pattern: 'box' }, { pattern: 'box' }]) {
			expect(parseStoredSettings(stored)).toEqual(DEFAULT_SETTINGS);
		}
	});

	it('keeps good fields and replaces each bad one by its default', () => {
		const parsed = parseStoredSettings({
			version: 1,
			pattern: 'box',
			coherentRate: 'fast',
			cueSet: 'trumpets',
			volume: 0.3,
			length: { kind: 'breaths', count: 20 },
			ramp: { enabled: true },
			haptics: false,
			announce: 'yes'
		});
		expect(parsed).toEqual({
			...DEFAULT_SETTINGS,
			pattern: 'box',
			volume: 0.3,
			length: { kind: 'breaths', count: 20 },
			haptics: false
		});
	});

	it('drops an out-of-range custom pattern and unknown fields', () => {
		const parsed = parseStoredSettings({
			...DEFAULT_SETTINGS,
			custom: { inhale: 0.2, holdIn: 0, exhale: 4, holdOut: 0 },
			extra: 'ignored'
		});
		expect(parsed.custom).toEqual(DEFAULT_SETTINGS.custom);
		expect(parsed).not.toHaveProperty('extra');
	});

	it('round-trips valid settings', () => {
		const settings: PacerSettings = {
			...DEFAULT_SETTINGS,
			pattern: 'custom',
			custom: { inhale: 3.3, holdIn: 1.2, exhale: 6.6, holdOut: 0.5 },
			cueSet: 'ocean',
			length: { kind: 'minutes', minutes: 42 },
			ramp: { enabled: true, fromRate: 12, minutes: 4.5 }
		};
		expect(parseStoredSettings(structuredClone(settings))).toEqual(settings);
	});
});
