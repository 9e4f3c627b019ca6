/**
 * Bench, offline part: a 30-minute coherent-breathing practice rendered in an
 * OfflineAudioContext through the real cue code, measured on the samples.
 * Run through `npm run bench`, which prints the figures.
 */
import { it } from 'vitest';
import { commands } from 'vitest/browser';
import { MIN_AHEAD } from '../src/lib/audio/cue-run';
import { buildTimeline } from '../src/lib/breath/timeline';
import { attackTimes, findOnsets, onsetErrors, timeToSilence } from '../tests/audio/analysis';
import { renderRun } from '../tests/audio/render';

it('renders 30 minutes of coherent breathing and measures the cues', async () => {
	const timeline = buildTimeline({
		pattern: { kind: 'coherent', breathsPerMinute: 5.5 },
		length: { kind: 'minutes', minutes: 30 }
	});
	const sampleRate = 24_000;
	const long = await renderRun({ timeline, cueSet: 'tones', duration: timeline.end + 1, sampleRate, probeEvery: 5 });
	const onsets = findOnsets(long.samples, sampleRate);
	const expected = timeline.events.map((event) => long.startAt + event.start);
	const { errors, missed } = onsetErrors(onsets, expected);
	const absolute = errors.map((error) => Math.abs(error) * 1000);
	const attacks = attackTimes(long.samples, sampleRate, onsets).map((seconds) => seconds * 1000);

	const chimes = await renderRun({
		timeline: buildTimeline({ pattern: { kind: 'box' }, length: { kind: 'minutes', minutes: 1 } }),
		cueSet: 'chimes',
		duration: 12,
		sampleRate
	});
	const chimeAttacks = attackTimes(chimes.samples, sampleRate, findOnsets(chimes.samples, sampleRate).slice(0, 1));

	const stopAt = long.startAt + 2.5;
	const stopped = await renderRun({ timeline, cueSet: 'tones', duration: 5, sampleRate: 48_000, stopAt });
	const stoppedAt = stopped.silentAt === undefined ? stopAt : stopped.silentAt - 0.08;
	const stopFade = timeToSilence(stopped.samples, 48_000, stoppedAt) * 1000;

	const figures = {
		cue_count_expected: expected.length,
		cue_count_found: errors.length,
		cues_missed_offline: missed,
		cue_onset_error_max_ms: round(Math.max(...absolute), 3),
		cue_onset_error_mean_ms: round(absolute.reduce((sum, value) => sum + value, 0) / absolute.length, 3),
		cue_attack_min_ms: round(Math.min(...attacks, ...chimeAttacks.map((s) => s * 1000)), 1),
		stop_fade_ms: round(stopFade, 1),
		scheduled_ahead_min_s: round(Math.min(...long.probes.map((probe) => probe.ahead)), 1),
		scheduled_ahead_goal_s: MIN_AHEAD
	};
	await commands.writeFile('bench-results/offline.json', JSON.stringify(figures, null, 2));
});

function round(value: number, digits: number): number {
	const scale = 10 ** digits;
	return Math.round(value * scale) / scale;
}
