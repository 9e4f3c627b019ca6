/**
 * A breathing practice or a grounding script in a link, for a QR code on the therapist's screen:
 * what fits in a link travels without a file. The item rides in the URL's fragment (after the
 * '#'), which browsers never send to any server, the app's own host included.
 *
 * Format 1, `<app>/open/#1.<payload>`:
 *
 *   item ──JSON (fixed key order, defaults left out)──▶ UTF-8 bytes ─┬─ raw DEFLATE against DICTIONARY ─┐
 *                                                                    └─ 3-byte check (FNV-1a) ───────────┤
 *   payload = base64url(check ‖ deflated) ◀──────────────────────────────────────────────────────────────┘
 *
 * The dictionary holds the JSON a practice or a script is made of, so that a practice's link is
 * about 100 characters instead of 280 (a QR code of version 5 rather than 12: larger squares,
 * easier to scan in a dim room). It is part of format 1 and can never change: a different
 * dictionary is a new format number. tests/unit/share-link.test.ts pins both with fixed links.
 * Raw DEFLATE has no check of its own; the three bytes catch a link damaged on the way (about one
 * damaged link in 16 million would pass them, and then still has to pass parsePractice or parseScript).
 *
 * A built-in script travels as its id alone: every Grounded already has its words, and a link a
 * tenth as long makes a code a phone reads at once. It comes back as the built-in (builtIn true),
 * to be noted, not copied (the take-home record's builtInScriptIds, as a pack does). Any other
 * script comes back as the client's own copy (builtIn false), recordings never included.
 *
 * Pure: no DOM, no storage. `decodeShareFragment` never throws: damaged text, a newer format, a
 * payload that would inflate past MAX_INFLATED_BYTES (a zip bomb), or an item that fails its own
 * parser are refused in plain words.
 *
 * @example
 * const link = encodeShareLink({ kind: 'breathing', practice }, 'https://grounded.example/');
 * // 'https://grounded.example/open/#1.q1YqzsjMS89JVbIy…'
 * const item = decodeShareFragment(new URL(link).hash); // { ok: true, value: { kind: 'breathing', practice } }
 */
import { deflateSync, inflateSync } from 'fflate';
import * as v from 'valibot';
import { BUILTIN_SCRIPTS } from '../grounding/builtin-scripts';
import { parseScript, type GroundingScript, type ScriptStep } from '../grounding/script';
import type { Result } from '../result';
import { parsePractice, type BreathingPractice } from './practice';

export type LinkItem = { kind: 'breathing'; practice: BreathingPractice } | { kind: 'script'; script: GroundingScript };

/** The format this code writes; the number before the '.' in the fragment. */
export const LINK_FORMAT = 1;

/** The path, under the app's root, of the page that opens a link. */
export const OPEN_PATH = 'open/';

/** Longer than any link Grounded makes (a QR code holds at most 2,953 characters); longer is refused unread. */
export const MAX_FRAGMENT_CHARS = 4096;

/**
 * The most a link's item may inflate to. A link that fits a QR code holds about 12 KB of script
 * text at most; deflate can multiply a payload by a thousand, so this is checked while inflating.
 */
export const MAX_INFLATED_BYTES = 64 * 1024;

const CHECK_BYTES = 3;

export const LINK_MESSAGES = {
	empty: 'This link has nothing after its ‘#’ to open. Scan the code again, or ask for the link again.',
	damaged: 'This link is damaged or incomplete, so nothing was opened. Scan the code again, or ask for a new link.',
	newer:
		'This link was made by a newer Grounded. Open Grounded once with a connection so that it can update, then open the link again.',
	tooLarge: 'This link holds more than Grounded takes from a link, so nothing was opened.',
	unknownBuiltIn:
		'This link names a built-in script this Grounded doesn’t have yet. Open Grounded once with a connection so that it can update, then open the link again.'
} as const;

/**
 * Frozen with format 1 (see the module's comment): strings a practice or a script is made of, the
 * most likely last (DEFLATE reaches nearer text with fewer bits).
 */
const DICTIONARY = new TextEncoder().encode(
	[
		' you are. Notice your breath. Let your body. Feel your feet on the floor. When you’re ready, ',
		'{"kind":"builtin","id":"',
		'"background":{"kind":"track","trackId":"',
		'"background":{"kind":"soundscape","soundscape":"rain","seed":1}},',
		'"background":{"kind":"soundscape","soundscape":"bowls","seed":2}},',
		'"background":{"kind":"soundscape","soundscape":"sea","seed":11}},',
		'"background":{"kind":"soundscape","soundscape":"slow-pads","seed":7}},',
		'"breath":{"kind":"custom","durations":{"inhale":4,"holdIn":0,"exhale":6,"holdOut":0}},',
		'"breath":{"kind":"box"},"breath":{"kind":"four-seven-eight"},"breath":{"kind":"sigh"},',
		'"breath":{"kind":"extended-exhale"},"breath":{"kind":"coherent","breathsPerMinute":5.5},"chime":true,',
		'{"id":"step-","text":"","timing":{"kind":"open"}},',
		'{"kind":"script","script":{"version":1,"id":"mine-","title":"","summary":"","steps":[',
		'{"id":"step-","text":"","timing":{"kind":"timed","seconds":60},"chime":true,',
		'"background":{"kind":"soundscape","soundscape":"warm-drone","seed":3}},',
		'"cueSet":"chimes","cueSet":"ocean","cueSet":"silent","length":{"kind":"breaths","count":30},',
		'"ramp":{"enabled":true,"fromRate":8,"minutes":2}}}}',
		'"pattern":"four-seven-eight","pattern":"extended-exhale","pattern":"sigh","pattern":"custom",',
		'{"kind":"breathing","practice":{"version":1,"title":"","settings":{"pattern":"box",',
		'{"kind":"breathing","practice":{"version":1,"title":"","settings":{"pattern":"coherent","coherentRate":5.5,',
		'"custom":{"inhale":4,"holdIn":2,"exhale":6,"holdOut":0},"cueSet":"tones","volume":0.7,',
		'"length":{"kind":"minutes","minutes":5},"ramp":{"enabled":false,"fromRate":8,"minutes":2}}}}'
	].join('')
);

/** The link that opens `item` in the Grounded at `appUrl` (its root, such as `https://grounded.example/`). */
export function encodeShareLink(item: LinkItem, appUrl: string): string {
	const root = appUrl.endsWith('/') ? appUrl : `${appUrl}/`;
	return `${root}${OPEN_PATH}#${encodeFragment(item)}`;
}

/** The fragment alone, without its '#': `1.<payload>`. */
export function encodeFragment(item: LinkItem): string {
	return fragmentOfText(JSON.stringify(wireOf(item)));
}

/**
 * The fragment for any text, checked and deflated as format 1 does: for tests, which need links
 * no Grounded would make (a payload that is not JSON, an item of an unknown kind).
 */
export function fragmentOfText(text: string): string {
	const json = new TextEncoder().encode(text);
	const deflated = deflateSync(json, { level: 9, mem: 12, dictionary: DICTIONARY });
	const bytes = new Uint8Array(CHECK_BYTES + deflated.length);
	bytes.set(checkOf(json));
	bytes.set(deflated, CHECK_BYTES);
	return `${LINK_FORMAT}.${toBase64Url(bytes)}`;
}

/** The item in a link's fragment (`location.hash`, with or without its '#'). Never throws. */
export function decodeShareFragment(hash: string): Result<LinkItem> {
	const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
	if (fragment.trim() === '') return refuse(LINK_MESSAGES.empty);
	if (fragment.length > MAX_FRAGMENT_CHARS) return refuse(LINK_MESSAGES.tooLarge);
	const parts = /^(\d{1,6})\.([A-Za-z0-9_-]+)$/.exec(fragment);
	if (!parts) return refuse(LINK_MESSAGES.damaged);
	const format = Number(parts[1]);
	if (format > LINK_FORMAT) return refuse(LINK_MESSAGES.newer);
	if (format !== LINK_FORMAT) return refuse(LINK_MESSAGES.damaged);
	const bytes = fromBase64Url(parts[2] ?? '');
	if (!bytes || bytes.length <= CHECK_BYTES) return refuse(LINK_MESSAGES.damaged);
	const json = inflateCapped(bytes.subarray(CHECK_BYTES));
	if (json === 'too large') return refuse(LINK_MESSAGES.tooLarge);
	if (!json || !sameBytes(checkOf(json), bytes.subarray(0, CHECK_BYTES))) return refuse(LINK_MESSAGES.damaged);
	let raw: unknown;
	try {
		raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
	} catch {
		return refuse(LINK_MESSAGES.damaged);
	}
	return itemOf(raw);
}

// ——— the item as it travels ———

const wireSchema = v.variant('kind', [
	v.object({ kind: v.literal('breathing'), practice: v.unknown() }),
	v.object({ kind: v.literal('script'), script: v.unknown() }),
	v.object({ kind: v.literal('builtin'), id: v.string() })
]);

function itemOf(raw: unknown): Result<LinkItem> {
	const wire = v.safeParse(wireSchema, raw);
	// The check passed, so this is what a Grounded wrote: a kind this one doesn't know is from a newer one.
	if (!wire.success) return refuse(LINK_MESSAGES.newer);
	const given = wire.output;
	if (given.kind === 'breathing') {
		const practice = parsePractice(given.practice);
		return practice.ok ? { ok: true, value: { kind: 'breathing', practice: practice.value } } : practice;
	}
	if (given.kind === 'builtin') {
		const script = BUILTIN_SCRIPTS.find((builtIn) => builtIn.id === given.id);
		return script ? { ok: true, value: { kind: 'script', script } } : refuse(LINK_MESSAGES.unknownBuiltIn);
	}
	const body = given.script;
	// Always the client's own copy, whatever the link says.
	const script = parseScript(typeof body === 'object' && body !== null ? { ...body, builtIn: false } : body);
	return script.ok ? { ok: true, value: { kind: 'script', script: script.value } } : script;
}

/** The item as plain data in a fixed key order (the dictionary's), leaving out what parseScript fills in. */
function wireOf(item: LinkItem): unknown {
	if (item.kind === 'breathing') {
		const { version, title, settings: s } = item.practice;
		const { inhale, holdIn, exhale, holdOut } = s.custom;
		const length =
			s.length.kind === 'minutes'
				? { kind: 'minutes', minutes: s.length.minutes }
				: { kind: 'breaths', count: s.length.count };
		return {
			kind: 'breathing',
			practice: {
				version,
				title,
				settings: {
					pattern: s.pattern,
					coherentRate: s.coherentRate,
					custom: { inhale, holdIn, exhale, holdOut },
					cueSet: s.cueSet,
					volume: s.volume,
					length,
					ramp: { enabled: s.ramp.enabled, fromRate: s.ramp.fromRate, minutes: s.ramp.minutes }
				}
			}
		};
	}
	const { script } = item;
	const shipped = BUILTIN_SCRIPTS.find((builtIn) => builtIn.id === script.id);
	if (script.builtIn && shipped && JSON.stringify(shipped) === JSON.stringify(script)) {
		return { kind: 'builtin', id: script.id };
	}
	return {
		kind: 'script',
		script: {
			version: script.version,
			id: script.id,
			title: script.title,
			...(script.summary ? { summary: script.summary } : {}),
			steps: script.steps.map(wireStep)
		}
	};
}

function wireStep(step: ScriptStep): unknown {
	const timing = step.timing.kind === 'timed' ? { kind: 'timed', seconds: step.timing.seconds } : { kind: 'open' };
	const breath = step.breath;
	const background = step.background;
	return {
		id: step.id,
		text: step.text,
		timing,
		...(breath === null
			? {}
			: {
					breath:
						breath.kind === 'coherent'
							? { kind: breath.kind, breathsPerMinute: breath.breathsPerMinute }
							: breath.kind === 'custom'
								? {
										kind: breath.kind,
										durations: {
											inhale: breath.durations.inhale,
											holdIn: breath.durations.holdIn,
											exhale: breath.durations.exhale,
											holdOut: breath.durations.holdOut
										}
									}
								: { kind: breath.kind }
				}),
		...(step.chime ? { chime: true } : {}),
		...(background === null
			? {}
			: {
					background:
						background.kind === 'track'
							? { kind: 'track', trackId: background.trackId }
							: { kind: 'soundscape', soundscape: background.soundscape, seed: background.seed }
				})
	};
}

// ——— bytes ———

/**
 * Inflates at most MAX_INFLATED_BYTES. Given an output buffer, fflate 0.8 writes into it and never
 * grows it: what would go past its end is dropped while the input is still read to its end, so the
 * work stays bounded by the input (at most MAX_FRAGMENT_CHARS). One byte more than the cap tells a
 * payload that fills the cap from one that overflows it.
 */
function inflateCapped(deflated: Uint8Array): Uint8Array | 'too large' | null {
	const out = new Uint8Array(MAX_INFLATED_BYTES + 1);
	let inflated: Uint8Array;
	try {
		inflated = inflateSync(deflated, { out, dictionary: DICTIONARY });
	} catch (error) {
		// A stored (uncompressed) block too long for the buffer is copied whole, and throws.
		return error instanceof RangeError ? 'too large' : null;
	}
	if (inflated.length > MAX_INFLATED_BYTES) return 'too large';
	return inflated;
}

/** FNV-1a over the bytes, folded to CHECK_BYTES bytes. */
function checkOf(bytes: Uint8Array): Uint8Array {
	let hash = 0x811c9dc5;
	for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
	const folded = (hash >>> 24) ^ (hash & 0xffffff);
	return new Uint8Array([folded >>> 16, (folded >>> 8) & 0xff, folded & 0xff]);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function toBase64Url(bytes: Uint8Array): string {
	let binary = '';
	for (const byte of bytes) binary += String.fromCharCode(byte);
	return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes, or null for text that is not unpadded base64url. */
function fromBase64Url(text: string): Uint8Array | null {
	// A length of 4n+1 can't come from whole bytes; atob would refuse it, as it refuses any other character.
	if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
	let binary: string;
	try {
		binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
	} catch {
		return null;
	}
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
	// Only the one way to write these bytes: stray bits in the last character are damage too.
	return toBase64Url(bytes) === text ? bytes : null;
}

function refuse(reason: string): { ok: false; reason: string } {
	return { ok: false, reason };
}
