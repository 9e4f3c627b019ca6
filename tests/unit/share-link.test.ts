import { describe, expect, it } from 'vitest';
import { PATTERN_INFO, type PatternKind } from '../../src/lib/breath/patterns';
import { DEFAULT_SETTINGS, type PacerSettings } from '../../src/lib/breath/settings';
import { BUILTIN_SCRIPTS } from '../../src/lib/grounding/builtin-scripts';
import type { GroundingScript } from '../../src/lib/grounding/script';
import { mulberry32 } from '../../src/lib/music/prng';
import { practiceFromSettings, type BreathingPractice } from '../../src/lib/take-home/practice';
import { pathOf, QR_MAX_CHARS, qrCodeOf } from '../../src/lib/take-home/qr-code';
import {
	decodeShareFragment,
	encodeFragment,
	encodeShareLink,
	fragmentOfText,
	LINK_MESSAGES,
	MAX_FRAGMENT_CHARS,
	MAX_INFLATED_BYTES,
	type LinkItem
} from '../../src/lib/take-home/share-link';

const APP = 'https://grounded.example/';
const PATTERNS = Object.keys(PATTERN_INFO) as PatternKind[];

/** A title of the most characters a practice's title may have (120), in words that don't repeat. */
const LONGEST_TITLE =
	'Slow breathing for evenings after our sessions: in through the nose, out through the mouth, for as long as it feels kind';

const practice = (settings: Partial<PacerSettings> = {}, title = 'Slow breathing, evenings'): BreathingPractice =>
	practiceFromSettings({ ...DEFAULT_SETTINGS, ...settings }, title);

const breathing = (p: BreathingPractice): LinkItem => ({ kind: 'breathing', practice: p });
const scriptItem = (script: GroundingScript): LinkItem => ({ kind: 'script', script });

/** The fragment of a link, as `location.hash` gives it. */
const hashOf = (link: string) => new URL(link).hash;

const roundTrip = (item: LinkItem) => decodeShareFragment(hashOf(encodeShareLink(item, APP)));

/** A practice with nothing at its default, and a script with every kind of step: pinned below as format 1. */
const UNUSUAL_PRACTICE: BreathingPractice = {
	version: 1,
	title: 'Évening ☾',
	settings: {
		pattern: 'custom',
		coherentRate: 6,
		custom: { inhale: 4.5, holdIn: 1, exhale: 7.5, holdOut: 0.5 },
		cueSet: 'ocean',
		volume: 0.55,
		length: { kind: 'breaths', count: 40 },
		ramp: { enabled: true, fromRate: 8, minutes: 2 }
	}
};

const OWN_SCRIPT: GroundingScript = {
	version: 1,
	id: 'mine-k3x9q2ab',
	title: 'Feet on the floor',
	summary: '',
	builtIn: false,
	steps: [
		{
			id: 'step-1',
			text: 'Feel your feet.',
			timing: { kind: 'timed', seconds: 30 },
			breath: null,
			chime: true,
			background: { kind: 'soundscape', soundscape: 'sea', seed: 11 }
		},
		{
			id: 'step-2',
			text: 'Breathe with the sound.',
			timing: { kind: 'timed', seconds: 60 },
			breath: { kind: 'box' },
			chime: false,
			background: null
		},
		{
			id: 'step-3',
			text: 'When you’re ready, look around the room.',
			timing: { kind: 'open' },
			breath: null,
			chime: false,
			background: null
		}
	]
};

describe('share links: round trip', () => {
	it.each(PATTERNS)('carries a %s practice and gives it back as it was', (pattern) => {
		const item = breathing(practice({ pattern }));
		expect(roundTrip(item)).toEqual({ ok: true, value: item });
	});

	it('carries a practice with nothing at its default', () => {
		expect(roundTrip(breathing(UNUSUAL_PRACTICE))).toEqual({ ok: true, value: breathing(UNUSUAL_PRACTICE) });
	});

	it.each(BUILTIN_SCRIPTS.map((script) => [script.id, script] as const))(
		'names the built-in %s by its id, and gives the built-in back',
		(_id, script) => {
			const link = encodeShareLink(scriptItem(script), APP);
			expect(link.length).toBeLessThan(80);
			expect(decodeShareFragment(hashOf(link))).toEqual({ ok: true, value: scriptItem(script) });
		}
	);

	it.each(BUILTIN_SCRIPTS.map((script) => [script.id, script] as const))(
		'carries an own copy of %s word for word, as the client’s own',
		(_id, script) => {
			const copy: GroundingScript = { ...structuredClone(script), id: 'mine-copy0001', builtIn: false };
			expect(roundTrip(scriptItem(copy))).toEqual({ ok: true, value: scriptItem(copy) });
		}
	);

	it('sends a built-in whose words differ from this Grounded’s in full, and it arrives as the client’s own', () => {
		const shipped = BUILTIN_SCRIPTS[0]!;
		const changed: GroundingScript = { ...structuredClone(shipped), title: 'Arriving, my way' };
		const decoded = roundTrip(scriptItem(changed));
		expect(decoded).toEqual({ ok: true, value: scriptItem({ ...changed, builtIn: false }) });
	});

	it('makes the link under the app’s root, with or without its trailing slash', () => {
		const item = breathing(practice());
		const link = encodeShareLink(item, APP);
		expect(link.startsWith(`${APP}open/#1.`)).toBe(true);
		expect(encodeShareLink(item, 'https://example.org/grounded')).toBe(
			`https://example.org/grounded/open/#${encodeFragment(item)}`
		);
		expect(decodeShareFragment(encodeFragment(item))).toEqual({ ok: true, value: item });
	});

	it('keeps to format 1: links made by this version open the same way for good', () => {
		// If these fail, the dictionary, the check or the JSON changed: that is a new format number, never an edit.
		expect(
			decodeShareFragment('#1.Qq9PIytwDncCYxyoVOHRjH24AwpWnKEGE9DnWAIJFHawYAJaBAsmc5g4JKAgZQZ60kcElSlQNeFkb0JesgcA')
		).toEqual({ ok: true, value: breathing(UNUSUAL_PRACTICE) });
		expect(
			decodeShareFragment(
				'#1.07m_Iz0PZRtXWBYaJSYh5SVgPYJae-DIT4aIDIVa9egRlb_A6ZWS_IVRlCM7zgjhOCdwQklVKM8syQB7CmwKcY4EFwLYS2FU-4wR9mGtaoHhmA2syUE2g91QlJ-fi9UJ0OIwtrYWAA'
			)
		).toEqual({ ok: true, value: scriptItem(OWN_SCRIPT) });
	});
});

describe('share links: fit a QR code', () => {
	it('every pattern and every built-in script makes a small code (version 5 or less at M)', async () => {
		const items = [...PATTERNS.map((pattern) => breathing(practice({ pattern }))), ...BUILTIN_SCRIPTS.map(scriptItem)];
		for (const item of items) {
			const code = await qrCodeOf(encodeShareLink(item, APP));
			expect(code?.version).toBeLessThanOrEqual(5);
		}
	});

	it('the longest practice there can be still makes a code of version 11 or less', async () => {
		const longest = {
			...UNUSUAL_PRACTICE,
			title: LONGEST_TITLE,
			settings: { ...UNUSUAL_PRACTICE.settings, coherentRate: 5.55, volume: 0.123456789 }
		};
		const code = await qrCodeOf(encodeShareLink(breathing(longest), APP));
		expect(code?.version).toBeLessThanOrEqual(11);
	});

	it('an own copy of every built-in script fits a code', async () => {
		for (const script of BUILTIN_SCRIPTS) {
			const link = encodeShareLink(scriptItem({ ...script, builtIn: false }), APP);
			expect(link.length).toBeLessThanOrEqual(QR_MAX_CHARS);
			expect((await qrCodeOf(link))?.version).toBeLessThanOrEqual(40);
		}
	});

	it('says when a link is too long for any code', async () => {
		expect(await qrCodeOf(`${APP}open/#1.${'a'.repeat(QR_MAX_CHARS)}`)).toBeNull();
	});

	it('draws each run of dark squares as one rectangle', () => {
		expect(
			pathOf([
				[false, true, true],
				[true, false, true]
			])
		).toBe('M1 0h2v1h-2zM0 1h1v1h-1zM2 1h1v1h-1z');
	});
});

describe('share links: refused in plain words, never thrown', () => {
	const valid = encodeFragment(breathing(practice()));

	it('says a link with nothing after its # has nothing to open', () => {
		expect(decodeShareFragment('')).toEqual({ ok: false, reason: LINK_MESSAGES.empty });
		expect(decodeShareFragment('#')).toEqual({ ok: false, reason: LINK_MESSAGES.empty });
	});

	it.each([
		['not a link of ours', '#hello'],
		['no payload', '#1.'],
		['characters outside base64url', '#1.abc$def'],
		['percent-escaped', '#1.ab%20cd'],
		['a length no bytes have', '#1.abcde'],
		['too short for its check', '#1.abcd'],
		['random bytes', '#1.q83vEjRWeJq83vEjRWeJq83v'],
		['format 0', `#0.${valid.slice(2)}`]
	])('refuses %s as damaged', (_what, hash) => {
		expect(decodeShareFragment(hash)).toEqual({ ok: false, reason: LINK_MESSAGES.damaged });
	});

	it('refuses a link with one character changed, whichever it is', () => {
		const payload = valid.slice(2);
		for (let i = 0; i < payload.length; i += 1) {
			const swapped = payload[i] === 'A' ? 'B' : 'A';
			const damaged = `1.${payload.slice(0, i)}${swapped}${payload.slice(i + 1)}`;
			const decoded = decodeShareFragment(damaged);
			expect(decoded.ok, `changed at ${i}`).toBe(false);
		}
	});

	it('refuses a link cut short anywhere', () => {
		for (let cut = 1; cut < valid.length - 2; cut += 1) {
			expect(decodeShareFragment(valid.slice(0, -cut)).ok, `cut by ${cut}`).toBe(false);
		}
	});

	it('says a link from a newer Grounded is from a newer Grounded', () => {
		expect(decodeShareFragment(`#2.${valid.slice(2)}`)).toEqual({ ok: false, reason: LINK_MESSAGES.newer });
		expect(decodeShareFragment(fragmentOfText('{"kind":"playlist","playlist":{}}'))).toEqual({
			ok: false,
			reason: LINK_MESSAGES.newer
		});
		expect(decodeShareFragment(fragmentOfText('{"kind":"builtin","id":"a-script-from-the-future"}'))).toEqual({
			ok: false,
			reason: LINK_MESSAGES.unknownBuiltIn
		});
	});

	it('refuses a link longer than any Grounded makes, unread', () => {
		expect(decodeShareFragment(`#1.${'A'.repeat(MAX_FRAGMENT_CHARS)}`)).toEqual({
			ok: false,
			reason: LINK_MESSAGES.tooLarge
		});
	});

	it('stops a payload that would inflate past its cap (a zip bomb: 2 MB in under 3,000 characters)', () => {
		const bomb = fragmentOfText(' '.repeat(2 * 1024 * 1024));
		expect(bomb.length).toBeLessThan(MAX_FRAGMENT_CHARS);
		const started = performance.now();
		expect(decodeShareFragment(bomb)).toEqual({ ok: false, reason: LINK_MESSAGES.tooLarge });
		expect(performance.now() - started).toBeLessThan(500);
	});

	it('reads a payload of exactly its cap, and no byte more', () => {
		// Spaces are no item: read to the end, then refused as damaged; one more, and it is never read.
		expect(decodeShareFragment(fragmentOfText(' '.repeat(MAX_INFLATED_BYTES)))).toEqual({
			ok: false,
			reason: LINK_MESSAGES.damaged
		});
		expect(decodeShareFragment(fragmentOfText(' '.repeat(MAX_INFLATED_BYTES + 1)))).toEqual({
			ok: false,
			reason: LINK_MESSAGES.tooLarge
		});
	});

	it('refuses checked text that is not an item', () => {
		expect(decodeShareFragment(fragmentOfText('not json'))).toEqual({ ok: false, reason: LINK_MESSAGES.damaged });
		expect(decodeShareFragment(fragmentOfText('[1,2,3]'))).toEqual({ ok: false, reason: LINK_MESSAGES.newer });
	});

	it('refuses a practice the pacer can’t run, saying why', () => {
		const wrong = { ...practice(), settings: { ...practice().settings, coherentRate: 40 } };
		const decoded = decodeShareFragment(fragmentOfText(JSON.stringify({ kind: 'breathing', practice: wrong })));
		expect(decoded).toEqual({
			ok: false,
			reason: 'This breathing practice can’t be used. Its breathing rate is not one Grounded can play.'
		});
	});

	it('refuses a script the player can’t play, saying why', () => {
		const empty = { ...OWN_SCRIPT, steps: [] };
		const decoded = decodeShareFragment(fragmentOfText(JSON.stringify({ kind: 'script', script: empty })));
		expect(decoded).toEqual({ ok: false, reason: 'This script can’t be used. A script needs at least one step.' });
	});

	it('gives a script that says it is built in back as the client’s own', () => {
		const claimed = { ...OWN_SCRIPT, builtIn: true };
		const decoded = decodeShareFragment(fragmentOfText(JSON.stringify({ kind: 'script', script: claimed })));
		expect(decoded).toEqual({ ok: true, value: scriptItem(OWN_SCRIPT) });
	});
});

describe('share links: fuzz', () => {
	const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.#%~ é';

	function mutate(text: string, random: () => number): string {
		const at = Math.floor(random() * (text.length + 1));
		const char = ALPHABET[Math.floor(random() * ALPHABET.length)]!;
		switch (Math.floor(random() * 6)) {
			case 0:
				return `${text.slice(0, at)}${char}${text.slice(at + 1)}`;
			case 1:
				return `${text.slice(0, at)}${text.slice(at + 1)}`;
			case 2:
				return `${text.slice(0, at)}${char}${text.slice(at)}`;
			case 3:
				return text.slice(0, at);
			case 4: {
				const other = Math.floor(random() * text.length);
				const chars = [...text];
				[chars[at], chars[other]] = [chars[other]!, chars[at]!];
				return chars.join('');
			}
			default:
				return `${text.slice(0, at)}${text.slice(Math.floor(random() * text.length))}`;
		}
	}

	it.each([
		['a practice', breathing(UNUSUAL_PRACTICE)],
		['an own script', scriptItem(OWN_SCRIPT)],
		['a copy of the longest built-in', scriptItem({ ...BUILTIN_SCRIPTS[3]!, id: 'mine-long0001', builtIn: false })]
	])('400 random changes to a link for %s: none throws, none opens as something else', (_what, item) => {
		const random = mulberry32(20260512);
		const fragment = `#${encodeFragment(item)}`;
		let refused = 0;
		for (let i = 0; i < 400; i += 1) {
			let changed = fragment;
			const changes = 1 + Math.floor(random() * 3);
			for (let c = 0; c < changes; c += 1) changed = mutate(changed, random);
			let decoded: ReturnType<typeof decodeShareFragment> | undefined;
			expect(() => (decoded = decodeShareFragment(changed)), changed).not.toThrow();
			if (decoded?.ok) expect(decoded.value, changed).toEqual(item);
			else {
				refused += 1;
				expect(decoded?.reason.length).toBeGreaterThan(20);
			}
		}
		expect(refused).toBeGreaterThan(350);
	});
});
