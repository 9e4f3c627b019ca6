#!/usr/bin/env node
// @ts-check
// Composes, renders and encodes Grounded's curated session music, then writes the MP3s to
// static/audio/curated/ (content-hashed file names) and the catalog to
// src/lib/music/curated-tracks.json. Deterministic: rerunning gives identical files.
//
//   node scripts/music/make-music.mjs            # all tracks, one worker per core (max 2)
//   node scripts/music/make-music.mjs --jobs 1   # single worker

import { mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runInWorkers } from './pool.js';
import { LOUDNESS_TARGET, TRUE_PEAK_LIMIT } from './render.js';
import { TRACKS } from './tracks.js';

const KBPS = 80;
const MAX_TOTAL_BYTES = 25_000_000;
const MIN_SECONDS = 180;
const root = fileURLToPath(new URL('../../', import.meta.url));
const audioDir = `${root}static/audio/curated/`;
const catalogFile = `${root}src/lib/music/curated-tracks.json`;

const jobsArg = process.argv.indexOf('--jobs');
const limit = jobsArg > 0 ? Number(process.argv[jobsArg + 1]) || 2 : 2;

const started = performance.now();
console.log(`rendering ${TRACKS.length} tracks at 44.1 kHz stereo, MP3 ${KBPS} kbps CBR …`);
/** @type {import('./worker.js').MakeResult[]} */
const results = await runInWorkers(
	TRACKS.map((spec) => ({ kind: 'make', spec, kbps: KBPS })),
	{
		limit,
		onResult: (/** @type {import('./worker.js').MakeResult} */ r) =>
			console.log(
				`  ${r.id}: render ${r.renderSeconds.toFixed(1)} s, encode ${r.encodeSeconds.toFixed(1)} s` +
					(r.peakLimited ? ' (gain reduced to respect the true-peak limit)' : '')
			)
	}
);

await mkdir(audioDir, { recursive: true });
await mkdir(new URL('../../src/lib/music/', import.meta.url), { recursive: true });

/** @param {string} path */
async function sameBytes(path, /** @type {Uint8Array} */ bytes) {
	try {
		const info = await stat(path);
		if (info.size !== bytes.length) return false;
		return Buffer.compare(await readFile(path), bytes) === 0;
	} catch {
		return false;
	}
}

const tracks = [];
for (const [i, r] of results.entries()) {
	const spec = TRACKS[i];
	if (!spec) throw new Error('result without a track');
	const hash = r.sha256.slice(0, 16);
	const name = `${spec.id}.${hash}.mp3`;
	const bytes = Buffer.from(r.mp3.buffer, r.mp3.byteOffset, r.mp3.byteLength);
	if (!(await sameBytes(`${audioDir}${name}`, bytes))) await writeFile(`${audioDir}${name}`, bytes);
	tracks.push({
		id: spec.id,
		title: spec.title,
		mood: spec.mood,
		phase: spec.phase,
		durationSeconds: spec.seconds,
		// The track's own swell and closing fade, measured (worker.js mixPoints); crossfades stand in for them.
		fadeInSeconds: r.mix.opening,
		fadeOutSeconds: r.mix.closing,
		licence: 'CC0-1.0',
		loudnessLufs: Math.round(r.loudnessLufs * 100) / 100,
		truePeakDbtp: Math.round(r.truePeakDbtp * 100) / 100,
		file: `/audio/curated/${name}`,
		bytes: bytes.length,
		sha256: hash
	});
}

// Remove MP3s whose hash is no longer in the catalog.
const keep = new Set(tracks.map((t) => t.file.slice('/audio/curated/'.length)));
for (const file of await readdir(audioDir)) {
	if (file.endsWith('.mp3') && !keep.has(file)) {
		await unlink(`${audioDir}${file}`);
		console.log(`  removed stale ${file}`);
	}
}

const catalog = {
	version: 1,
	generatedBy: 'scripts/music/make-music.mjs',
	loudnessTarget: LOUDNESS_TARGET,
	tracks
};
await writeFile(catalogFile, `${JSON.stringify(catalog, null, '\t')}\n`);

// Report and checks.
const total = tracks.reduce((sum, t) => sum + t.bytes, 0);
const louds = tracks.map((t) => t.loudnessLufs);
const spread = Math.max(...louds) - Math.min(...louds);
console.log('');
console.log('title                          phase      dur    LUFS   dBTP   MB');
for (const t of tracks) {
	console.log(
		`${t.title.padEnd(30)} ${t.phase.padEnd(10)} ${String(t.durationSeconds).padStart(4)}s ${t.loudnessLufs
			.toFixed(2)
			.padStart(6)} ${t.truePeakDbtp.toFixed(2).padStart(6)} ${(t.bytes / 1e6).toFixed(2).padStart(5)}`
	);
}
console.log(
	`total ${(total / 1e6).toFixed(2)} MB in ${tracks.length} tracks; loudness spread ${spread.toFixed(2)} LU; ` +
		`${((performance.now() - started) / 1000).toFixed(0)} s`
);
console.log(`wrote ${tracks.length} files to static/audio/curated/ and src/lib/music/curated-tracks.json`);

/** @type {string[]} */
const problems = [];
if (total > MAX_TOTAL_BYTES) problems.push(`total size ${total} B is over ${MAX_TOTAL_BYTES} B`);
if (spread > 1) problems.push(`loudness spread ${spread.toFixed(2)} LU is over 1 LU`);
for (const t of tracks) {
	if (t.durationSeconds < MIN_SECONDS) problems.push(`${t.id} is shorter than ${MIN_SECONDS} s`);
	if (t.truePeakDbtp > TRUE_PEAK_LIMIT) problems.push(`${t.id} true peak ${t.truePeakDbtp} dBTP`);
	if (Math.abs(t.loudnessLufs - LOUDNESS_TARGET) > 0.5) problems.push(`${t.id} loudness ${t.loudnessLufs} LUFS`);
}
if (problems.length > 0) {
	for (const p of problems) console.error(`problem: ${p}`);
	process.exitCode = 1;
}
