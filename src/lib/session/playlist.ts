/**
 * Session playlists: a medicine session as a sequence of phases, each with a
 * planned length and the items that fill it.
 *
 * Pure: no audio, DOM or storage. A playlist from anywhere outside the code
 * (a stored one, an imported file) goes through `parsePlaylist`, which refuses
 * it with a message that names what is wrong.
 *
 * @example
 * const result = parsePlaylist(JSON.parse(text));
 * if (!result.ok) show(result.reason); // "Phase 2 (“Onset”): the planned length must be from 1 to 240 minutes."
 */
import * as v from 'valibot';
import type { Result } from '../result';

/** The arc of a session, in the order it usually runs. */
export const PHASE_KINDS = ['arrival', 'onset', 'deepening', 'return', 'grounding'] as const;
export type PhaseKind = (typeof PHASE_KINDS)[number];

/** Generative soundscapes the app can synthesize; each fills any length without repeating. */
export const SOUNDSCAPES = ['warm-drone', 'slow-pads', 'bowls', 'sea', 'rain'] as const;
export type SoundscapeId = (typeof SOUNDSCAPES)[number];

export type PlaylistItem =
	{ kind: 'track'; trackId: string } | { kind: 'soundscape'; soundscape: SoundscapeId; seed: number };

export interface PhasePlan {
	id: string;
	name: string;
	kind: PhaseKind;
	/** Planned length; the therapist can hold a phase past it or move on early. */
	minutes: number;
	items: PlaylistItem[];
}

export interface SessionPlaylist {
	version: 1;
	id: string;
	title: string;
	summary: string;
	phases: PhasePlan[];
}

export const PLAYLIST_LIMITS = {
	phases: { min: 1, max: 12 },
	items: { min: 1, max: 200 },
	minutes: { min: 1, max: 240 },
	text: 120
} as const;

const text = (what: string, max: number = PLAYLIST_LIMITS.text) =>
	v.pipe(
		v.string(`${what} must be text.`),
		v.trim(),
		v.nonEmpty(`${what} must not be empty.`),
		v.maxLength(max, `${what} can be at most ${max} characters.`)
	);

/** What a playlist item (or a grounding step's background) may be: a track or a seeded soundscape. */
export const PLAYLIST_ITEM_OPTIONS = [
	v.object({ kind: v.literal('track'), trackId: text('A track’s id') }),
	v.object({
		kind: v.literal('soundscape'),
		soundscape: v.picklist(SOUNDSCAPES, `A soundscape must be one of: ${SOUNDSCAPES.join(', ')}.`),
		seed: v.pipe(
			v.number('A soundscape’s seed must be a number.'),
			v.integer('A soundscape’s seed must be a whole number.'),
			v.minValue(0, 'A soundscape’s seed must be 0 or more.')
		)
	})
] as const;

const itemSchema = v.variant('kind', PLAYLIST_ITEM_OPTIONS, 'Each item must be a track or a soundscape.');

const phaseSchema = v.object({
	id: text('A phase’s id', 40),
	name: text('A phase’s name'),
	kind: v.picklist(PHASE_KINDS, `A phase’s kind must be one of: ${PHASE_KINDS.join(', ')}.`),
	minutes: v.pipe(
		v.number('The planned length must be a number of minutes.'),
		v.minValue(
			PLAYLIST_LIMITS.minutes.min,
			`The planned length must be from 1 to ${PLAYLIST_LIMITS.minutes.max} minutes.`
		),
		v.maxValue(
			PLAYLIST_LIMITS.minutes.max,
			`The planned length must be from 1 to ${PLAYLIST_LIMITS.minutes.max} minutes.`
		)
	),
	items: v.pipe(
		v.array(itemSchema, 'A phase’s items must be a list.'),
		v.minLength(PLAYLIST_LIMITS.items.min, 'A phase needs at least one item.'),
		v.maxLength(PLAYLIST_LIMITS.items.max, `A phase can have at most ${PLAYLIST_LIMITS.items.max} items.`)
	)
});

const playlistSchema = v.object({
	version: v.literal(1, 'This playlist was made by another version of Grounded (version must be 1).'),
	id: text('The playlist’s id', 60),
	title: text('The title'),
	summary: v.pipe(
		v.string('The summary must be text.'),
		v.maxLength(400, 'The summary can be at most 400 characters.')
	),
	phases: v.pipe(
		v.array(phaseSchema, 'The phases must be a list.'),
		v.minLength(PLAYLIST_LIMITS.phases.min, 'A playlist needs at least one phase.'),
		v.maxLength(PLAYLIST_LIMITS.phases.max, `A playlist can have at most ${PLAYLIST_LIMITS.phases.max} phases.`)
	)
});

/** Where in the playlist an issue lies, in words: "Phase 2 (“Onset”), item 3". */
function describePath(input: unknown, path: readonly { key: unknown }[] | undefined): string {
	if (!path || path.length === 0) return '';
	const parts: string[] = [];
	let phases: unknown[] | undefined;
	for (let i = 0; i < path.length; i += 1) {
		const key = path[i]!.key;
		const previous = path[i - 1]?.key;
		if (previous === 'phases' && typeof key === 'number') {
			phases = (input as { phases?: unknown[] }).phases;
			const name = (phases?.[key] as { name?: unknown } | undefined)?.name;
			parts.push(typeof name === 'string' && name.trim() ? `Phase ${key + 1} (“${name.trim()}”)` : `Phase ${key + 1}`);
		} else if (previous === 'items' && typeof key === 'number') {
			parts.push(`item ${key + 1}`);
		}
	}
	return parts.length > 0 ? `${parts.join(', ')}: ` : '';
}

/** Checks a playlist from outside the code. Never throws. */
export function parsePlaylist(input: unknown): Result<SessionPlaylist> {
	const parsed = v.safeParse(playlistSchema, input);
	if (!parsed.success) {
		const issue = parsed.issues[0];
		const where = describePath(input, issue.path);
		const message = issue.message.startsWith('Invalid') ? 'a value is missing or of the wrong kind.' : issue.message;
		return { ok: false, reason: `This playlist can’t be used. ${where}${message}` };
	}
	const ids = parsed.output.phases.map((phase) => phase.id);
	const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
	if (repeated) return { ok: false, reason: `This playlist can’t be used. Two phases share the id “${repeated}”.` };
	return { ok: true, value: parsed.output as SessionPlaylist };
}

/** The planned length of the whole playlist, in minutes. */
export function plannedMinutes(playlist: SessionPlaylist): number {
	return playlist.phases.reduce((sum, phase) => sum + phase.minutes, 0);
}

/** “1 minute”, “25 minutes”. */
export function minutesText(minutes: number): string {
	return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
}
