#!/usr/bin/env node
// @ts-check
// Checks the curated music against MUSIC-NOTES.md by measuring it: per track the duration,
// integrated loudness, true peak, an onset count (sudden level rises > 6 dB within 50 ms:
// should be ~0 for beat-less music), the mean spectral centroid (brightness), and across
// tracks the loudness spread (goal ≤ 1 LU). It re-renders the PCM (deterministic, the same
// samples make-music.mjs encodes) and checks the catalog's files, sizes and hashes.
//
//   node scripts/music/analyse.mjs                      # all tracks
//   node scripts/music/analyse.mjs --png /tmp/music     # also spectrogram + loudness PNGs
//   node scripts/music/analyse.mjs --only grounding-quiet-rain,onset-opening-sky
//   node scripts/music/analyse.mjs --mp3                # also decode the MP3s (needs mpg123
//                                                       # or ffmpeg on PATH) and measure them
//   node scripts/music/analyse.mjs --layers bowls,bed   # render only some layers
//   node scripts/music/analyse.mjs --png /tmp/m --window 60:90   # picture of 60–90 s only

import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SR } from './dsp.js';
import { integratedLoudness, toDb, truePeak } from './loudness.js';
import { runInWorkers } from './pool.js';
import { TRACKS } from './tracks.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const catalogFile = `${root}src/lib/music/curated-tracks.json`;

/** @param {string} name */
function option(name) {
	const i = process.argv.indexOf(name);
	return i > 0 ? (process.argv[i + 1] ?? '') : null;
}
const pngDir = option('--png');
const only = option('--only')?.split(',') ?? null;
const layers = option('--layers')?.split(',') ?? null;
const decode = process.argv.includes('--mp3');
const windowArg = option('--window')?.split(':').map(Number) ?? null;
const window = windowArg ? { from: windowArg[0] ?? 0, to: windowArg[1] ?? 0 } : null;

const specs = TRACKS.filter((t) => !only || only.includes(t.id));
if (specs.length === 0) throw new Error('no track matches --only');

/** @type {{ tracks: { id: string; file: string; bytes: number; sha256: string; loudnessLufs: number; truePeakDbtp: number }[] } | null} */
let catalog = null;
try {
	catalog = JSON.parse(await readFile(catalogFile, 'utf8'));
} catch {
	console.log('no catalog yet: run node scripts/music/make-music.mjs first; analysing the renders only');
}

const started = performance.now();
/** @type {import('./worker.js').AnalyseResult[]} */
const results = await runInWorkers(
	specs.map((spec) => ({
		kind: 'analyse',
		spec,
		picture: pngDir !== null,
		...(layers ? { only: layers } : {}),
		...(window ? { window } : {})
	}))
);
if (pngDir) await mkdir(pngDir, { recursive: true });

/** @type {string[]} */
const problems = [];
console.log('track                          dur    LUFS   dBTP  onsets  centroid  catalog');
for (const r of results) {
	const spec = /** @type {import('./compose.js').TrackSpec} */ (TRACKS.find((t) => t.id === r.id));
	let check = '-';
	const entry = catalog?.tracks.find((t) => t.id === r.id);
	if (catalog && !layers) {
		if (!entry) check = 'missing';
		else {
			try {
				const bytes = await readFile(`${root}static${entry.file}`);
				const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
				const ok =
					bytes.length === entry.bytes &&
					hash === entry.sha256 &&
					entry.file.includes(`.${hash}.mp3`) &&
					Math.abs(entry.loudnessLufs - r.loudnessLufs) < 0.01 &&
					Math.abs(entry.truePeakDbtp - r.truePeakDbtp) < 0.01;
				check = ok ? 'ok' : 'STALE (rerun make-music.mjs)';
			} catch {
				check = 'file missing';
			}
		}
		if (check !== 'ok') problems.push(`${r.id}: catalog ${check}`);
	}
	console.log(
		`${r.id.slice(0, 30).padEnd(30)} ${r.seconds.toFixed(0).padStart(4)}s ${r.loudnessLufs.toFixed(2).padStart(6)} ${r.truePeakDbtp
			.toFixed(2)
			.padStart(6)} ${String(r.onsetTimes.length).padStart(7)} ${r.centroidHz.toFixed(0).padStart(7)} Hz  ${check}`
	);
	if (r.onsetTimes.length > 0) console.log(`    onsets at ${r.onsetTimes.map((t) => t.toFixed(1)).join(', ')} s`);
	if (r.png && pngDir) {
		const file = `${pngDir}/${r.id}${layers ? `.${layers.join('+')}` : ''}${window ? `.${window.from}-${window.to}s` : ''}.png`;
		await writeFile(file, r.png);
		console.log(`    picture: ${file}`);
	}
	if (layers) continue;
	if (r.seconds < 180) problems.push(`${r.id}: shorter than 180 s`);
	if (r.truePeakDbtp > -1) problems.push(`${r.id}: true peak above −1 dBTP`);
	const allowed = spec.phase === 'grounding' ? 6 : 0;
	if (r.onsetTimes.length > allowed) problems.push(`${r.id}: ${r.onsetTimes.length} onsets`);
}
const louds = results.map((r) => r.loudnessLufs);
const spread = Math.max(...louds) - Math.min(...louds);
console.log(`loudness spread ${spread.toFixed(2)} LU (goal ≤ 1)`);
if (spread > 1 && !layers) problems.push('loudness spread over 1 LU');
if (catalog && !only && !layers) {
	const total = catalog.tracks.reduce((sum, t) => sum + t.bytes, 0);
	console.log(`catalog: ${catalog.tracks.length} tracks, ${(total / 1e6).toFixed(2)} MB of MP3 (limit 25 MB)`);
	if (total > 25_000_000) problems.push('catalog over 25 MB');
}

if (decode && catalog) {
	console.log('\ndecoded MP3s:');
	const tmp = `${tmpdir()}/grounded-analyse-${process.pid}.wav`;
	for (const entry of catalog.tracks.filter((t) => !only || only.includes(t.id))) {
		const file = `${root}static${entry.file}`;
		let run = spawnSync('mpg123', ['-q', '-w', tmp, file]);
		if (run.error) run = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', file, '-c:a', 'pcm_s16le', tmp]);
		if (run.error || run.status !== 0) {
			console.log('  (no mpg123 or ffmpeg on PATH: skipped)');
			break;
		}
		const wav = await readFile(tmp);
		const { rate, channels } = readWav(wav);
		const lufs = integratedLoudness(channels, rate);
		const tp = toDb(truePeak(channels));
		const seconds = (channels[0]?.length ?? 0) / rate;
		console.log(
			`  ${entry.id.slice(0, 30).padEnd(30)} ${rate} Hz ${seconds.toFixed(1)} s ${lufs.toFixed(2)} LUFS ${tp.toFixed(2)} dBTP`
		);
		if (rate !== SR) problems.push(`${entry.id}: MP3 decodes at ${rate} Hz`);
		if (Math.abs(lufs - entry.loudnessLufs) > 0.5) problems.push(`${entry.id}: MP3 loudness ${lufs.toFixed(2)} LUFS`);
		if (tp > -1) problems.push(`${entry.id}: MP3 true peak ${tp.toFixed(2)} dBTP`);
	}
	await rm(tmp, { force: true });
}

console.log(`analysed ${results.length} tracks in ${((performance.now() - started) / 1000).toFixed(0)} s`);
for (const p of problems) console.error(`problem: ${p}`);
if (problems.length > 0) process.exitCode = 1;

/**
 * A 16-bit PCM WAV file's sample rate and channels as floats.
 * @param {Buffer} wav
 */
function readWav(wav) {
	let at = 12;
	let rate = 0;
	let count = 0;
	while (at + 8 <= wav.length) {
		const id = wav.toString('ascii', at, at + 4);
		const size = wav.readUInt32LE(at + 4);
		if (id === 'fmt ') {
			count = wav.readUInt16LE(at + 10);
			rate = wav.readUInt32LE(at + 12);
		}
		if (id === 'data') {
			const body = at + 8;
			// mpg123 writing to a file it cannot seek back in may leave the size unset.
			const bytes = size === 0 || size > wav.length - body ? wav.length - body : size;
			const frames = Math.floor(bytes / (2 * count));
			const channels = Array.from({ length: count }, () => new Float32Array(frames));
			for (let i = 0; i < frames; i++) {
				for (let c = 0; c < count; c++) {
					/** @type {Float32Array} */ (channels[c])[i] = wav.readInt16LE(body + 2 * (i * count + c)) / 32768;
				}
			}
			return { rate, channels };
		}
		at += 8 + size + (size & 1);
	}
	throw new Error('not a WAV file');
}
