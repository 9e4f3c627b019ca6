import { describe, expect, it } from 'vitest';
import type { GroundingScript, ScriptStep } from '../../src/lib/grounding/script';
import {
	continueRun,
	nextStep,
	parseSavedPosition,
	pauseRun,
	plannedBoundaries,
	plannedStepEnd,
	previousStep,
	resumeFrom,
	resumeRun,
	runView,
	savedPosition,
	startRun,
	stepLength,
	stepRemaining,
	tick,
	type RunEvent,
	type RunState
} from '../../src/lib/grounding/script-runner';

const T0 = Date.UTC(2026, 10, 25, 14, 0, 0);
const s = (seconds: number) => T0 + seconds * 1000;

const step = (id: string, seconds: number | null): ScriptStep => ({
	id,
	text: `Step ${id}.`,
	timing: seconds === null ? { kind: 'open' } : { kind: 'timed', seconds },
	breath: null,
	chime: false,
	background: null
});

/** 10 s, 20 s, 5 s, open, 15 s: planned 80 s with the open step at 30 s. */
const script: GroundingScript = {
	version: 1,
	id: 'fixture',
	title: 'Fixture',
	summary: '',
	builtIn: false,
	steps: [step('a', 10), step('b', 20), step('c', 5), step('d', null), step('e', 15)]
};

const running = (stepIndex: number, stepStartedAt: number, elapsedInStep = 0): RunState => ({
	scriptId: 'fixture',
	stepIndex,
	status: 'running',
	stepStartedAt,
	elapsedInStep
});

/** Events as "seconds-from-T0 kind index cause", easy to read in a failure. */
const brief = (events: readonly RunEvent[]) =>
	events.map((e) =>
		[
			(e.at - T0) / 1000,
			e.kind,
			'stepIndex' in e ? e.stepIndex : null,
			'cause' in e ? e.cause : null,
			'elapsedInStep' in e ? e.elapsedInStep : null
		]
			.filter((part) => part !== null)
			.join(' ')
	);

describe('starting and timed steps', () => {
	it('starts at the first step, or at the one asked for', () => {
		expect(startRun(script, T0)).toEqual({
			state: running(0, T0),
			events: [{ kind: 'step', at: T0, stepIndex: 0, cause: 'start' }]
		});
		expect(startRun(script, T0, 3).state).toEqual({ ...running(3, T0), status: 'waiting' });
		expect(startRun(script, T0, 99).state.stepIndex).toBe(4);
		expect(() => startRun({ ...script, steps: [] }, T0)).toThrow('Script “fixture” has no steps to run.');
	});

	it('moves on exactly at the planned boundary', () => {
		const { state } = startRun(script, T0);
		expect(plannedStepEnd(script, state)).toBe(s(10));
		expect(tick(script, state, s(10) - 1)).toEqual({ state, events: [] });
		expect(tick(script, state, s(10))).toEqual({
			state: running(1, s(10)),
			events: [{ kind: 'step', at: s(10), stepIndex: 1, cause: 'planned' }]
		});
	});

	it('applies every boundary a late tick crossed, each at its planned time, and stops at an open step', () => {
		const late = tick(script, startRun(script, T0).state, s(40));
		expect(brief(late.events)).toEqual(['10 step 1 planned', '30 step 2 planned', '35 step 3 planned']);
		expect(late.state).toEqual({ ...running(3, s(35)), status: 'waiting' });
	});

	it('finishes at the planned end of the last step, however late the tick', () => {
		const last = startRun(script, T0, 4).state;
		const done = tick(script, last, s(3600));
		expect(done.events).toEqual([{ kind: 'finished', at: s(15), cause: 'planned' }]);
		expect(done.state).toEqual({ ...last, status: 'finished', stepStartedAt: s(15), elapsedInStep: 15_000 });
		expect(tick(script, done.state, s(7200))).toEqual({ state: done.state, events: [] });
		expect(stepRemaining(script, done.state, s(7200))).toBe(0);
	});

	it('keeps fractional seconds to the millisecond', () => {
		expect(stepLength(step('x', 1.1))).toBe(1100);
		expect(stepLength(step('x', null))).toBeNull();
	});
});

describe('open steps', () => {
	it('wait until continueRun, then the run goes on from that moment', () => {
		const waiting = tick(script, startRun(script, T0).state, s(35)).state;
		expect(waiting.status).toBe('waiting');
		expect(plannedStepEnd(script, waiting)).toBeNull();
		expect(stepRemaining(script, waiting, s(90))).toBeNull();
		expect(tick(script, waiting, s(1000))).toEqual({ state: waiting, events: [] });
		const continued = continueRun(script, waiting, s(100));
		expect(continued).toEqual({
			state: running(4, s(100)),
			events: [{ kind: 'step', at: s(100), stepIndex: 4, cause: 'continued' }]
		});
		expect(brief(tick(script, continued.state, s(115)).events)).toEqual(['115 finished planned']);
	});

	it('ignore continueRun on a timed step', () => {
		const { state } = startRun(script, T0);
		expect(continueRun(script, state, s(5))).toEqual({ state, events: [] });
	});

	it('finish when the last step is open and the person continues', () => {
		const openLast: GroundingScript = { ...script, steps: [step('a', 10), step('b', null)] };
		const waiting = tick(openLast, startRun(openLast, T0).state, s(10)).state;
		expect(brief(continueRun(openLast, waiting, s(50)).events)).toEqual(['50 finished continued']);
	});
});

describe('pause and resume', () => {
	it('keep the time left in the step exactly, across several pauses', () => {
		let run = startRun(script, T0);
		run = pauseRun(script, run.state, s(4.2));
		expect(run).toEqual({
			state: { ...running(0, T0, 4200), status: 'paused' },
			events: [{ kind: 'paused', at: s(4.2), stepIndex: 0, elapsedInStep: 4200 }]
		});
		expect(tick(script, run.state, s(3600)).events).toEqual([]);
		expect(stepRemaining(script, run.state, s(3600))).toBe(5800);

		run = resumeRun(script, run.state, s(60));
		expect(run).toEqual({
			state: running(0, s(60), 4200),
			events: [{ kind: 'resumed', at: s(60), stepIndex: 0, elapsedInStep: 4200 }]
		});
		expect(plannedStepEnd(script, run.state)).toBe(s(65.8));
		expect(stepRemaining(script, run.state, s(61))).toBe(4800);
		expect(tick(script, run.state, s(65.8) - 1).events).toEqual([]);
		run = tick(script, run.state, s(65.8));
		expect(brief(run.events)).toEqual(['65.8 step 1 planned']);

		run = pauseRun(script, run.state, s(70.8));
		run = resumeRun(script, run.state, s(100));
		run = pauseRun(script, run.state, s(103));
		expect(run.state.elapsedInStep).toBe(8000);
		run = resumeRun(script, run.state, s(200));
		expect(plannedStepEnd(script, run.state)).toBe(s(212));
		expect(brief(tick(script, run.state, s(212)).events)).toEqual(['212 step 2 planned']);
	});

	it('apply the boundaries that passed before the pause', () => {
		const run = pauseRun(script, startRun(script, T0).state, s(12));
		expect(brief(run.events)).toEqual(['10 step 1 planned', '12 paused 1 2000']);
		expect(run.state).toEqual({ ...running(1, s(10), 2000), status: 'paused' });
	});

	it('return an open step to waiting, and ignore continue while paused', () => {
		const waiting = startRun(script, T0, 3).state;
		const paused = pauseRun(script, waiting, s(8)).state;
		expect(paused).toEqual({ ...waiting, status: 'paused', elapsedInStep: 8000 });
		expect(continueRun(script, paused, s(9))).toEqual({ state: paused, events: [] });
		expect(resumeRun(script, paused, s(20)).state).toEqual({ ...waiting, stepStartedAt: s(20), elapsedInStep: 8000 });
	});

	it('ignore a second pause, a resume while running, and a pause once finished', () => {
		const paused = pauseRun(script, startRun(script, T0).state, s(1)).state;
		expect(pauseRun(script, paused, s(2))).toEqual({ state: paused, events: [] });
		const { state } = startRun(script, T0);
		expect(resumeRun(script, state, s(1))).toEqual({ state, events: [] });
		const done = tick(script, startRun(script, T0, 4).state, s(15)).state;
		expect(pauseRun(script, done, s(20))).toEqual({ state: done, events: [] });
	});
});

describe('next and previous', () => {
	it('skip forward and back now, restart the first step, and finish from the last', () => {
		let run = nextStep(script, startRun(script, T0).state, s(3));
		expect(run).toEqual({ state: running(1, s(3)), events: [{ kind: 'step', at: s(3), stepIndex: 1, cause: 'next' }] });
		run = previousStep(script, run.state, s(5));
		expect(run.state).toEqual(running(0, s(5)));
		run = previousStep(script, run.state, s(6));
		expect(run).toEqual({
			state: running(0, s(6)),
			events: [{ kind: 'step', at: s(6), stepIndex: 0, cause: 'previous' }]
		});
		expect(plannedStepEnd(script, run.state)).toBe(s(16));

		run = nextStep(script, startRun(script, T0, 4).state, s(2));
		expect(run.events).toEqual([{ kind: 'finished', at: s(2), cause: 'next' }]);
		expect(nextStep(script, run.state, s(3))).toEqual({ state: run.state, events: [] });
		const again = previousStep(script, run.state, s(4));
		expect(again).toEqual({
			state: running(4, s(4)),
			events: [{ kind: 'step', at: s(4), stepIndex: 4, cause: 'previous' }]
		});
	});

	it('leave an open step by next as well', () => {
		const run = nextStep(script, startRun(script, T0, 3).state, s(7));
		expect(run.state).toEqual(running(4, s(7)));
	});

	it('stay paused at the start of the new step; resume then runs all of it', () => {
		const paused = pauseRun(script, startRun(script, T0).state, s(4)).state;
		const moved = nextStep(script, paused, s(30));
		expect(moved).toEqual({
			state: { ...running(1, s(30)), status: 'paused' },
			events: [{ kind: 'step', at: s(30), stepIndex: 1, cause: 'next' }]
		});
		expect(stepRemaining(script, moved.state, s(90))).toBe(20_000);
		const resumed = resumeRun(script, moved.state, s(100));
		expect(plannedStepEnd(script, resumed.state)).toBe(s(120));
		expect(previousStep(script, resumed.state, s(101)).state).toEqual(running(0, s(101)));
	});
});

describe('view', () => {
	it('shows the step, what comes next, time left and progress over the planned length', () => {
		const { state } = startRun(script, T0);
		expect(runView(script, state, s(5))).toEqual({
			status: 'running',
			stepIndex: 0,
			stepCount: 5,
			step: script.steps[0],
			nextStep: script.steps[1],
			elapsedInStep: 5000,
			remaining: 5000,
			plannedTotal: 80_000,
			elapsedPlanned: 5000,
			progress: 0.0625
		});
		const waiting = tick(script, state, s(40)).state;
		const view = runView(script, waiting, s(40));
		expect([view.remaining, view.elapsedInStep, view.elapsedPlanned, view.progress]).toEqual([null, 5000, 40_000, 0.5]);
		// Waiting past the estimate does not push progress past the open step.
		expect(runView(script, waiting, s(600)).elapsedPlanned).toBe(65_000);
		const last = continueRun(script, waiting, s(600)).state;
		expect(runView(script, last, s(605)).nextStep).toBeNull();
		const done = tick(script, last, s(700)).state;
		expect(runView(script, done, s(700))).toMatchObject({
			status: 'finished',
			remaining: 0,
			elapsedPlanned: 80_000,
			progress: 1
		});
	});
});

describe('planned boundaries', () => {
	it('give each step’s start until an open step, and the end when there is none on the way', () => {
		expect(plannedBoundaries(script)).toEqual({ starts: [0, 10_000, 30_000, 35_000, null], end: null });
		expect(plannedBoundaries(script, 4)).toEqual({ starts: [null, null, null, null, 0], end: 15_000 });
	});

	it('match a 10-minute script ticked second by second, to the millisecond', () => {
		const seconds = [60, 90, 45, 120, 75, 30, 180];
		const tenMinutes: GroundingScript = { ...script, id: 'ten', steps: seconds.map((n, i) => step(`s${i}`, n)) };
		const plan = plannedBoundaries(tenMinutes);
		expect(plan).toEqual({ starts: [0, 60_000, 150_000, 195_000, 315_000, 390_000, 420_000], end: 600_000 });

		let run = startRun(tenMinutes, T0);
		const starts: number[] = [run.events[0]!.at - T0];
		let finishedAt: number | null = null;
		for (let k = 1; k <= 610; k += 1) {
			run = tick(tenMinutes, run.state, s(k));
			for (const event of run.events) {
				if (event.kind === 'step') starts.push(event.at - T0);
				if (event.kind === 'finished') finishedAt = event.at - T0;
			}
			if (run.state.status === 'running') {
				const nextBoundary = plan.starts[run.state.stepIndex + 1] ?? plan.end!;
				expect(stepRemaining(tenMinutes, run.state, s(k))).toBe(nextBoundary - k * 1000);
			}
			if (k === 300) expect(runView(tenMinutes, run.state, s(k)).progress).toBe(0.5);
		}
		expect(starts).toEqual(plan.starts);
		expect(finishedAt).toBe(plan.end);
	});
});

describe('saved position', () => {
	it('comes back to the same step with its elapsed time, paused, and resumes from there', () => {
		const state = tick(script, startRun(script, T0).state, s(17.5)).state;
		const saved = savedPosition(state, s(17.5));
		expect(saved).toEqual({ version: 1, scriptId: 'fixture', stepIndex: 1, elapsedInStep: 7500 });
		const stored = parseSavedPosition(JSON.parse(JSON.stringify(saved)));
		expect(stored).toEqual(saved);

		const T1 = s(86_400);
		const restored = resumeFrom(script, stored!, T1);
		expect(restored).toEqual({
			state: { scriptId: 'fixture', stepIndex: 1, status: 'paused', stepStartedAt: T1, elapsedInStep: 7500 },
			events: [{ kind: 'step', at: T1, stepIndex: 1, cause: 'restored' }]
		});
		expect(tick(script, restored.state, T1 + 3_600_000).events).toEqual([]);
		expect(stepRemaining(script, restored.state, T1 + 5000)).toBe(12_500);
		const resumed = resumeRun(script, restored.state, T1 + 5000);
		expect(plannedStepEnd(script, resumed.state)).toBe(T1 + 17_500);
		expect(tick(script, resumed.state, T1 + 17_500).events).toEqual([
			{ kind: 'step', at: T1 + 17_500, stepIndex: 2, cause: 'planned' }
		]);
	});

	it('keeps a position within a script that was edited, and starts another script at its beginning', () => {
		const saved = { version: 1 as const, scriptId: 'fixture', stepIndex: 1, elapsedInStep: 90_000 };
		expect(resumeFrom(script, saved, T0).state.elapsedInStep).toBe(20_000);
		// A step with no time left moves on as soon as it resumes.
		const resumed = resumeRun(script, resumeFrom(script, saved, T0).state, s(1));
		expect(brief(resumed.events)).toEqual(['1 resumed 1 20000', '1 step 2 planned']);

		const shorter: GroundingScript = { ...script, steps: script.steps.slice(0, 1) };
		expect(resumeFrom(shorter, saved, T0).state).toMatchObject({ stepIndex: 0, elapsedInStep: 0, status: 'paused' });
		expect(resumeFrom(script, { ...saved, stepIndex: 3 }, T0).state.elapsedInStep).toBe(90_000);
		expect(resumeFrom(script, { ...saved, scriptId: 'other' }, T0).state).toMatchObject({
			scriptId: 'fixture',
			stepIndex: 0,
			elapsedInStep: 0
		});
	});

	it.each([
		null,
		'position',
		{},
		{ version: 2, scriptId: 'fixture', stepIndex: 1, elapsedInStep: 0 },
		{ version: 1, scriptId: '', stepIndex: 1, elapsedInStep: 0 },
		{ version: 1, scriptId: 'fixture', stepIndex: 1.5, elapsedInStep: 0 },
		{ version: 1, scriptId: 'fixture', stepIndex: 100, elapsedInStep: 0 },
		{ version: 1, scriptId: 'fixture', stepIndex: 1, elapsedInStep: -1 },
		{ version: 1, scriptId: 'fixture', stepIndex: 1, elapsedInStep: Number.POSITIVE_INFINITY },
		{ version: 1, scriptId: 'fixture', stepIndex: 1, elapsedInStep: '7500' }
	])('drops a stored position that cannot be trusted: %j', (stored) => {
		expect(parseSavedPosition(stored)).toBeNull();
	});
});
