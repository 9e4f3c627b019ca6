/**
 * The cross-engine half of `npm run bench`: the core journeys (tests/engines/journeys.ts) in
 * Chromium, Firefox ESR and WebKitGTK, one engine at a time, recorded at each one's PulseAudio sink.
 * Writes bench-results/engines-<engine>.json with, for `<engine>_`:
 *
 * - routes_ok (pages whose heading appeared, of all), js_errors (in every page of every journey here);
 * - cue_interval_error_max_ms: a minute of coherent breathing (5.5 a minute, soft tones), each
 *   interval between heard onsets against the plan's; cue_interval_baseline_max_ms: the same for a
 *   bare page that beeps on the audio clock at the same period (the engine's own jitter); the means of
 *   the same errors; cue_interval_rounds: 2 where the baseline's largest error is over 3 ms, else 1;
 *   cue_interval_baseline_soft_*: the bare page with the pacer's soft tone; cue_interval_baseline_held_*:
 *   the bare page's beep held as long as the soft tone (5.15 s of each 5.45 s phase);
 * - track_jumps, track_jump_max_ms: the console's first track heard against its own file;
 * - session_first_track_played (1 when it was the curated track, not a fallback),
 *   session_first_sound_ms (tap to the first sample above −60 dBFS, with up to ~20 ms of capture
 *   latency and the 150 ms PulseAudio buffer each browser is given);
 * - crossfade_silence_max_ms: the longest stretch under −50 dBFS (10 ms pieces) in the dose, next
 *   piece and back-a-piece crossfades.
 *
 * Run by scripts/bench.mjs through playwright.bench.config.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, test } from '../tests/engines/fixtures';
import { baselineCues, COHERENT_MINUTE, consoleSession, pacerCues, visitEveryRoute } from '../tests/engines/journeys';

test.describe.configure({ timeout: 600_000 });

const mean = (values: readonly number[]): number =>
	values.length > 0 ? values.reduce((sum, value) => sum + Math.abs(value), 0) / values.length : Number.NaN;
const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

test('the journeys measured', async ({ rig, listen }) => {
	const name = rig.engine.name;
	const errors: string[] = [];
	const inTab = async <T>(journey: (tab: Awaited<ReturnType<typeof rig.engine.newPage>>) => Promise<T>) => {
		rig.server.resetStats();
		const tab = await rig.engine.newPage(rig.server.url);
		try {
			return await journey(tab);
		} finally {
			errors.push(...(await tab.errors().catch(() => [])));
			await tab.close();
		}
	};

	const max = (values: readonly number[]) => (values.length > 0 ? Math.max(...values) : Number.NaN);
	const routes = await inTab((tab) => visitEveryRoute(tab, rig));
	const period = 60 / 5.5 / 2;
	// App and baseline alternate, so a busy spell on the machine falls on both. One round each is ten
	// intervals, and the largest of ten is a rough figure: where the engine's own jitter is over the
	// 3 ms goal (WebKitGTK's sink), a second round each halves the luck in "no worse than its baseline".
	const appErrors: number[] = [];
	const baselineErrors: number[] = [];
	let heard: string;
	let rounds = 0;
	do {
		const cues = await inTab((tab) => pacerCues(tab, listen, COHERENT_MINUTE));
		const baseline = await inTab((tab) => baselineCues(tab, listen, period, cues.planned.length));
		appErrors.push(...cues.intervalErrorsMs);
		baselineErrors.push(...baseline.intervalErrorsMs);
		heard = `${cues.onsets.length}/${cues.planned.length}`;
		rounds += 1;
	} while (rounds < 2 && max(baselineErrors) > 3);
	// The same bare page with the pacer's own soft tone (its 120 ms rise and glide), once: whether an
	// engine's error comes from the cue's shape rather than from the app's scheduling.
	const soft = await inTab((tab) => baselineCues(tab, listen, period, 11, 'soft'));
	// The bare page's plain beep held through the phase as the soft tone is (its 10 ms rise, no glide,
	// no partials): whether the error follows how long sound lasts rather than its shape.
	const held = await inTab((tab) => baselineCues(tab, listen, period, 11, 'beep', period - 0.3));
	const session = await inTab((tab) => consoleSession(tab, listen));

	const figures = {
		[`${name}_version`]: rig.engine.version,
		[`${name}_routes_ok`]: `${routes.loaded}/${routes.routes}`,
		[`${name}_js_errors`]: errors.length,
		[`${name}_cue_interval_error_max_ms`]: round(max(appErrors)),
		[`${name}_cue_interval_baseline_max_ms`]: round(max(baselineErrors)),
		[`${name}_cue_interval_error_mean_ms`]: round(mean(appErrors)),
		[`${name}_cue_interval_baseline_mean_ms`]: round(mean(baselineErrors)),
		[`${name}_cue_interval_rounds`]: rounds,
		[`${name}_cue_interval_baseline_soft_max_ms`]: round(max(soft.intervalErrorsMs)),
		[`${name}_cue_interval_baseline_soft_mean_ms`]: round(mean(soft.intervalErrorsMs)),
		[`${name}_cue_interval_baseline_held_max_ms`]: round(max(held.intervalErrorsMs)),
		[`${name}_cue_interval_baseline_held_mean_ms`]: round(mean(held.intervalErrorsMs)),
		[`${name}_cue_onsets_heard`]: heard,
		[`${name}_track_jumps`]: session.jumps.length,
		[`${name}_track_jump_max_ms`]: round(max(session.jumps.map((jump) => Math.abs(jump.shift))) || 0, 1),
		[`${name}_session_first_track_played`]: session.firstLine === `Playing: ${session.firstTrackTitle}` ? 1 : 0,
		[`${name}_session_first_sound_ms`]:
			session.firstSoundSeconds === null ? 'none' : Math.round(session.firstSoundSeconds * 1000),
		[`${name}_crossfade_silence_max_ms`]: round(max(session.transitionQuietMs), 0),
		// The pre-session test sound at the sink: its level held, and how far it rose and fell.
		[`${name}_test_sound_level_db`]: round(session.testSound.fullDb, 1),
		[`${name}_test_sound_rise_db`]: round(session.testSound.riseDb, 1),
		[`${name}_test_sound_fall_db`]: round(session.testSound.fallDb, 1)
	};
	mkdirSync('bench-results', { recursive: true });
	writeFileSync(`bench-results/engines-${name}.json`, JSON.stringify(figures, null, '\t'));
	// What went wrong is worth reading with the figures.
	if (errors.length > 0) writeFileSync(`bench-results/engines-${name}-errors.txt`, errors.join('\n'));
	expect(routes.routes).toBeGreaterThan(0);
});
