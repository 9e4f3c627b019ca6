// Runs the end-to-end tests in two phases, one after the other, and fails if either fails:
//   1. Chromium's own suite (tests/e2e), whose audio is recorded inside the page;
//   2. the core journeys in Firefox, then 3. in WebKit (tests/engines), recorded from PulseAudio
//      sinks in real time.
// One engine at a time: on 2 cores, two browsers at work leave an audio thread late often enough
// to put gaps in what it plays (a clean-clone run heard 130 ms of silence in WebKit's dose
// crossfade with Firefox playing beside it), and those journeys measure exactly that.
// Arguments are passed to both phases (e.g. -g "console").
import { spawnSync } from 'node:child_process';

const phases = [
	{ name: 'Chromium suite', projects: ['chromium'] },
	{ name: 'Firefox journeys', projects: ['firefox'] },
	{ name: 'WebKit journeys', projects: ['webkit'] }
];
const extra = process.argv.slice(2);
const failed = [];
for (const phase of phases) {
	// Each phase keeps its own results: one run's clean-up would otherwise delete the recordings a
	// failed phase before it attached.
	const output = `test-results/${phase.projects.join('-')}`;
	const args = [
		'playwright',
		'test',
		...phase.projects.flatMap((project) => ['--project', project]),
		'--output',
		output,
		...extra
	];
	console.log(`\n▶ ${phase.name}: npx ${args.join(' ')}`);
	const run = spawnSync('npx', args, { stdio: 'inherit' });
	if (run.status !== 0) failed.push(phase.name);
}
if (failed.length > 0) {
	console.error(`\n✘ Failed: ${failed.join('; ')}`);
	process.exit(1);
}
