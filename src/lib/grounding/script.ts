/**
 * Grounding scripts: the steps the app speaks (a recorded voice, speech
 * synthesis, or text on screen with chimes), each with an optional breath
 * pacer, a chime at its start and a background that plays under it.
 *
 * Pure: no audio, DOM or storage. A script from anywhere outside the code (a
 * stored one, an imported file) goes through `parseScript`, which refuses it
 * with a message that names the step and what is wrong. The editor asks
 * `validateStep` and `validateScript` for the same messages, field by field.
 *
 * @example
 * const result = parseScript(JSON.parse(text));
 * if (!result.ok) show(result.reason); // "This script can’t be used. Step 3 (“Feel your feet”): a step lasts from 1 second to 30 minutes."
 * validateStep({ ...step, text: ' ' }).text; // "Write what this step says."
 */
import * as v from 'valibot';
import type { BreathPattern, CustomDurations } from '../breath/patterns';
import { COHERENT_RATE_RANGE, cycleLength } from '../breath/patterns';
import { customProblems } from '../breath/settings';
import type { PlaylistItem } from '../session/playlist';
import { PLAYLIST_ITEM_OPTIONS } from '../session/playlist';
import type { Result } from '../result';
import type { Seconds } from '../units';
import { SECONDS_PER_MINUTE } from '../units';

/** A timed step moves on by itself; an open step waits for "Continue" (a tap or a key). */
export type StepTiming = { kind: 'timed'; seconds: Seconds } | { kind: 'open' };

/** What plays under a step, ducked under the voice: the same kinds of item as a session playlist. */
export type StepBackground = PlaylistItem | null;

export interface ScriptStep {
	/** Stable within the script: recorded voice clips are keyed by script id and step id. */
	id: string;
	/** What is said and shown. */
	text: string;
	timing: StepTiming;
	/** A pacer pattern played during the step, with the pacer's own cues and timing. */
	breath: BreathPattern | null;
	/** A chime as the step begins. */
	chime: boolean;
	background: StepBackground;
}

export interface GroundingScript {
	version: 1;
	id: string;
	title: string;
	summary: string;
	/** Shipped with the app: shown read-only, and duplicated to be changed. */
	builtIn: boolean;
	steps: ScriptStep[];
}

export const SCRIPT_LIMITS = {
	steps: { min: 1, max: 100 },
	seconds: { min: 1, max: 30 * SECONDS_PER_MINUTE },
	text: 2000,
	title: 120,
	summary: 400,
	scriptId: 60,
	stepId: 40
} as const;

/**
 * How long an open step is counted as lasting when a script's length is
 * planned: the time to read or hear a sentence and do a small thing (a sip
 * of water). The run itself waits as long as the person needs.
 */
export const OPEN_STEP_ESTIMATE: Seconds = 30;

export const STEP_MESSAGES = {
	text: 'Write what this step says.',
	textLength: `A step can say at most ${SCRIPT_LIMITS.text.toLocaleString('en')} characters.`,
	seconds: 'A step lasts from 1 second to 30 minutes.',
	title: 'The script needs a title.',
	noSteps: 'A script needs at least one step.',
	tooManySteps: `A script can have at most ${SCRIPT_LIMITS.steps.max} steps.`
} as const;

/** Ids go into storage keys for voice clips and into file names, so they keep to a safe alphabet. */
const ID_PATTERN = /^[A-Za-z0-9_-]+$/;

const idSchema = (what: string, max: number) =>
	v.pipe(
		v.string(`${what} must be text.`),
		v.trim(),
		v.nonEmpty(`${what} must not be empty.`),
		v.maxLength(max, `${what} can be at most ${max} characters.`),
		v.regex(ID_PATTERN, `${what} can use only letters, digits, “-” and “_”.`)
	);

const textSchema = (max: number, empty: string, long: string) =>
	v.pipe(v.string(empty), v.trim(), v.nonEmpty(empty), v.maxLength(max, long));

const timingSchema = v.variant(
	'kind',
	[
		v.object({
			kind: v.literal('timed'),
			seconds: v.pipe(
				v.number('A step’s length must be a number of seconds.'),
				v.minValue(SCRIPT_LIMITS.seconds.min, STEP_MESSAGES.seconds),
				v.maxValue(SCRIPT_LIMITS.seconds.max, STEP_MESSAGES.seconds)
			)
		}),
		v.object({ kind: v.literal('open') })
	],
	'A step is either timed or open (“continue when ready”).'
);

/** The four parts of a custom pattern as given, each possibly missing or not a number. */
const partsOf = (d: Record<string, unknown>): Record<keyof CustomDurations, unknown> => ({
	inhale: d.inhale,
	holdIn: d.holdIn,
	exhale: d.exhale,
	holdOut: d.holdOut
});

const coherentRateMessage = `Breaths a minute can be from ${COHERENT_RATE_RANGE.min} to ${COHERENT_RATE_RANGE.max}.`;

/** The same limits the pacer's settings apply (patterns.ts, settings.ts), with their messages. */
const breathSchema = v.variant(
	'kind',
	[
		v.object({
			kind: v.literal('coherent'),
			breathsPerMinute: v.pipe(
				v.number(coherentRateMessage),
				v.minValue(COHERENT_RATE_RANGE.min, coherentRateMessage),
				v.maxValue(COHERENT_RATE_RANGE.max, coherentRateMessage)
			)
		}),
		v.object({ kind: v.literal('box') }),
		v.object({ kind: v.literal('four-seven-eight') }),
		v.object({ kind: v.literal('extended-exhale') }),
		v.object({ kind: v.literal('sigh') }),
		v.object({
			kind: v.literal('custom'),
			durations: v.pipe(
				v.looseObject({}, 'Your own breathing pattern needs the length of each part in seconds.'),
				v.check(
					(durations) => customProblems(partsOf(durations)).length === 0,
					(issue) => customProblems(partsOf(issue.input))[0]?.message ?? 'Check the lengths of the breathing pattern.'
				),
				v.transform((d): CustomDurations => ({
					inhale: d.inhale as number,
					holdIn: d.holdIn as number,
					exhale: d.exhale as number,
					holdOut: d.holdOut as number
				}))
			)
		})
	],
	'This breathing pattern isn’t one Grounded knows.'
);

const backgroundSchema = v.variant('kind', PLAYLIST_ITEM_OPTIONS, 'A background must be a track or a soundscape.');

const stepSchema = v.object(
	{
		id: idSchema('A step’s id', SCRIPT_LIMITS.stepId),
		text: textSchema(SCRIPT_LIMITS.text, STEP_MESSAGES.text, STEP_MESSAGES.textLength),
		timing: timingSchema,
		// A hand-written file may leave out what a step doesn't use.
		breath: v.optional(v.nullable(breathSchema), null),
		chime: v.optional(v.boolean('Whether a step chimes must be true or false.'), false),
		background: v.optional(v.nullable(backgroundSchema), null)
	},
	'Each step must be a set of fields: an id, its text and its timing.'
);

const scriptFields = {
	id: idSchema('The script’s id', SCRIPT_LIMITS.scriptId),
	title: textSchema(
		SCRIPT_LIMITS.title,
		STEP_MESSAGES.title,
		`A title can be at most ${SCRIPT_LIMITS.title} characters.`
	),
	summary: v.optional(
		v.pipe(
			v.string('The summary must be text.'),
			v.trim(),
			v.maxLength(SCRIPT_LIMITS.summary, `The summary can be at most ${SCRIPT_LIMITS.summary} characters.`)
		),
		''
	)
};

const NOT_A_SCRIPT = 'It isn’t a grounding script.';

const scriptSchema = v.object(
	{
		version: v.literal(1, 'This script was made by another version of Grounded (version must be 1).'),
		...scriptFields,
		builtIn: v.optional(v.boolean('Whether the script is built in must be true or false.'), false),
		steps: v.pipe(
			v.array(stepSchema, 'The steps must be a list.'),
			v.minLength(SCRIPT_LIMITS.steps.min, STEP_MESSAGES.noSteps),
			v.maxLength(SCRIPT_LIMITS.steps.max, STEP_MESSAGES.tooManySteps)
		)
	},
	NOT_A_SCRIPT
);

/** A short name for a step in messages and lists: its first sentence, cut to about 40 characters. */
export function stepHeadline(text: string): string {
	const first = (text.trim().split(/[.!?\n]/)[0] ?? '').trim();
	if (first.length <= 40) return first;
	const cut = first.slice(0, 40);
	const space = cut.lastIndexOf(' ');
	return `${(space > 20 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function stepLabel(index: number, text: unknown): string {
	const headline = typeof text === 'string' ? stepHeadline(text) : '';
	return headline ? `Step ${index + 1} (“${headline}”)` : `Step ${index + 1}`;
}

/** "A step lasts…" reads on after "Step 3 (…): " as "a step lasts…". */
function lowerFirst(message: string): string {
	return /^[A-Z][a-z ]/.test(message) ? message.charAt(0).toLowerCase() + message.slice(1) : message;
}

/** What a missing field is called, for "The timing is missing." */
const FIELD_NAMES: Record<string, string> = {
	id: 'The id',
	title: 'The title',
	steps: 'The list of steps',
	text: 'The text',
	timing: 'The timing (timed or open)',
	seconds: 'The length in seconds',
	soundscape: 'The soundscape',
	seed: 'The soundscape’s seed',
	trackId: 'The track’s id',
	breathsPerMinute: 'The number of breaths a minute',
	durations: 'The length of each part of the breath'
};

function plainMessage(issue: v.BaseIssue<unknown>): string {
	// A missing key is reported with its object's message ("Each step must be…"): name the field instead.
	const key = issue.path?.at(-1)?.key;
	if (
		issue.type === 'object' &&
		issue.input === undefined &&
		typeof key === 'string' &&
		issue.expected === `"${key}"`
	) {
		return `${FIELD_NAMES[key] ?? `The field “${key}”`} is missing.`;
	}
	// Valibot's own wording ("Invalid key: …") is not for people.
	return issue.message.startsWith('Invalid') ? 'Something is missing or of the wrong kind.' : issue.message;
}

function refuse(where: string, text: string): { ok: false; reason: string } {
	return { ok: false, reason: `This script can’t be used. ${where ? `${where}: ${lowerFirst(text)}` : text}` };
}

/** A timed step with a pacer lasts at least one whole breath, or the pacer would stop mid-breath. */
function breathFitProblem(step: { timing: StepTiming; breath: BreathPattern | null }): string | undefined {
	if (step.timing.kind !== 'timed' || step.breath === null) return undefined;
	const cycle = cycleLength(step.breath);
	if (step.timing.seconds + 1e-9 >= cycle) return undefined;
	return `With this breathing pattern, a step lasts at least one full breath (${Math.ceil(cycle)} seconds).`;
}

function repeatedId(steps: readonly { id: string }[]): string | undefined {
	const ids = steps.map((step) => step.id);
	return ids.find((id, i) => ids.indexOf(id) !== i);
}

const repeatedIdMessage = (id: string) => `Two steps share the id “${id}”.`;

/** Checks a script from outside the code. Never throws. */
export function parseScript(input: unknown): Result<GroundingScript> {
	// Valibot takes a list for an object with missing fields; it is simply not a script.
	if (Array.isArray(input)) return refuse('', NOT_A_SCRIPT);
	// Refuse an oversized list before checking each of its steps.
	const rawSteps = (input as { steps?: unknown } | null)?.steps;
	if (Array.isArray(rawSteps) && rawSteps.length > SCRIPT_LIMITS.steps.max) {
		return refuse('', STEP_MESSAGES.tooManySteps);
	}
	const parsed = v.safeParse(scriptSchema, input);
	if (!parsed.success) {
		const issue = parsed.issues[0];
		const path = issue.path ?? [];
		const index = path[0]?.key === 'steps' ? path[1]?.key : undefined;
		const where =
			typeof index === 'number'
				? stepLabel(index, ((rawSteps as unknown[])[index] as { text?: unknown } | undefined)?.text)
				: '';
		return refuse(where, plainMessage(issue));
	}
	const script = parsed.output as GroundingScript;
	for (const [index, step] of script.steps.entries()) {
		const problem = breathFitProblem(step);
		if (problem) return refuse(stepLabel(index, step.text), problem);
	}
	const repeated = repeatedId(script.steps);
	if (repeated) return refuse('', repeatedIdMessage(repeated));
	return { ok: true, value: script };
}

/** Editor messages for one step, each at its field. Empty when the step is fine. */
export interface StepFieldErrors {
	id?: string;
	text?: string;
	/** The timing's kind. */
	timing?: string;
	/** A timed step's length. */
	seconds?: string;
	breath?: string;
	chime?: string;
	background?: string;
}

export type StepField = keyof StepFieldErrors;

function fieldOf(path: readonly { key: unknown }[] | undefined): StepField {
	const [first, second] = path ?? [];
	if (first?.key === 'timing') return second?.key === 'seconds' ? 'seconds' : 'timing';
	if (first?.key === 'id' || first?.key === 'breath' || first?.key === 'chime' || first?.key === 'background') {
		return first.key;
	}
	return 'text';
}

/** The problems with one step as the editor holds it, one message per field at most. */
export function validateStep(step: ScriptStep): StepFieldErrors {
	const errors: StepFieldErrors = {};
	const parsed = v.safeParse(stepSchema, step, { abortPipeEarly: true });
	if (!parsed.success) {
		for (const issue of parsed.issues) {
			const field = fieldOf(issue.path);
			errors[field] ??= plainMessage(issue);
		}
	} else {
		const problem = breathFitProblem(parsed.output);
		if (problem) errors.seconds = problem;
	}
	return errors;
}

export interface ScriptErrors {
	id?: string;
	title?: string;
	summary?: string;
	/** About the list as a whole: none, too many, or two with one id. */
	steps?: string;
	/** By step id, only for steps with a problem. */
	stepErrors: Record<string, StepFieldErrors>;
}

/** The problems with a whole script in the editor, by field and by step. */
export function validateScript(script: GroundingScript): ScriptErrors {
	const errors: ScriptErrors = { stepErrors: {} };
	for (const field of ['id', 'title', 'summary'] as const) {
		const parsed = v.safeParse(scriptFields[field], script[field], { abortPipeEarly: true });
		if (!parsed.success) errors[field] = plainMessage(parsed.issues[0]);
	}
	const count = script.steps.length;
	if (count < SCRIPT_LIMITS.steps.min) errors.steps = STEP_MESSAGES.noSteps;
	else if (count > SCRIPT_LIMITS.steps.max) errors.steps = STEP_MESSAGES.tooManySteps;
	else {
		const repeated = repeatedId(script.steps);
		if (repeated) errors.steps = repeatedIdMessage(repeated);
	}
	for (const step of script.steps) {
		const stepErrors = validateStep(step);
		if (Object.keys(stepErrors).length > 0) errors.stepErrors[step.id] ??= stepErrors;
	}
	return errors;
}

/** True when `validateScript` found nothing to fix. */
export function isScriptValid(errors: ScriptErrors): boolean {
	const { stepErrors, ...rest } = errors;
	return Object.keys(rest).length === 0 && Object.keys(stepErrors).length === 0;
}

/** A step's planned length: its own for a timed step, `OPEN_STEP_ESTIMATE` for an open one. */
export function stepPlannedSeconds(step: ScriptStep): Seconds {
	return step.timing.kind === 'timed' ? step.timing.seconds : OPEN_STEP_ESTIMATE;
}

/** The planned length of the whole script, counting each open step as `OPEN_STEP_ESTIMATE`. */
export function scriptPlannedSeconds(script: GroundingScript): Seconds {
	return script.steps.reduce((sum, step) => sum + stepPlannedSeconds(step), 0);
}

/**
 * An id no step in the list has, such as "step-k3x9q2". Random rather than
 * counted, so that a new step never takes the id (and so the recorded voice
 * clip) of a step that was deleted.
 */
export function newStepId(existingIds: Iterable<string>, random: () => number = Math.random): string {
	const taken = new Set(existingIds);
	for (;;) {
		const id = `step-${Math.floor(random() * 36 ** 6)
			.toString(36)
			.padStart(6, '0')}`;
		if (!taken.has(id)) return id;
	}
}

/** A new timed step of a minute, with nothing said yet. */
export function blankStep(id: string): ScriptStep {
	return { id, text: '', timing: { kind: 'timed', seconds: 60 }, breath: null, chime: false, background: null };
}

/**
 * A draft for the editor: one blank step that chimes. It does not pass
 * `parseScript` until it has a title and the step says something.
 */
export function emptyScript(id: string): GroundingScript {
	return {
		version: 1,
		id,
		title: '',
		summary: '',
		builtIn: false,
		steps: [{ ...blankStep('step-1'), chime: true }]
	};
}

/**
 * A copy to change: its own id and title, never built in, the same steps with
 * the same step ids (voice clips are keyed by script id too, so none carry over).
 */
export function duplicateScript(script: GroundingScript, newId: string, title: string): GroundingScript {
	return { ...structuredClone(script), id: newId, title, builtIn: false };
}

/** True when two steps play the same background, so it can carry on across the change rather than restart. */
export function sameBackground(a: StepBackground, b: StepBackground): boolean {
	if (a === null || b === null) return a === b;
	if (a.kind === 'track' || b.kind === 'track') {
		return a.kind === 'track' && b.kind === 'track' && a.trackId === b.trackId;
	}
	return a.soundscape === b.soundscape && a.seed === b.seed;
}
