// `npm run bench`: prints Grounded's figures, one per line as `name: value`.
//
// Offline part: a 30-minute practice rendered in an OfflineAudioContext in
// Chromium through the real cue code (bench/offline-render.bench.ts).
// Live part: the built app in headless Chromium with its main thread stalled,
// against a naive setInterval pacer in the same page (scripts/bench-live.mjs).
// Expects a fresh build (npm run bench builds first).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { runLiveBench } from './bench-live.mjs';

const port = 4174;
const baseURL = `http://localhost:${port}`;

function print(figures) {
	for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
}

rmSync('bench-results/offline.json', { force: true });
const offline = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.bench.config.ts', '--reporter=dot'], {
	encoding: 'utf8'
});
if (offline.status !== 0) {
	// Only shown on failure: the render's console is otherwise noise (Tone's autoplay notices).
	console.error(offline.stdout, offline.stderr);
	console.error('The offline render failed; run `npx vitest run --config vitest.bench.config.ts` to see why.');
	process.exit(1);
}
print(JSON.parse(readFileSync('bench-results/offline.json', 'utf8')));

const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort'], { stdio: 'ignore' });
try {
	for (let i = 0; i < 60; i += 1) {
		try {
			if ((await fetch(baseURL)).ok) break;
		} catch {
			await sleep(500);
		}
	}
	print(await runLiveBench({ baseURL }));
} finally {
	server.kill();
}
