/**
 * The grounding run: which step of a script is current, since when, and when
 * the next one begins. A pure state machine over wall-clock milliseconds, like
 * the session clock: the audio layer schedules sound from its events and its
 * view, and a test can step through a script in microseconds.
 *
 * Rules:
 * - A timed step ends at its planned length and the next begins at exactly
 *   that moment, not when a tick happens to notice: after a sleeping device
 *   wakes, one tick applies every boundary that passed, each event carrying
 *   its planned time. After the last step the run is finished.
 * - An open step waits ("Continue when ready") from its start: the runner
 *   does not know how long its voice lasts. `continueRun` moves on.
 * - Pause keeps the time spent in the step; resume carries on with what was
 *   left. Moving to another step while paused stays paused, at that step's
 *   start: sound begins again only when the person resumes.
 * - Every command first applies the boundaries that passed before it.
 *
 * A `step` event means "this step is now current"; if the run is paused it
 * only moves the place, and the step's sound starts on the `resumed` event,
 * `elapsedInStep` into the step.
 *
 * @example
 * let run = startRun(script, Date.now());
 * run = tick(script, run.state, Date.now()); // run.events: [{ kind: 'step', at, stepIndex: 1, cause: 'planned' }]
 * const view = runView(script, run.state, Date.now()); // view.remaining, view.progress
 */
import * as v from 'valibot';
import type { GroundingScript, ScriptStep } from './script';
import { SCRIPT_LIMITS, stepPlannedSeconds } from './script';
import type { Milliseconds } from '../units';

const SECOND: Milliseconds = 1000;

/** Running: a timed step counts down. Waiting: an open step waits for "Continue". */
export type RunStatus = 'running' | 'waiting' | 'paused' | 'finished';

export interface RunState {
	readonly scriptId: string;
	readonly stepIndex: number;
	readonly status: RunStatus;
	/**
	 * When the step's current stretch began: the step's start, or the last
	 * resume. Whether a paused step resumes running or waiting follows from
	 * its timing, so it is not stored.
	 */
	readonly stepStartedAt: Milliseconds;
	/** Time spent in the step before that stretch; while paused or finished, all the time spent in it. */
	readonly elapsedInStep: Milliseconds;
}

/** Why a step became current. */
export type StepCause = 'start' | 'planned' | 'continued' | 'next' | 'previous' | 'restored';
/** Why the run finished: the last step ran out, was continued from, or was skipped. */
export type FinishCause = 'planned' | 'continued' | 'next';

export type RunEvent =
	| { readonly kind: 'step'; readonly at: Milliseconds; readonly stepIndex: number; readonly cause: StepCause }
	| { readonly kind: 'finished'; readonly at: Milliseconds; readonly cause: FinishCause }
	| {
			readonly kind: 'paused';
			readonly at: Milliseconds;
			readonly stepIndex: number;
			readonly elapsedInStep: Milliseconds;
	  }
	| {
			readonly kind: 'resumed';
			readonly at: Milliseconds;
			readonly stepIndex: number;
			readonly elapsedInStep: Milliseconds;
	  };

/** What a command returns: the new state, and what happened on the way, in order. */
export interface RunStep {
	readonly state: RunState;
	readonly events: readonly RunEvent[];
}

/** A step's planned length in whole milliseconds; null for an open step. */
export function stepLength(step: ScriptStep): Milliseconds | null {
	return step.timing.kind === 'timed' ? Math.round(step.timing.seconds * SECOND) : null;
}

function plannedMs(step: ScriptStep): Milliseconds {
	return Math.round(stepPlannedSeconds(step) * SECOND);
}

function statusOf(step: ScriptStep): 'running' | 'waiting' {
	return step.timing.kind === 'open' ? 'waiting' : 'running';
}

/** Time spent in the current step at `now`, pauses left out. */
export function stepElapsed(state: RunState, now: Milliseconds): Milliseconds {
	if (state.status === 'paused' || state.status === 'finished') return state.elapsedInStep;
	return state.elapsedInStep + Math.max(0, now - state.stepStartedAt);
}

function finish(state: RunState, at: Milliseconds, cause: FinishCause): RunStep {
	return {
		state: { ...state, status: 'finished', stepStartedAt: at, elapsedInStep: stepElapsed(state, at) },
		events: [{ kind: 'finished', at, cause }]
	};
}

/** Makes step `index` current at `at` (kept within the script, which may have been edited). */
function moveTo(script: GroundingScript, state: RunState, index: number, at: Milliseconds, cause: StepCause): RunStep {
	const stepIndex = Math.max(0, Math.min(index, script.steps.length - 1));
	const step = script.steps[stepIndex];
	const status = state.status === 'paused' || !step ? 'paused' : statusOf(step);
	return {
		state: { scriptId: state.scriptId, stepIndex, status, stepStartedAt: at, elapsedInStep: 0 },
		events: [{ kind: 'step', at, stepIndex, cause }]
	};
}

/** Moves on to the next step at `at`; after the last one, the run finishes. */
function advance(script: GroundingScript, state: RunState, at: Milliseconds, cause: FinishCause): RunStep {
	const index = state.stepIndex + 1;
	return index < script.steps.length ? moveTo(script, state, index, at, cause) : finish(state, at, cause);
}

function chain(first: RunStep, second: RunStep): RunStep {
	return { state: second.state, events: [...first.events, ...second.events] };
}

/**
 * Starts a run at step `fromStep` (kept within the script). Throws for a
 * script with no steps: that is a script that never went through parseScript.
 */
export function startRun(script: GroundingScript, at: Milliseconds, fromStep = 0): RunStep {
	const index = Math.min(Math.max(0, Math.trunc(fromStep)), script.steps.length - 1);
	const step = script.steps[index];
	if (!step) throw new Error(`Script “${script.id}” has no steps to run.`);
	return {
		state: { scriptId: script.id, stepIndex: index, status: statusOf(step), stepStartedAt: at, elapsedInStep: 0 },
		events: [{ kind: 'step', at, stepIndex: index, cause: 'start' }]
	};
}

/** When the current step will end by itself, or null: open, paused or finished. */
export function plannedStepEnd(script: GroundingScript, state: RunState): Milliseconds | null {
	if (state.status !== 'running') return null;
	const step = script.steps[state.stepIndex];
	const length = step ? stepLength(step) : null;
	return length === null ? null : state.stepStartedAt + length - state.elapsedInStep;
}

/** Applies every planned step change up to `now`, each at its own planned time. */
export function tick(script: GroundingScript, state: RunState, now: Milliseconds): RunStep {
	let current: RunStep = { state, events: [] };
	for (
		let end = plannedStepEnd(script, state);
		end !== null && end <= now;
		end = plannedStepEnd(script, current.state)
	) {
		current = chain(current, advance(script, current.state, end, 'planned'));
	}
	return current;
}

/** "Continue": leaves an open step that is waiting. Does nothing otherwise. */
export function continueRun(script: GroundingScript, state: RunState, at: Milliseconds): RunStep {
	const ticked = tick(script, state, at);
	if (ticked.state.status !== 'waiting') return ticked;
	return chain(ticked, advance(script, ticked.state, at, 'continued'));
}

/** Pauses a running or waiting step, keeping the time spent in it. */
export function pauseRun(script: GroundingScript, state: RunState, at: Milliseconds): RunStep {
	const ticked = tick(script, state, at);
	const current = ticked.state;
	if (current.status !== 'running' && current.status !== 'waiting') return ticked;
	const elapsedInStep = stepElapsed(current, at);
	return chain(ticked, {
		state: { ...current, status: 'paused', elapsedInStep },
		events: [{ kind: 'paused', at, stepIndex: current.stepIndex, elapsedInStep }]
	});
}

/**
 * Resumes a paused step with the time it had left (an open step goes back to
 * waiting). A step that had no time left moves on at once.
 */
export function resumeRun(script: GroundingScript, state: RunState, at: Milliseconds): RunStep {
	const step = script.steps[state.stepIndex];
	if (state.status !== 'paused' || !step) return tick(script, state, at);
	const resumed: RunStep = {
		state: { ...state, status: statusOf(step), stepStartedAt: at },
		events: [{ kind: 'resumed', at, stepIndex: state.stepIndex, elapsedInStep: state.elapsedInStep }]
	};
	return chain(resumed, tick(script, resumed.state, at));
}

/** Skips to the next step now; from the last step, finishes. Stays paused if paused. */
export function nextStep(script: GroundingScript, state: RunState, at: Milliseconds): RunStep {
	const ticked = tick(script, state, at);
	if (ticked.state.status === 'finished') return ticked;
	return chain(ticked, advance(script, ticked.state, at, 'next'));
}

/**
 * Goes back a step now; from the first step, starts it again. After the run
 * has finished, plays the last step again. Stays paused if paused.
 */
export function previousStep(script: GroundingScript, state: RunState, at: Milliseconds): RunStep {
	const ticked = tick(script, state, at);
	const current = ticked.state;
	const index = current.status === 'finished' ? current.stepIndex : Math.max(0, current.stepIndex - 1);
	const from: RunState = current.status === 'finished' ? { ...current, status: 'running' } : current;
	return chain(ticked, moveTo(script, from, index, at, 'previous'));
}

/** Time left in the current step by its plan; null for an open step, 0 once finished. */
export function stepRemaining(script: GroundingScript, state: RunState, now: Milliseconds): Milliseconds | null {
	if (state.status === 'finished') return 0;
	const step = script.steps[state.stepIndex];
	const length = step ? stepLength(step) : null;
	return length === null ? null : Math.max(0, length - stepElapsed(state, now));
}

export interface RunView {
	readonly status: RunStatus;
	readonly stepIndex: number;
	readonly stepCount: number;
	readonly step: ScriptStep | undefined;
	readonly nextStep: ScriptStep | null;
	readonly elapsedInStep: Milliseconds;
	/** Time left in the step; null for an open step ("Continue when ready"). */
	readonly remaining: Milliseconds | null;
	/** The planned length of the whole script, open steps counted as `OPEN_STEP_ESTIMATE`. */
	readonly plannedTotal: Milliseconds;
	/** How far along that plan the run is: earlier steps in full, the current one up to its plan. */
	readonly elapsedPlanned: Milliseconds;
	/** elapsedPlanned / plannedTotal, 0 to 1. */
	readonly progress: number;
}

/** What the player shows at `now`. Call tick() first so the step is current. */
export function runView(script: GroundingScript, state: RunState, now: Milliseconds): RunView {
	const step = script.steps[state.stepIndex];
	const elapsedInStep = stepElapsed(state, now);
	const plannedTotal = script.steps.reduce((sum, s) => sum + plannedMs(s), 0);
	const before = script.steps.slice(0, state.stepIndex).reduce((sum, s) => sum + plannedMs(s), 0);
	const elapsedPlanned =
		state.status === 'finished' ? plannedTotal : before + Math.min(elapsedInStep, step ? plannedMs(step) : 0);
	return {
		status: state.status,
		stepIndex: state.stepIndex,
		stepCount: script.steps.length,
		step,
		nextStep: script.steps[state.stepIndex + 1] ?? null,
		elapsedInStep,
		remaining: stepRemaining(script, state, now),
		plannedTotal,
		elapsedPlanned,
		progress: plannedTotal > 0 ? Math.min(1, elapsedPlanned / plannedTotal) : 0
	};
}

export interface PlannedBoundaries {
	/**
	 * For a run started at 0 at step `from`: when each step is planned to
	 * begin. Null before `from`, and after an open step, since those begin
	 * whenever the person continues (ask again from the step after it).
	 */
	readonly starts: readonly (Milliseconds | null)[];
	/** When the run is planned to finish; null if an open step lies on the way. */
	readonly end: Milliseconds | null;
}

export function plannedBoundaries(script: GroundingScript, from = 0): PlannedBoundaries {
	const starts: (Milliseconds | null)[] = [];
	let cursor: Milliseconds | null = 0;
	script.steps.forEach((step, index) => {
		if (index < from) {
			starts.push(null);
			return;
		}
		starts.push(cursor);
		const length = stepLength(step);
		cursor = cursor === null || length === null ? null : cursor + length;
	});
	return { starts, end: cursor };
}

/** Where a run was, as kept on the device so that a reload can come back to it. */
export interface SavedPosition {
	version: 1;
	scriptId: string;
	stepIndex: number;
	elapsedInStep: Milliseconds;
}

export function savedPosition(state: RunState, now: Milliseconds): SavedPosition {
	return { version: 1, scriptId: state.scriptId, stepIndex: state.stepIndex, elapsedInStep: stepElapsed(state, now) };
}

const savedPositionSchema = v.object({
	version: v.literal(1),
	scriptId: v.pipe(v.string(), v.nonEmpty(), v.maxLength(SCRIPT_LIMITS.scriptId)),
	stepIndex: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(SCRIPT_LIMITS.steps.max - 1)),
	elapsedInStep: v.pipe(v.number(), v.finite(), v.minValue(0))
});

/** A saved position, or null when there is none or it cannot be trusted (then it is dropped, never used). */
export function parseSavedPosition(stored: unknown): SavedPosition | null {
	const parsed = v.safeParse(savedPositionSchema, stored);
	return parsed.success ? parsed.output : null;
}

/**
 * Comes back to a saved position, paused: after a reload, sound never starts
 * by itself; the player resumes on the person's tap. The script may have been
 * edited since: the step is kept within it and the elapsed time within the
 * step's length. A position saved for another script starts at its beginning.
 */
export function resumeFrom(script: GroundingScript, saved: SavedPosition, at: Milliseconds): RunStep {
	const same = saved.scriptId === script.id;
	const index = same ? Math.min(saved.stepIndex, script.steps.length - 1) : 0;
	const step = script.steps[index];
	if (!step) throw new Error(`Script “${script.id}” has no steps to run.`);
	const length = stepLength(step);
	const elapsed = same && index === saved.stepIndex ? saved.elapsedInStep : 0;
	const elapsedInStep = length === null ? elapsed : Math.min(elapsed, length);
	return {
		state: { scriptId: script.id, stepIndex: index, status: 'paused', stepStartedAt: at, elapsedInStep },
		events: [{ kind: 'step', at, stepIndex: index, cause: 'restored' }]
	};
}
