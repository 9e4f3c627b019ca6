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
// Chromium runs with a profile of its own in a temporary folder, so the files land on disk as they
// would for a person (a Playwright context without a profile keeps site storage in memory). The
// folder, with the generated files, is deleted afterwards.
//
// Needs the app served (`npm run preview`, or BASE_URL) from a fresh build.
//   node scripts/bench-import.mjs               prints `name: value` lines
//   import { runImportBench } from './bench-import.mjs'   returns the same figures
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright';
import { chromiumArgs, chromiumExecutable } from './browser.js';

const staticDir = fileURLToPath(new URL('../static/', import.meta.url));
const catalogFile = fileURLToPath(new URL('../src/lib/music/curated-tracks.json', import.meta.url));

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
			await page.addInitScript(recordImport);
			await page.goto(new URL('/library/', baseURL).href);
			const picker = page.getByLabel('Choose music files…');
			// The picker is disabled until the library has loaded what it holds.
			await page.waitForFunction(() => {
				const input = document.querySelector('input[type="file"]');
				return input instanceof HTMLInputElement && !input.disabled;
			});
			await picker.setInputFiles(files.map((file) => file.path));
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
			const refused = await page
				.getByRole('list', { name: 'Files not imported' })
				.getByRole('listitem')
				.allInnerTexts();
			const expected = `Imported ${files.length} tracks.`;
			if (reading.summary !== expected || refused.length > 0) {
				throw new Error(
					`Not every file was imported: the page says “${reading.summary}” (expected “${expected}”)` +
						(refused.length > 0 ? `, and refused: ${refused.join(' ')}` : '.')
				);
			}
			const seconds = (reading.doneAt - reading.startAt) / 1000;
			if (!(seconds > 0)) throw new Error('The import was not timed: its start or end was not seen in the page.');
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
	const figures = await runImportBench({ baseURL });
	for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
}
