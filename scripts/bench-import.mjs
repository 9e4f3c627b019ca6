// The import bench: how fast the built app brings the therapist's own music in, in headless Chromium.
//
// `import_mb_per_s`: about 200 MB of real MP3 files are chosen at once on the “Your music” page's
// file picker (Playwright's setInputFiles with paths, as a person choosing a folder's files would),
// and timed on the page's own clock from the picker's `change` event to the moment the finished
// summary (“Imported 50 tracks.”) appears. Every file is read, hashed, decoded, measured for
// loudness and written to the origin private file system, one after another, as the app does it.
// MB are 10^6 bytes of the chosen files. The import must take every file (the summary's count and
// no refusals), or the bench fails rather than report a figure for less work.
//
// The files: each is one to four of the shipped MP3s (static/audio/curated, 80 kbps, 44.1 kHz,
// plain MPEG frames without a Xing header, so joined streams decode as one) played one after
// another, 2 to 8 MB and 3 to 14 minutes long, behind an ID3v2.3 tag with a title of its own. The
// tag makes every file's bytes, and so its content id, distinct, and is what the app reads the
// title from. MP3 is what most libraries hold; at this low bit rate a megabyte is more minutes
// of audio to decode than at 256 kbps, so the figure errs on the slow side.
//
// `import_loudness_spread_lu` and `import_true_peak_max_dbtp` (runLevellingBench): how evenly the
// import levels music of very different loudness. One 30-second piece of music-like sound (chords
// of detuned harmonic voices with a soft attack and long decay, a kick on the beat, high-passed
// noise hats on the off-beat and a bed of pink noise: 48 kHz stereo, about 16 dB from true peak to
// loudness, as acoustic and ambient music has) is made at −30, −23, −14 and −7 LUFS. The two loud
// ones are soft-clipped just under full scale, as loud masters are, the level found by bisection
// so that it is the loudness after clipping. Each is a 192 kbps MP3 with its own ID3 title, and
// all four are chosen at once on “Your music”. Then, apart from the app's own figures, each kept
// file is decoded again in the page at 48 kHz, multiplied by the gain the app stored, and measured
// by this script's meter (scripts/music/loudness.js: BS.1770-4 loudness as the app's, but a
// windowed-sinc 4× true peak rather than the app's Annex 2 filter). The spread is the largest
// difference of loudness after gain among the four (goal ≤ 1 LU); the true peak is the highest
// after gain (goal ≤ −1 dBTP). −30 LUFS wants +7 dB, and its peaks (near −14 dBTP) allow it.
//
// Chromium runs with a profile of its own in a temporary folder, so the files land on disk as they
// would for a person (a Playwright context without a profile keeps site storage in memory). The
// folder, with the generated files, is deleted afterwards.
//
// Needs the app served (`npm run preview`, or BASE_URL) from a fresh build.
//   node scripts/bench-import.mjs               prints `name: value` lines
//   import { runImportBench, runLevellingBench } from './bench-import.mjs'   return the same figures
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright';
import { mulberry32 } from './bench-util.mjs';
import { chromiumArgs, chromiumExecutable } from './browser.js';
import { encodeMp3, loadEncoder } from './music/encode.js';
import { integratedLoudness } from './music/loudness.js';

const staticDir = fileURLToPath(new URL('../static/', import.meta.url));
const catalogFile = fileURLToPath(new URL('../src/lib/music/curated-tracks.json', import.meta.url));
const meterFile = fileURLToPath(new URL('./music/loudness.js', import.meta.url));

/** Files are made until their sizes add up to this. */
const TARGET_BYTES = 200_000_000;
/** How many shipped tracks each file joins, in turn: a mix of 2 to 8 MB. */
const TRACKS_PER_FILE = [1, 2, 3, 1, 2, 4, 1, 3, 2, 1];
const IMPORT_TIMEOUT_MS = 20 * 60_000;

/**
 * @typedef {object} ImportFigures
 * @property {number} import_mb_per_s
 * @property {number} import_mb
 * @property {number} import_files
 */

/**
 * @param {{ baseURL: string }} options
 * @returns {Promise<ImportFigures>}
 */
export async function runImportBench({ baseURL }) {
	const dir = mkdtempSync(join(tmpdir(), 'grounded-bench-import-'));
	try {
		const files = makeFiles(join(dir, 'music'));
		const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
			executablePath: chromiumExecutable(),
			args: chromiumArgs
		});
		try {
			const page = context.pages()[0] ?? (await context.newPage());
			const seconds = await importOnPage(
				page,
				baseURL,
				files.map((file) => file.path)
			);
			const mb = files.reduce((sum, file) => sum + file.bytes, 0) / 1_000_000;
			return {
				import_mb_per_s: Math.round((mb / seconds) * 100) / 100,
				import_mb: Math.round(mb * 10) / 10,
				import_files: files.length
			};
		} finally {
			await context.close();
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** The loudness levels the levelling bench makes its music at (LUFS). */
const LEVELS_LUFS = [-30, -23, -14, -7];
const MUSIC_RATE = 48_000;
const MUSIC_SECONDS = 30;
/** The soft clip's ceiling for the loud versions: −0.5 dBFS, where loud masters put their peaks. */
const CLIP_CEILING = 10 ** (-0.5 / 20);

/**
 * @typedef {object} LevellingFigures
 * @property {number} import_loudness_spread_lu
 * @property {number} import_true_peak_max_dbtp
 */

/**
 * @param {{ baseURL: string }} options
 * @returns {Promise<LevellingFigures>}
 */
export async function runLevellingBench({ baseURL }) {
	const dir = mkdtempSync(join(tmpdir(), 'grounded-bench-levelling-'));
	try {
		const files = await makeLevelledFiles(join(dir, 'music'));
		const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
			executablePath: chromiumExecutable(),
			args: chromiumArgs
		});
		try {
			const page = context.pages()[0] ?? (await context.newPage());
			await importOnPage(page, baseURL, files);
			// The meter, as a script of its own (its `export`s dropped), run in the page by the debugger
			// protocol, which the page's content security policy does not govern.
			const meter = readFileSync(meterFile, 'utf8').replace(/^export /gm, '');
			await page.evaluate(`(() => { ${meter}\nwindow.__benchMeter = { integratedLoudness, truePeak, toDb }; })()`);
			const tracks = await page.evaluate(measureKeptTracks, MUSIC_RATE);
			if (tracks.length !== files.length || tracks.some((track) => !track.levelled)) {
				throw new Error(`Expected ${files.length} levelled tracks, found: ${JSON.stringify(tracks)}`);
			}
			const loudness = tracks.map((track) => track.lufsAfterGain);
			const peaks = tracks.map((track) => track.truePeakAfterGain);
			return {
				import_loudness_spread_lu: Math.round((Math.max(...loudness) - Math.min(...loudness)) * 100) / 100,
				import_true_peak_max_dbtp: Math.round(Math.max(...peaks) * 100) / 100
			};
		} finally {
			await context.close();
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * @typedef {object} TrackAfterGain
 * @property {string} title
 * @property {number} gainDb
 * @property {boolean} levelled
 * @property {number} lufsAfterGain
 * @property {number} truePeakAfterGain
 */

/**
 * In the page: every imported track's kept file (the origin private file system, or IndexedDB
 * where the app put it there) decoded at `rate`, multiplied by its stored gain and measured by
 * the bench's meter (`window.__benchMeter`).
 * @param {number} rate
 * @returns {Promise<TrackAfterGain[]>}
 */
async function measureKeptTracks(rate) {
	/** @type {{ integratedLoudness(c: Float32Array[], fs: number): number; truePeak(c: Float32Array[]): number; toDb(x: number): number }} */
	const meter = /** @type {any} */ (window).__benchMeter;
	/** @type {IDBDatabase} */
	const db = await new Promise((resolve, reject) => {
		const open = indexedDB.open('grounded');
		open.onsuccess = () => resolve(open.result);
		open.onerror = () => reject(open.error);
	});
	/** @param {IDBRequest} request @returns {Promise<any>} */
	const done = (request) =>
		new Promise((resolve, reject) => {
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
	const range = IDBKeyRange.bound('imported-track:', 'imported-track:\uffff');
	/** @type {{ id: string; title: string; gainDb: number; levelling?: number }[]} */
	const records = await done(db.transaction('keyval').objectStore('keyval').getAll(range));
	const root = await navigator.storage.getDirectory();
	/** @type {TrackAfterGain[]} */
	const measured = [];
	for (const record of records) {
		/** @type {Blob} */
		let file;
		try {
			file = await (await (await root.getDirectoryHandle('tracks')).getFileHandle(record.id)).getFile();
		} catch {
			file = await done(db.transaction('keyval').objectStore('keyval').get(`imported-track-file:${record.id}`));
		}
		const decoded = await new OfflineAudioContext(1, 1, rate).decodeAudioData(await file.arrayBuffer());
		const gain = 10 ** (record.gainDb / 20);
		const channels = Array.from({ length: decoded.numberOfChannels }, (_, c) =>
			decoded.getChannelData(c).map((v) => v * gain)
		);
		measured.push({
			title: record.title,
			gainDb: record.gainDb,
			levelled: typeof record.levelling === 'number',
			lufsAfterGain: meter.integratedLoudness(channels, rate),
			truePeakAfterGain: meter.toDb(meter.truePeak(channels))
		});
	}
	db.close();
	return measured;
}

/**
 * Writes the levelling bench's four MP3s into `dir`, one for each of LEVELS_LUFS.
 * @param {string} dir
 * @returns {Promise<string[]>} their paths
 */
async function makeLevelledFiles(dir) {
	mkdirSync(dir, { recursive: true });
	const Mp3Encoder = await loadEncoder();
	const music = musicLike(MUSIC_SECONDS);
	const paths = [];
	for (const lufs of LEVELS_LUFS) {
		const [left, right] = atLoudness(music, lufs);
		/** @param {Float32Array} x */
		const pcm = (x) => Int16Array.from(x, (v) => Math.round(Math.max(-1, Math.min(1, v)) * 32_767));
		const mp3 = encodeMp3(Mp3Encoder, pcm(left ?? new Float32Array(0)), pcm(right ?? new Float32Array(0)), {
			sampleRate: MUSIC_RATE,
			kbps: 192
		});
		const title = `Music at ${lufs} LUFS`;
		const path = join(dir, `${title}.mp3`);
		writeFileSync(path, Buffer.concat([id3Tag(title, 'Grounded bench'), mp3]));
		paths.push(path);
	}
	return paths;
}

/**
 * The music at `lufs` (the bench's own meter): scaled when its peaks stay under full scale, else
 * soft-clipped at CLIP_CEILING with the gain before the clip found by bisection.
 * @param {Float32Array[]} music
 * @param {number} lufs
 * @returns {Float32Array[]}
 */
function atLoudness(music, lufs) {
	const scaled = (/** @type {number} */ gainDb) => {
		const gain = 10 ** (gainDb / 20);
		return music.map((x) => x.map((v) => v * gain));
	};
	/** @param {number} gainDb */
	const clipped = (gainDb) => {
		const gain = 10 ** (gainDb / 20);
		return music.map((x) => x.map((v) => CLIP_CEILING * Math.tanh((v * gain) / CLIP_CEILING)));
	};
	const plain = scaled(lufs - integratedLoudness(music, MUSIC_RATE));
	if (plain.every((x) => x.every((v) => Math.abs(v) < CLIP_CEILING))) return plain;
	// A clip makes the music quieter than its gain says; it is monotonic, so bisection finds the gain.
	let low = lufs - integratedLoudness(music, MUSIC_RATE);
	let high = low + 30;
	for (let i = 0; i < 30; i += 1) {
		const mid = (low + high) / 2;
		if (integratedLoudness(clipped(mid), MUSIC_RATE) < lufs) low = mid;
		else high = mid;
	}
	return clipped((low + high) / 2);
}

/** One period of a voice's wave: eight harmonics falling as 1/h^1.3, like a bowed or blown note. */
const VOICE_TABLE = Float32Array.from({ length: 4096 }, (_, i) => {
	let v = 0;
	for (let h = 1; h <= 8; h += 1) v += Math.sin((2 * Math.PI * h * i) / 4096 + h * 1.7) / h ** 1.3;
	return v;
});

/**
 * `seconds` of music-like stereo sound at MUSIC_RATE, about −17 LUFS and 16 dB from true peak to
 * loudness: four-note chords every 2.5 s (each note two voices 8 cents apart, one each side), a
 * kick on every half second, a noise hat between, and a pink-noise bed. Seeded: the same every run.
 * @param {number} seconds
 * @returns {Float32Array[]}
 */
function musicLike(seconds) {
	const random = mulberry32(23);
	const n = seconds * MUSIC_RATE;
	const left = new Float32Array(n);
	const right = new Float32Array(n);
	const chords = [
		[110, 164.81, 220, 277.18],
		[98, 146.83, 196, 246.94],
		[87.31, 130.81, 174.61, 220],
		[82.41, 123.47, 164.81, 207.65]
	];
	const chordSeconds = 2.5;
	for (let c = 0; c * chordSeconds < seconds; c += 1) {
		const chord = chords[c % chords.length] ?? [];
		const start = Math.round(c * chordSeconds * MUSIC_RATE);
		// Each chord rings on a second and a half under the next, fading.
		const end = Math.min(n, start + Math.round((chordSeconds + 1.5) * MUSIC_RATE));
		for (const f0 of chord) {
			for (const [out, cents] of /** @type {const} */ ([
				[left, -4],
				[right, 4]
			])) {
				const step = (f0 * 2 ** (cents / 1200)) / MUSIC_RATE;
				let phase = random();
				for (let i = start; i < end; i += 1) {
					const t = (i - start) / MUSIC_RATE;
					const envelope =
						Math.min(1, t / 0.04) * (0.35 + 0.65 * Math.exp(-t / 0.9)) * Math.min(1, (end - i) / (0.5 * MUSIC_RATE));
					out[i] = (out[i] ?? 0) + 0.05 * envelope * (VOICE_TABLE[Math.floor(phase * 4096)] ?? 0);
					phase += step;
					if (phase >= 1) phase -= 1;
				}
			}
		}
	}
	const beat = 0.5;
	let previous = 0;
	for (let b = 0; b * beat < seconds; b += 1) {
		// The kick: a sine falling from 120 to 50 Hz, dying away in some 100 ms.
		const kick = Math.round(b * beat * MUSIC_RATE);
		for (let i = kick; i < Math.min(n, kick + 0.25 * MUSIC_RATE); i += 1) {
			const t = (i - kick) / MUSIC_RATE;
			const v = 0.75 * Math.exp(-t / 0.05) * Math.sin(2 * Math.PI * (50 * t + 2.1 * (1 - Math.exp(-t / 0.03))));
			left[i] = (left[i] ?? 0) + v;
			right[i] = (right[i] ?? 0) + v;
		}
		// The hat: white noise with its lows taken out (a first difference), gone in some 30 ms.
		const hat = Math.round((b + 0.5) * beat * MUSIC_RATE);
		for (let i = hat; i < Math.min(n, hat + 0.06 * MUSIC_RATE); i += 1) {
			const t = (i - hat) / MUSIC_RATE;
			const white = random() * 2 - 1;
			const v = 0.06 * Math.exp(-t / 0.015) * (white - previous);
			previous = white;
			left[i] = (left[i] ?? 0) + v;
			right[i] = (right[i] ?? 0) + 0.8 * v;
		}
	}
	// The bed: pink noise by Paul Kellet's economy filter, quiet, as a room's reverberation.
	let b0 = 0;
	let b1 = 0;
	let b2 = 0;
	for (let i = 0; i < n; i += 1) {
		const white = random() * 2 - 1;
		b0 = 0.99765 * b0 + white * 0.099046;
		b1 = 0.963 * b1 + white * 0.2965164;
		b2 = 0.57 * b2 + white * 1.0526913;
		const pink = (b0 + b1 + b2 + white * 0.1848) * 0.01;
		left[i] = (left[i] ?? 0) + pink;
		right[i] = (right[i] ?? 0) + 0.9 * pink;
	}
	return [left, right];
}

/**
 * Chooses the files on the “Your music” page's picker at once and waits for the import's summary.
 * Throws unless every file was imported (the summary's count and no refusals), rather than let a
 * figure stand for less work.
 * @param {import('playwright').Page} page
 * @param {string} baseURL
 * @param {string[]} paths
 * @returns {Promise<number>} seconds from the picker's `change` to the summary, on the page's clock
 */
async function importOnPage(page, baseURL, paths) {
	await page.addInitScript(recordImport);
	await page.goto(new URL('/library/', baseURL).href);
	const picker = page.getByLabel('Choose music files…');
	// The picker is disabled until the library has loaded what it holds.
	await page.waitForFunction(() => {
		const input = document.querySelector('input[type="file"]');
		return input instanceof HTMLInputElement && !input.disabled;
	});
	await picker.setInputFiles(paths);
	await page.waitForFunction(
		() => /** @type {BenchWindow} */ (/** @type {unknown} */ (window)).__importDoneAt !== undefined,
		null,
		{ timeout: IMPORT_TIMEOUT_MS, polling: 1_000 }
	);
	const reading = await page.evaluate(() => {
		const win = /** @type {BenchWindow} */ (/** @type {unknown} */ (window));
		return {
			startAt: win.__importStartAt ?? NaN,
			doneAt: win.__importDoneAt ?? NaN,
			summary: win.__importSummary ?? ''
		};
	});
	const refused = await page.getByRole('list', { name: 'Files not imported' }).getByRole('listitem').allInnerTexts();
	const expected = `Imported ${paths.length} tracks.`;
	if (reading.summary !== expected || refused.length > 0) {
		throw new Error(
			`Not every file was imported: the page says “${reading.summary}” (expected “${expected}”)` +
				(refused.length > 0 ? `, and refused: ${refused.join(' ')}` : '.')
		);
	}
	const seconds = (reading.doneAt - reading.startAt) / 1000;
	if (!(seconds > 0)) throw new Error('The import was not timed: its start or end was not seen in the page.');
	return seconds;
}

/**
 * Writes the bench's MP3 files into `dir` until they add up to TARGET_BYTES.
 * @param {string} dir
 * @returns {{ path: string, bytes: number }[]}
 */
function makeFiles(dir) {
	const catalog = /** @type {{ tracks: { file: string }[] }} */ (JSON.parse(readFileSync(catalogFile, 'utf8')));
	const shipped = catalog.tracks.map((track) => readFileSync(join(staticDir, track.file)));
	if (shipped.length === 0) throw new Error('No shipped tracks were found to make the files from.');
	mkdirSync(dir, { recursive: true });
	/** @type {{ path: string, bytes: number }[]} */
	const files = [];
	let total = 0;
	for (let n = 0; total < TARGET_BYTES; n += 1) {
		const count = TRACKS_PER_FILE[n % TRACKS_PER_FILE.length] ?? 1;
		const parts = Array.from({ length: count }, (_, k) => shipped[(n * 3 + k) % shipped.length] ?? Buffer.alloc(0));
		const number = String(n + 1).padStart(2, '0');
		const bytes = Buffer.concat([id3Tag(`Bench track ${number}`, 'Grounded bench'), ...parts]);
		const path = join(dir, `${number} Bench track ${number}.mp3`);
		writeFileSync(path, bytes);
		files.push({ path, bytes: bytes.length });
		total += bytes.length;
	}
	return files;
}

/**
 * An ID3v2.3 tag with a Latin-1 title and artist and some padding, as taggers write them.
 * @param {string} title ASCII
 * @param {string} artist ASCII
 */
function id3Tag(title, artist) {
	/** @param {string} id @param {string} text */
	const textFrame = (id, text) => {
		// Encoding byte 0 (Latin-1), then the text; v2.3 frame sizes are plain 32-bit big-endian.
		const content = Buffer.concat([Buffer.from([0]), Buffer.from(text, 'latin1')]);
		const header = Buffer.alloc(10);
		header.write(id, 0, 'latin1');
		header.writeUInt32BE(content.length, 4);
		return Buffer.concat([header, content]);
	};
	const body = Buffer.concat([textFrame('TIT2', title), textFrame('TPE1', artist), Buffer.alloc(256)]);
	// The tag's size (after its 10-byte header) as a syncsafe integer: seven bits a byte.
	const size = body.length;
	const header = Buffer.from([
		0x49,
		0x44,
		0x33,
		3,
		0,
		0,
		(size >> 21) & 0x7f,
		(size >> 14) & 0x7f,
		(size >> 7) & 0x7f,
		size & 0x7f
	]);
	return Buffer.concat([header, body]);
}

/** @typedef {Window & { __importStartAt?: number, __importDoneAt?: number, __importSummary?: string }} BenchWindow */

/** Init script: notes (on the page's own clock) when files are chosen, and when the import's summary appears. */
function recordImport() {
	const win = /** @type {BenchWindow} */ (/** @type {unknown} */ (window));
	const finished = /^(Imported \d+ tracks?\.|No tracks were imported\.|Import cancelled)/;
	document.addEventListener(
		'change',
		(event) => {
			if (event.target instanceof HTMLInputElement && event.target.type === 'file')
				win.__importStartAt = performance.now();
		},
		true
	);
	const check = () => {
		if (win.__importStartAt === undefined || win.__importDoneAt !== undefined) return;
		for (const paragraph of document.querySelectorAll('[role="status"] p')) {
			const text = paragraph.textContent?.trim() ?? '';
			if (!finished.test(text)) continue;
			win.__importDoneAt = performance.now();
			win.__importSummary = text;
			observer.disconnect();
			return;
		}
	};
	const observer = new MutationObserver(check);
	observer.observe(document, { childList: true, subtree: true, characterData: true });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const baseURL = process.env.BASE_URL ?? 'http://localhost:4173';
	const figures = { ...(await runImportBench({ baseURL })), ...(await runLevellingBench({ baseURL })) };
	for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
}
