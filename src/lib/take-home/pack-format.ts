/**
 * The take-home pack: what a therapist prepares, in one `.grounded` file (a ZIP) that travels to
 * the client's own device with no account and no server. docs/take-home-format.md describes it
 * for anyone who builds on it.
 *
 *   manifest.json               format, version, creation time, the items, and every other
 *                               file's size and SHA-256
 *   pack.json                   who it is from, the note, the scripts, the breathing practice,
 *                               the playlists, the details of the tracks and clips, and
 *                               (optional) a plan for the days after and words for the
 *                               client's preparation card
 *   clips/<script>/<step>.wav   the therapist's recorded voice, one clip per step (stored)
 *   tracks/<id>.<ext>           imported music the therapist chose to include (stored)
 *
 * Pure: no storage, DOM or audio. Everything read from a pack goes through the schemas here,
 * and every refusal is a sentence a person can read.
 *
 * @example
 * const manifest = parseManifest(JSON.parse(text));
 * if (!manifest.ok) show(manifest.reason); // "It was made by a newer Grounded. Update Grounded to open it."
 */
import * as v from 'valibot';
import type { Result } from '../result';
import { parseScript, type GroundingScript } from '../grounding/script';
import { parsePlaylist, type SessionPlaylist } from '../session/playlist';
import { parsePlanTemplate, type PlanTemplate, type PracticeRef } from '../integration/plan';
import { parsePreparationSeed, PREPARATION_FIELDS, type PreparationSeed } from '../integration/preparation-store';
import { parsePractice, type BreathingPractice } from './practice';

export const PACK_FORMAT = 'grounded-take-home';
/**
 * The version this code writes. Every version up to it is read; a newer one is refused.
 * `plan` and `preparation` joined pack.json within version 1: a reader that doesn't know them
 * drops them (valibot's `v.object` leaves out keys it doesn't name), and they bring no new file
 * path or item kind, which an older reader would refuse.
 */
export const PACK_VERSION = 1;
export const PACK_EXTENSION = '.grounded';
export const PACK_MIME = 'application/vnd.grounded.take-home+zip';

export const MANIFEST_PATH = 'manifest.json';
export const CONTENTS_PATH = 'pack.json';

const MiB = 1024 * 1024;

export const PACK_LIMITS = {
	/** Files in one pack: 100 scripts of 100 steps would be 10 000 clips; no real pack comes near. */
	entries: 2_000,
	/** The two JSON parts, as written (after inflating). */
	manifestBytes: 1 * MiB,
	contentsBytes: 8 * MiB,
	/** One voice clip: 10 minutes of 24 kHz 16-bit mono is 28 MB. */
	clipBytes: 32 * MiB,
	/** One imported track, like the largest file "Your music" takes. */
	trackBytes: 500 * MiB,
	/** The whole pack, as stored. */
	packBytes: 4 * 1024 * MiB,
	/** A path inside the pack. */
	pathLength: 200,
	/** Text written by the therapist for the client. */
	note: 4_000,
	name: 120,
	contact: 400,
	/** Items of each kind. */
	scripts: 100,
	playlists: 50,
	tracks: 500
} as const;

// ——— paths ———

const ARCHIVE_EXTENSIONS = /\.(zip|grounded|gz|tgz|tar|7z|rar|bz2|xz|zst|jar|apk|ipa)$/i;
const CLIP_PATH = /^clips\/([A-Za-z0-9_-]{1,60})\/([A-Za-z0-9_-]{1,40})\.wav$/;
const TRACK_PATH = /^tracks\/([0-9a-f]{16})\.([a-z0-9]{1,5})$/;

/**
 * Why a name can't be a file of a pack, or null when it can. Only the pack's own layout is
 * accepted, so nothing can be written anywhere else, whatever the name says.
 */
export function pathProblem(path: string): string | null {
	const shown = path.length > 60 ? `${path.slice(0, 57)}…` : path;
	if (path.length === 0) return 'It holds a file with no name.';
	if (path.length > PACK_LIMITS.pathLength) return `It holds a file with too long a name (“${shown}”).`;
	if (path.includes('\\')) return `It holds a file whose name has a backslash (“${shown}”).`;
	if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return `It holds a file with an absolute path (“${shown}”).`;
	if (path.split('/').includes('..')) return `It holds a file whose name points outside the pack (“${shown}”).`;
	// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
	if (/[\u0000-\u001f\u007f]/.test(path)) return 'It holds a file whose name has control characters.';
	if (ARCHIVE_EXTENSIONS.test(path)) return `It holds another archive inside it (“${shown}”).`;
	if (path === MANIFEST_PATH || path === CONTENTS_PATH || CLIP_PATH.test(path) || TRACK_PATH.test(path)) return null;
	return `It holds a file Grounded doesn’t know (“${shown}”).`;
}

export function clipPath(scriptId: string, stepId: string): string {
	return `clips/${scriptId}/${stepId}.wav`;
}

export function trackPath(id: string, extension: string): string {
	return `tracks/${id}.${extension}`;
}

/** The largest a file at `path` may be. */
export function sizeLimitOf(path: string): number {
	if (path === MANIFEST_PATH) return PACK_LIMITS.manifestBytes;
	if (path === CONTENTS_PATH) return PACK_LIMITS.contentsBytes;
	if (CLIP_PATH.test(path)) return PACK_LIMITS.clipBytes;
	return PACK_LIMITS.trackBytes;
}

// ——— the manifest ———

export const ITEM_KINDS = ['script', 'breathing', 'playlist', 'track', 'note', 'contact'] as const;
export type PackItemKind = (typeof ITEM_KINDS)[number];

export interface PackItem {
	kind: PackItemKind;
	id: string;
	title: string;
}

export interface PackFile {
	path: string;
	bytes: number;
	/** Lowercase hex. */
	sha256: string;
}

export interface PackManifest {
	format: typeof PACK_FORMAT;
	version: number;
	/** ISO 8601, UTC. */
	createdAt: string;
	/** The app and its version that made it, for diagnosis only. */
	app: string;
	items: PackItem[];
	/** Every file of the pack but the manifest itself. */
	files: PackFile[];
}

const shortText = (what: string, max: number) =>
	v.pipe(v.string(`${what} must be text.`), v.maxLength(max, `${what} is too long.`));

const manifestSchema = v.object({
	format: v.literal(PACK_FORMAT),
	version: v.pipe(v.number(), v.integer(), v.minValue(1)),
	createdAt: v.pipe(v.string(), v.isoTimestamp('Its creation time is not a date.')),
	app: shortText('The app’s name', 120),
	items: v.pipe(
		v.array(
			v.object({
				kind: v.picklist(ITEM_KINDS, 'It lists an item of a kind Grounded doesn’t know.'),
				id: shortText('An item’s id', 80),
				title: shortText('An item’s title', 200)
			})
		),
		v.maxLength(PACK_LIMITS.entries, 'It lists too many items.')
	),
	files: v.pipe(
		v.array(
			v.object({
				path: v.string(),
				bytes: v.pipe(v.number(), v.integer(), v.minValue(0)),
				sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'A file’s fingerprint (SHA-256) is not valid.'))
			})
		),
		v.maxLength(PACK_LIMITS.entries, 'It holds too many files.')
	)
});

/**
 * Checks a manifest. A newer version is refused before anything else is read, because a newer
 * Grounded may have changed what every other part means.
 */
export function parseManifest(input: unknown): Result<PackManifest> {
	if (typeof input !== 'object' || input === null || (input as { format?: unknown }).format !== PACK_FORMAT) {
		return { ok: false, reason: 'It is not a Grounded take-home pack.' };
	}
	const version = (input as { version?: unknown }).version;
	if (typeof version === 'number' && Number.isInteger(version) && version > PACK_VERSION) {
		return { ok: false, reason: 'It was made by a newer Grounded. Update Grounded on this device to open it.' };
	}
	const parsed = v.safeParse(manifestSchema, input);
	if (!parsed.success) return { ok: false, reason: manifestMessage(parsed.issues[0].message) };
	const manifest = parsed.output as PackManifest;
	const seen = new Set<string>();
	for (const file of manifest.files) {
		const problem = file.path === MANIFEST_PATH ? 'Its manifest lists itself.' : pathProblem(file.path);
		if (problem) return { ok: false, reason: problem };
		if (seen.has(file.path)) return { ok: false, reason: `It lists the file “${file.path}” twice.` };
		if (file.bytes > sizeLimitOf(file.path))
			return { ok: false, reason: `The file “${file.path}” is larger than a pack may hold.` };
		seen.add(file.path);
	}
	if (!seen.has(CONTENTS_PATH)) return { ok: false, reason: 'Its list of contents is missing.' };
	return { ok: true, value: manifest };
}

function manifestMessage(message: string): string {
	return message.startsWith('Invalid') ? 'Its manifest is damaged: a value is missing or of the wrong kind.' : message;
}

// ——— the contents ———

export interface PackSender {
	/** Made once on the therapist's device; packs from the same sender replace each other's items. */
	id: string;
	name: string;
	contact: string;
	/** A line to call or text in hard moments, shown as the therapist wrote it. */
	supportLine: string;
}

export interface PackClip {
	scriptId: string;
	stepId: string;
	path: string;
	durationSeconds: number;
	gainDb: number;
	recordedAt: number;
}

export interface PackTrack {
	/** The first 16 hex digits of the SHA-256 of the file, as "Your music" names it. */
	id: string;
	title: string;
	artist: string | null;
	fileName: string;
	durationSeconds: number;
	loudnessLufs: number | null;
	gainDb: number;
	/**
	 * Its true peak before gain and the levelling rule its gain follows, as “Your music” keeps them
	 * (`ImportedTrack`). Absent in packs made before they travelled, whose tracks the client's
	 * device levels again; an older reader passes over them.
	 */
	truePeakDb?: number | null;
	levelling?: number;
	mime: string;
	/** Where its audio is in the pack; null when the therapist left the audio out. */
	path: string | null;
}

export interface PackContents {
	from: PackSender;
	/** Only when the therapist chose to write one; it travels inside the file. */
	clientName: string | null;
	note: string | null;
	/** The therapist's own scripts, whole. */
	scripts: GroundingScript[];
	/** Built-in scripts the therapist chose, by id: every Grounded has them. */
	builtInScriptIds: string[];
	clips: PackClip[];
	breathing: BreathingPractice | null;
	playlists: SessionPlaylist[];
	tracks: PackTrack[];
	/**
	 * The therapist's plan for the days after the session; absent or null when there is none (and
	 * in every pack made before plans). In it, `{ kind: 'script', id }` names one of this pack's
	 * scripts (its own, or a built-in one it lists) and `{ kind: 'breathing', from: null }` this
	 * pack's breathing practice.
	 */
	plan?: PlanTemplate | null;
	/** Words the therapist suggests for the client's preparation card; absent or null when none. */
	preparation?: PreparationSeed | null;
}

const finite = v.pipe(v.number(), v.finite());
const optionalText = (what: string, max: number) =>
	v.nullable(v.pipe(v.string(`${what} must be text.`), v.trim(), v.maxLength(max, `${what} is too long.`)));

const contentsShape = v.object({
	from: v.object({
		id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'It doesn’t say who made it.')),
		name: v.pipe(v.string(), v.trim(), v.maxLength(PACK_LIMITS.name, 'The therapist’s name is too long.')),
		contact: v.pipe(v.string(), v.trim(), v.maxLength(PACK_LIMITS.contact, 'How to reach the therapist is too long.')),
		supportLine: v.pipe(v.string(), v.trim(), v.maxLength(PACK_LIMITS.contact, 'The support line is too long.'))
	}),
	clientName: optionalText('The client’s name', PACK_LIMITS.name),
	note: optionalText('The note', PACK_LIMITS.note),
	scripts: v.pipe(v.array(v.unknown()), v.maxLength(PACK_LIMITS.scripts, 'It holds too many scripts.')),
	builtInScriptIds: v.pipe(v.array(v.pipe(v.string(), v.maxLength(80))), v.maxLength(PACK_LIMITS.scripts)),
	clips: v.pipe(
		v.array(
			v.object({
				scriptId: v.string(),
				stepId: v.string(),
				path: v.string(),
				durationSeconds: v.pipe(finite, v.minValue(0)),
				gainDb: finite,
				recordedAt: v.pipe(finite, v.minValue(0))
			})
		),
		v.maxLength(PACK_LIMITS.entries, 'It holds too many recordings.')
	),
	breathing: v.nullable(v.unknown()),
	playlists: v.pipe(v.array(v.unknown()), v.maxLength(PACK_LIMITS.playlists, 'It holds too many playlists.')),
	tracks: v.pipe(
		v.array(
			v.object({
				id: v.pipe(v.string(), v.regex(/^[0-9a-f]{16}$/)),
				title: v.pipe(v.string(), v.maxLength(400)),
				artist: v.nullable(v.pipe(v.string(), v.maxLength(400))),
				fileName: v.pipe(v.string(), v.maxLength(400)),
				durationSeconds: v.pipe(finite, v.minValue(0)),
				loudnessLufs: v.nullable(finite),
				gainDb: v.pipe(finite, v.minValue(-60), v.maxValue(24)),
				truePeakDb: v.optional(v.nullable(finite)),
				levelling: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
				mime: v.pipe(v.string(), v.startsWith('audio/'), v.maxLength(60)),
				path: v.nullable(v.string())
			})
		),
		v.maxLength(PACK_LIMITS.tracks, 'It holds too many tracks.')
	),
	// Absent in packs made before plans; read by their own parsers below.
	plan: v.optional(v.unknown()),
	preparation: v.optional(v.unknown())
});

/**
 * Checks the contents against their schemas and against the manifest: every file the manifest
 * lists is one the contents use, once, and every file the contents use is listed.
 * `builtInIds` are the built-in scripts this Grounded has.
 */
export function parseContents(
	input: unknown,
	manifest: PackManifest,
	builtInIds: ReadonlySet<string>
): Result<PackContents> {
	const shape = v.safeParse(contentsShape, input);
	if (!shape.success) {
		const message = shape.issues[0].message;
		return {
			ok: false,
			reason: message.startsWith('Invalid')
				? 'Its list of contents is damaged: a value is missing or of the wrong kind.'
				: message
		};
	}
	const raw = shape.output;

	const scripts: GroundingScript[] = [];
	for (const candidate of raw.scripts) {
		const script = parseScript(candidate);
		if (!script.ok) return script;
		if (builtInIds.has(script.value.id) || scripts.some((s) => s.id === script.value.id))
			return { ok: false, reason: `It holds the script “${script.value.title}” twice.` };
		scripts.push({ ...script.value, builtIn: false });
	}
	const playlists: SessionPlaylist[] = [];
	for (const candidate of raw.playlists) {
		const playlist = parsePlaylist(candidate);
		if (!playlist.ok) return playlist;
		if (playlists.some((p) => p.id === playlist.value.id))
			return { ok: false, reason: `It holds the playlist “${playlist.value.title}” twice.` };
		playlists.push(playlist.value);
	}
	let breathing: BreathingPractice | null = null;
	if (raw.breathing !== null) {
		const practice = parsePractice(raw.breathing);
		if (!practice.ok) return practice;
		breathing = practice.value;
	}
	let plan: PlanTemplate | null = null;
	if (raw.plan !== undefined && raw.plan !== null) {
		const template = parsePlanTemplate(raw.plan);
		if (!template.ok) return template;
		// Built-in ids as the pack lists them: one this Grounded lacks is skipped by the plan, like the script.
		const scriptIds = new Set([...scripts.map((s) => s.id), ...raw.builtInScriptIds]);
		for (const ref of template.value.rules.flatMap((rule) => rule.practices)) {
			const problem = planRefProblem(ref, scriptIds, breathing !== null);
			if (problem) return { ok: false, reason: `The plan can’t be used. ${problem}` };
		}
		plan = template.value;
	}
	let preparation: PreparationSeed | null = null;
	if (raw.preparation !== undefined && raw.preparation !== null) {
		const seed = parsePreparationSeed(raw.preparation);
		if (!seed.ok) return seed;
		// A card with no words in it suggests nothing.
		if (PREPARATION_FIELDS.some((field) => seed.value[field]?.trim())) preparation = seed.value;
	}

	const listed = new Map(manifest.files.map((file) => [file.path, file]));
	const used = new Set<string>([CONTENTS_PATH]);
	const use = (path: string, what: string): string | null => {
		if (!listed.has(path)) return `${what} is missing from it.`;
		if (used.has(path)) return `It uses the file “${path}” twice.`;
		used.add(path);
		return null;
	};
	for (const clip of raw.clips) {
		const script = scripts.find((s) => s.id === clip.scriptId);
		const step = script?.steps.find((s) => s.id === clip.stepId);
		if (!script || !step) return { ok: false, reason: 'It holds a recording for a step that isn’t in it.' };
		if (clip.path !== clipPath(clip.scriptId, clip.stepId))
			return { ok: false, reason: `A recording of “${script.title}” is in the wrong place.` };
		const problem = use(clip.path, `A recording of “${script.title}”`);
		if (problem) return { ok: false, reason: problem };
	}
	const trackIds = new Set<string>();
	for (const track of raw.tracks) {
		if (trackIds.has(track.id)) return { ok: false, reason: `It holds the track “${track.title}” twice.` };
		trackIds.add(track.id);
		if (track.path === null) continue;
		if (!TRACK_PATH.test(track.path) || !track.path.startsWith(`tracks/${track.id}.`))
			return { ok: false, reason: `The track “${track.title}” is in the wrong place.` };
		const problem = use(track.path, `The track “${track.title}”`);
		if (problem) return { ok: false, reason: problem };
	}
	const unused = manifest.files.find((file) => !used.has(file.path));
	if (unused) return { ok: false, reason: `It holds a file nothing in it uses (“${unused.path}”).` };

	return {
		ok: true,
		value: {
			from: raw.from,
			clientName: raw.clientName || null,
			note: raw.note || null,
			scripts,
			// A built-in script this Grounded doesn't have (a newer one's) is left out, not refused.
			builtInScriptIds: [...new Set(raw.builtInScriptIds)].filter((id) => builtInIds.has(id)),
			clips: raw.clips,
			breathing,
			playlists,
			tracks: raw.tracks,
			plan,
			preparation
		}
	};
}

/** Why a plan's practice can't be one of this pack's, or null when it is. */
function planRefProblem(ref: PracticeRef, scriptIds: ReadonlySet<string>, hasBreathing: boolean): string | null {
	if (ref.kind === 'script') {
		return scriptIds.has(ref.id) ? null : `It suggests a script that isn’t in this pack (“${ref.id}”).`;
	}
	if (ref.from !== null) return 'It suggests a breathing practice from somewhere other than this pack.';
	return hasBreathing ? null : 'It suggests the breathing practice, but this pack holds none.';
}

/** The items of a pack, for its manifest: what a person would call each one. */
export function itemsOf(contents: PackContents, builtInTitles: ReadonlyMap<string, string>): PackItem[] {
	const items: PackItem[] = [];
	if (contents.note) items.push({ kind: 'note', id: 'note', title: 'A note from your therapist' });
	if (contents.from.name || contents.from.contact || contents.from.supportLine)
		items.push({ kind: 'contact', id: 'contact', title: contents.from.name || 'How to reach your therapist' });
	for (const id of contents.builtInScriptIds) items.push({ kind: 'script', id, title: builtInTitles.get(id) ?? id });
	for (const script of contents.scripts) items.push({ kind: 'script', id: script.id, title: script.title });
	if (contents.breathing) items.push({ kind: 'breathing', id: 'breathing', title: contents.breathing.title });
	for (const playlist of contents.playlists) items.push({ kind: 'playlist', id: playlist.id, title: playlist.title });
	for (const track of contents.tracks) items.push({ kind: 'track', id: track.id, title: track.title });
	return items;
}
