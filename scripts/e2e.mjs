// Runs the end-to-end tests in two phases, one after the other, and fails if either fails:
//   1. Chromium's own suite (tests/e2e), whose audio is recorded inside the page;
//   2. the core journeys in Firefox and WebKit side by side (tests/engines), recorded from
//      PulseAudio sinks in real time.
// Not all at once: on 2 cores, three browsers at work leave Firefox's and WebKit's audio threads
// late often enough to put gaps in what they play, and those journeys measure exactly that.
// Arguments are passed to both phases (e.g. -g "console").
import { spawnSync } from 'node:child_process';

const phases = [
	{ name: 'Chromium suite', projects: ['chromium'] },
	{ name: 'Firefox and WebKit journeys', projects: ['firefox', 'webkit'] }
];
const extra = process.argv.slice(2);
const failed = [];
for (const phase of phases) {
	const args = ['playwright', 'test', ...phase.projects.flatMap((project) => ['--project', project]), ...extra];
	console.log(`\n▶ ${phase.name}: npx ${args.join(' ')}`);
	const run = spawnSync('npx', args, { stdio: 'inherit' });
	if (run.status !== 0) failed.push(phase.name);
}
if (failed.length > 0) {
	console.error(`\n✘ Failed: ${failed.join('; ')}`);
	process.exit(1);
}
