// `npm run bench`: prints Grounded's figures, one per line as `name: value`.
//
// In-browser part (vitest, real Chromium): a 30-minute practice rendered in an
// OfflineAudioContext through the real cue code (bench/offline-render.bench.ts), and
// the music engine playing the shipped items live, recorded sample for sample
// (bench/session-music.bench.ts); and the length of the QR-code links for every breathing pattern
// and built-in script, with the code's version (bench/share-link.bench.ts); a 150 MB take-home
// pack made, opened and installed into the real stores, and 500 damaged packs
// (bench/take-home.bench.ts).
// Live part: the built app in headless Chromium with its main thread stalled,
// against a naive setInterval pacer in the same page (scripts/bench-live.mjs); the app
// offline through its service worker (scripts/bench-offline.mjs); 200 MB of MP3s imported
// on the “Your music” page, and music at four loudness levels imported and measured after its
// gain (scripts/bench-import.mjs); the journal opened and searched with 2,000
// entries in it (scripts/bench-journal.mjs); the console's pre-session check with the full medicine session
// on the device (scripts/bench-readiness.mjs); a grounding script played through
// (scripts/bench-grounding.mjs).
// Cross-engine part: the core journeys in Chromium, Firefox ESR and WebKitGTK, one engine at a
// time, recorded at a PulseAudio sink (bench/engines.journeys.ts): figures prefixed `chromium_`,
// `firefox_` and `webkit_`.
// Expects a fresh build (npm run bench builds first).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { runGroundingBench } from './bench-grounding.mjs';
import { runImportBench, runLevellingBench } from './bench-import.mjs';
import { runJournalBench } from './bench-journal.mjs';
import { runLiveBench } from './bench-live.mjs';
import { runOfflineBench } from './bench-offline.mjs';
import { runReadinessBench } from './bench-readiness.mjs';

const port = 4174;
const baseURL = `http://localhost:${port}`;

function print(figures) {
	for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
}

const inBrowserResults = [
	'bench-results/offline.json',
	'bench-results/session-music.json',
	'bench-results/share-link.json',
	'bench-results/take-home.json'
];
for (const file of inBrowserResults) rmSync(file, { force: true });
const offline = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.bench.config.ts', '--reporter=dot'], {
	encoding: 'utf8'
});
if (offline.status !== 0) {
	// Only shown on failure: the render's console is otherwise noise (Tone's autoplay notices).
	console.error(offline.stdout, offline.stderr);
	console.error('The in-browser bench failed; run `npx vitest run --config vitest.bench.config.ts` to see why.');
	process.exit(1);
}
for (const file of inBrowserResults) print(JSON.parse(readFileSync(file, 'utf8')));

const engines = ['chromium', 'firefox', 'webkit'];
for (const engine of engines) rmSync(`bench-results/engines-${engine}.json`, { force: true });
const journeys = spawnSync('npx', ['playwright', 'test', '--config', 'playwright.bench.config.ts'], {
	encoding: 'utf8'
});
for (const engine of engines) {
	try {
		print(JSON.parse(readFileSync(`bench-results/engines-${engine}.json`, 'utf8')));
	} catch {
		console.log(`${engine}_journeys: failed (see below)`);
	}
}
if (journeys.status !== 0) console.error(journeys.stdout, journeys.stderr);

// Its own process group: `npx` starts vite as a child, and killing npx alone left vite serving.
const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort'], {
	stdio: 'ignore',
	detached: true
});
try {
	for (let i = 0; i < 60; i += 1) {
		try {
			if ((await fetch(baseURL)).ok) break;
		} catch {
			await sleep(500);
		}
	}
	print(await runLiveBench({ baseURL }));
	print(await runOfflineBench({ baseURL }));
	print(await runImportBench({ baseURL }));
	print(await runLevellingBench({ baseURL }));
	print(await runJournalBench({ baseURL }));
	print(await runReadinessBench({ baseURL }));
	// Ten real minutes: a grounding script played through, its chimes and ducking measured on the output.
	print(await runGroundingBench({ baseURL }));
} finally {
	try {
		process.kill(-server.pid, 'SIGTERM');
	} catch {
		// Already gone.
	}
}
