/**
 * One line on what a script is, for the pages that share and open it, as `describePractice` is
 * for a practice. Pure.
 *
 * @example
 * describeScript(builtinScript('arriving-breath')!); // '6 steps · about 4 minutes'
 */
import { scriptPlannedSeconds, type GroundingScript } from '../grounding/script';
import type { Seconds } from '../units';

/** “about 6 minutes”, from a planned length. */
export function aboutMinutes(seconds: Seconds): string {
	if (seconds < 45) return 'under a minute';
	const minutes = Math.max(1, Math.round(seconds / 60));
	return `about ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
}

/** “6 steps · about 4 minutes”: open steps count as OPEN_STEP_ESTIMATE. */
export function describeScript(script: GroundingScript): string {
	const count = script.steps.length;
	return `${count} ${count === 1 ? 'step' : 'steps'} · ${aboutMinutes(scriptPlannedSeconds(script))}`;
}
