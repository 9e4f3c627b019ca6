/**
 * The session and dosing clock: which phase is playing, since when, and when
 * the next one begins. A pure state machine over wall-clock milliseconds, so
 * a 3-hour session can be stepped through in a test in microseconds and a
 * saved state restores exactly after a reload.
 *
 * Rules:
 * - The session starts in its first phase. Arrival phases wait for the dose:
 *   they never move on by themselves, and giving the dose during one moves on
 *   to the next phase at once.
 * - After the dose, in automatic mode, each phase ends at its planned length
 *   and the next begins at that moment (not when a tick happens to notice), so
 *   times stay true across a sleeping tab or a reload. In manual mode phases
 *   change only when the therapist says.
 * - Hold keeps the current phase going past its plan until released; on
 *   release an overdue phase moves on at once.
 * - The last phase never ends by itself: the music goes on until stopped.
 *
 * @example
 * let state = startSession(Date.now());
 * state = giveDose(playlist, state, Date.now()).state;
 * const now = sessionView(playlist, tick(playlist, state, Date.now()).state, Date.now());
 */
import type { Milliseconds } from '../units';
import type { PhaseKind, SessionPlaylist } from './playlist';

export const MINUTE: Milliseconds = 60_000;

export type AdvanceMode = 'auto' | 'manual';

export interface SessionState {
	readonly startedAt: Milliseconds;
	readonly doseAt: Milliseconds | null;
	readonly phaseIndex: number;
	readonly phaseStartedAt: Milliseconds;
	readonly mode: AdvanceMode;
	readonly held: boolean;
}

/** Something that happened, for the session log. */
export interface ClockEvent {
	readonly at: Milliseconds;
	readonly kind: 'session-start' | 'dose' | 'phase' | 'hold' | 'release' | 'mode';
	readonly text: string;
}

export interface Step {
	readonly state: SessionState;
	readonly events: readonly ClockEvent[];
}

/** Reference points after the dose, from the practice this app serves. */
export const DOSE_MARKERS: readonly { readonly label: string; readonly from: number; readonly to: number }[] = [
	{ label: 'Effects usually begin', from: 10, to: 15 },
	{ label: 'Effects usually ease', from: 45, to: 60 },
	{ label: 'A session usually ends', from: 180, to: 180 }
];

function phaseName(playlist: SessionPlaylist, index: number): string {
	return playlist.phases[index]?.name ?? `Phase ${index + 1}`;
}

function isArrival(playlist: SessionPlaylist, index: number): boolean {
	return playlist.phases[index]?.kind === ('arrival' satisfies PhaseKind);
}

function isLast(playlist: SessionPlaylist, index: number): boolean {
	return index >= playlist.phases.length - 1;
}

export function startSession(at: Milliseconds, mode: AdvanceMode = 'auto'): SessionState {
	return { startedAt: at, doseAt: null, phaseIndex: 0, phaseStartedAt: at, mode, held: false };
}

export function sessionStartEvent(playlist: SessionPlaylist, state: SessionState): ClockEvent {
	return {
		at: state.startedAt,
		kind: 'session-start',
		text: `Session started: ${playlist.title}, ${phaseName(playlist, 0)}`
	};
}

function moveTo(playlist: SessionPlaylist, state: SessionState, index: number, at: Milliseconds, why: string): Step {
	const next: SessionState = { ...state, phaseIndex: index, phaseStartedAt: at, held: false };
	return { state: next, events: [{ at, kind: 'phase', text: `${why}: ${phaseName(playlist, index)}` }] };
}

/** "Dose given": starts the dosing clock; from an arrival phase, moves on at once. */
export function giveDose(playlist: SessionPlaylist, state: SessionState, at: Milliseconds): Step {
	if (state.doseAt !== null) return { state, events: [] };
	const dosed: SessionState = { ...state, doseAt: at };
	const events: ClockEvent[] = [{ at, kind: 'dose', text: 'Dose given' }];
	if (isArrival(playlist, state.phaseIndex) && !isLast(playlist, state.phaseIndex)) {
		const moved = moveTo(playlist, dosed, state.phaseIndex + 1, at, 'Phase began with the dose');
		return { state: moved.state, events: [...events, ...moved.events] };
	}
	return { state: dosed, events };
}

/** When the current phase is planned to end, or null if it will not end by itself. */
export function plannedEnd(playlist: SessionPlaylist, state: SessionState): Milliseconds | null {
	if (state.mode === 'manual' || state.held || state.doseAt === null) return null;
	if (isArrival(playlist, state.phaseIndex) || isLast(playlist, state.phaseIndex)) return null;
	const phase = playlist.phases[state.phaseIndex];
	return phase ? state.phaseStartedAt + phase.minutes * MINUTE : null;
}

/** Applies every planned phase change up to `at`, each at its own planned time. */
export function tick(playlist: SessionPlaylist, state: SessionState, at: Milliseconds): Step {
	let current = state;
	const events: ClockEvent[] = [];
	for (let end = plannedEnd(playlist, current); end !== null && end <= at; end = plannedEnd(playlist, current)) {
		const moved = moveTo(playlist, current, current.phaseIndex + 1, end, 'Phase began as planned');
		current = moved.state;
		events.push(...moved.events);
	}
	return { state: current, events };
}

/** "Next phase now". */
export function nextPhase(playlist: SessionPlaylist, state: SessionState, at: Milliseconds): Step {
	if (isLast(playlist, state.phaseIndex)) return { state, events: [] };
	return moveTo(playlist, state, state.phaseIndex + 1, at, 'Moved on to');
}

/** "Hold this phase": keep it going past its plan. */
export function holdPhase(playlist: SessionPlaylist, state: SessionState, at: Milliseconds): Step {
	if (state.held) return { state, events: [] };
	return {
		state: { ...state, held: true },
		events: [{ at, kind: 'hold', text: `Holding ${phaseName(playlist, state.phaseIndex)}` }]
	};
}

/** Releases a hold; a phase already past its plan moves on at once. */
export function releaseHold(playlist: SessionPlaylist, state: SessionState, at: Milliseconds): Step {
	if (!state.held) return { state, events: [] };
	const released: SessionState = { ...state, held: false };
	const event: ClockEvent = { at, kind: 'release', text: `Hold released: ${phaseName(playlist, state.phaseIndex)}` };
	const end = plannedEnd(playlist, released);
	if (end !== null && end <= at) {
		const moved = moveTo(playlist, released, state.phaseIndex + 1, at, 'Moved on after the hold');
		return { state: moved.state, events: [event, ...moved.events] };
	}
	return { state: released, events: [event] };
}

/** Switches between following the plan and changing phases by hand; an overdue phase moves on at once. */
export function setMode(playlist: SessionPlaylist, state: SessionState, mode: AdvanceMode, at: Milliseconds): Step {
	if (state.mode === mode) return { state, events: [] };
	const text = mode === 'auto' ? 'Phases now follow the plan' : 'Phases now change only by hand';
	const switched: SessionState = { ...state, mode };
	const event: ClockEvent = { at, kind: 'mode', text };
	const end = plannedEnd(playlist, switched);
	if (end !== null && end <= at) {
		const moved = moveTo(playlist, switched, state.phaseIndex + 1, at, 'Moved on as the plan resumed');
		return { state: moved.state, events: [event, ...moved.events] };
	}
	return { state: switched, events: [event] };
}

export interface SessionView {
	readonly phaseIndex: number;
	readonly phaseName: string;
	readonly phaseKind: PhaseKind | undefined;
	readonly phaseElapsed: Milliseconds;
	/** Time left in the phase by its plan; null while held, manual, before the dose, or in the last phase. */
	readonly phaseRemaining: Milliseconds | null;
	readonly nextName: string | null;
	readonly sinceDose: Milliseconds | null;
	readonly sinceStart: Milliseconds;
}

/** What the console shows at `now`. Call tick() first so the phase is current. */
export function sessionView(playlist: SessionPlaylist, state: SessionState, now: Milliseconds): SessionView {
	const phase = playlist.phases[state.phaseIndex];
	const end = plannedEnd(playlist, state);
	return {
		phaseIndex: state.phaseIndex,
		phaseName: phaseName(playlist, state.phaseIndex),
		phaseKind: phase?.kind,
		phaseElapsed: Math.max(0, now - state.phaseStartedAt),
		phaseRemaining: end === null ? null : Math.max(0, end - now),
		nextName: isLast(playlist, state.phaseIndex) ? null : phaseName(playlist, state.phaseIndex + 1),
		sinceDose: state.doseAt === null ? null : Math.max(0, now - state.doseAt),
		sinceStart: Math.max(0, now - state.startedAt)
	};
}

/**
 * Where each phase sits on a picture of the whole arc, in minutes from the
 * session start: past phases as they really ran, the current one and those
 * to come as planned from now.
 */
export function arcOf(
	playlist: SessionPlaylist,
	state: SessionState,
	history: readonly { index: number; startedAt: Milliseconds }[],
	now: Milliseconds
): { index: number; from: number; to: number }[] {
	const minutesFrom = (at: Milliseconds) => (at - state.startedAt) / MINUTE;
	const spans: { index: number; from: number; to: number }[] = [];
	history.forEach((entry, n) => {
		const end = history[n + 1]?.startedAt ?? state.phaseStartedAt;
		if (entry.index < state.phaseIndex)
			spans.push({ index: entry.index, from: minutesFrom(entry.startedAt), to: minutesFrom(end) });
	});
	const currentPlanned = (playlist.phases[state.phaseIndex]?.minutes ?? 0) * MINUTE;
	let cursor = Math.max(now, state.phaseStartedAt + currentPlanned);
	spans.push({ index: state.phaseIndex, from: minutesFrom(state.phaseStartedAt), to: minutesFrom(cursor) });
	for (let index = state.phaseIndex + 1; index < playlist.phases.length; index += 1) {
		const length = (playlist.phases[index]?.minutes ?? 0) * MINUTE;
		spans.push({ index, from: minutesFrom(cursor), to: minutesFrom(cursor + length) });
		cursor += length;
	}
	return spans;
}
