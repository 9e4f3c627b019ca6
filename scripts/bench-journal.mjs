// The journal bench: how fast the journal opens and searches when it holds 2,000 entries, in the
// built app in headless Chromium.
//
// The app is opened once (so its service worker and database exist), then 2,000 entries are
// written straight into its IndexedDB store ('grounded'/'keyval') as JournalStore keeps them: about
// 600 characters of words each, dates spread over 120 days (15 of them days of the plan), about a
// third answering a prompt, and 50 with a voice note of about 100 kB under `journal-voice:`. Beside
// them lies 20 MB of imported audio (a Blob under `imported-track-file:`), which the journal must not read.
// The browser's context is new and is thrown away at the end, so nothing seeded stays.
//
// 1. `journal_list_ms_2000`: /integration/journal/ opened as a returning person opens it (a new
//    navigation from the home page, service worker and caches warm). Time from the navigation's
//    start (performance.now() = 0) to the end of the first frame in which the entries' list
//    (data-testid="journal-entries") holds entries: an init script notes the first <li>, waits for
//    the next animation frame, and reads the clock in a task posted from it, which runs after that
//    frame's style, layout and paint. Median of five loads, after one load that is not counted.
//    `journal_list_entries_shown`: how many entries that first frame holds (a page of them, not 2,000).
// 2. `journal_search_ms_2000`: on the opened journal, a two-word query is put in "Search your
//    entries" (its value set and an input event dispatched in the page). Time from just before that
//    event to the end of the first frame after the line "N entries found." shows the right count
//    (counted here from the same words). Median of five queries, each put into the emptied box:
//    words in many entries, and two words that only one entry has. The first query also prepares
//    every entry's words for searching (the app keeps them until the entries change).
//    `journal_search_matches`: the count for the first query.
//
// Needs the app served (`npm run preview`, or BASE_URL) from a fresh build.
//   node scripts/bench-journal.mjs               prints `name: value` lines
//   import { runJournalBench } from './bench-journal.mjs'   returns the same figures
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright';
import { chromiumArgs, chromiumExecutable } from './browser.js';
import { median, mulberry32, waitUntilControlled } from './bench-util.mjs';

const ENTRIES = 2_000;
const DAYS = 120;
/** The last day written about; the entries go back DAYS days from it. */
const LAST_DATE = Date.UTC(2026, 11, 5);
/** The plan's session day, as a day counted from the first date; the 14 days after it are the plan's. */
const SESSION_DAY = 30;
const PLAN_DAYS = 14;
const VOICE_NOTES = 50;
const VOICE_MIME = 'audio/webm;codecs=opus';
/** About 32 kbit/s, as a browser records speech in Opus. */
const VOICE_BYTES_PER_SECOND = 4_000;
const OTHER_AUDIO_BYTES = 20 * 1024 * 1024;
const LOADS = 5;
/** Searched in turn, each from the empty box; the first is the one whose count is printed. */
const QUERIES = ['warm hands', 'kitchen rain', 'ocean breath', 'lighter yesterday', 'zanzibar postcard'];
/** Where the words of the last query are written: the one entry that has them. */
const RARE_ENTRY = 1_234;
const RARE_SENTENCE = ' A postcard from Zanzibar came today, from the friend I had not written to in years.';
const TIMEOUT_MS = 30_000;

/**
 * @typedef {object} JournalFigures
 * @property {number} journal_list_ms_2000
 * @property {number} journal_list_entries_shown
 * @property {number} journal_search_ms_2000
 * @property {number} journal_search_matches
 */

/**
 * @typedef {{ version: 1, id: string, createdAt: number, updatedAt: number, date: string, day: number | null, prompt: string | null, text: string, voice: { mime: string, bytes: number, durationSeconds: number } | null }} Entry
 * @typedef {{ at: number, shown: number }} Painted
 * @typedef {Window & { __journalPainted?: Promise<Painted> }} BenchWindow
 */

/**
 * @param {{ baseURL: string }} options
 * @returns {Promise<JournalFigures>}
 */
export async function runJournalBench({ baseURL }) {
	const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs });
	try {
		const context = await browser.newContext();
		await context.addInitScript(recordListPainted);
		const page = await context.newPage();
		const home = new URL('/', baseURL).href;
		const journal = new URL('/integration/journal/', baseURL).href;
		await page.goto(home);
		await waitUntilControlled(page);
		const entries = makeEntries();
		await page.evaluate(seedJournal, {
			entries,
			voiceIds: entries
				.filter((entry) => entry.voice)
				.map((entry) => ({ id: entry.id, bytes: entry.voice?.bytes ?? 0 })),
			voiceMime: VOICE_MIME,
			otherAudioBytes: OTHER_AUDIO_BYTES
		});

		/** @type {Painted[]} */
		const loads = [];
		for (let load = 0; load <= LOADS; load += 1) {
			// From another page, so that each is a new navigation and not a reload.
			await page.goto(home);
			await page.waitForTimeout(300);
			await page.goto(journal);
			const painted = await page.evaluate(
				(timeout) =>
					Promise.race([
						/** @type {BenchWindow} */ (/** @type {unknown} */ (window)).__journalPainted,
						new Promise((_, reject) =>
							setTimeout(() => reject(new Error(`The journal listed no entries within ${timeout} ms.`)), timeout)
						)
					]),
				TIMEOUT_MS
			);
			if (!painted) throw new Error("The journal page was opened without the bench's init script.");
			if (load > 0) loads.push(painted);
		}

		/** @type {number[]} */
		const searches = [];
		for (const query of QUERIES) {
			await page.evaluate(clearSearch, { timeout: TIMEOUT_MS });
			const expected = resultLine(entries.filter((entry) => matches(entry, query)).length);
			searches.push(await page.evaluate(timeSearch, { query, expected, timeout: TIMEOUT_MS }));
		}
		await context.close();

		return {
			journal_list_ms_2000: round(median(loads.map((painted) => painted.at))),
			journal_list_entries_shown: median(loads.map((painted) => painted.shown)),
			journal_search_ms_2000: round(median(searches)),
			journal_search_matches: entries.filter((entry) => matches(entry, QUERIES[0] ?? '')).length
		};
	} finally {
		await browser.close();
	}
}

// ——— the journal's entries ———

const OPENERS = [
	'Today',
	'This morning',
	'Tonight',
	'After the session',
	'On the walk home',
	'Before sleep',
	'At lunch',
	'In the car',
	'Waking up',
	'Later in the afternoon',
	'In the shower',
	'On the phone'
];
const VERBS = [
	'I noticed',
	'I felt',
	'I remembered',
	'I kept coming back to',
	'I could not stop thinking about',
	'I wrote down',
	'I talked with my sister about',
	'I breathed slowly with',
	'I sat quietly with',
	'I let myself feel',
	'I was surprised by',
	'I tried to describe'
];
const THINGS = [
	'the warmth in my hands',
	'my mother in her kitchen',
	'the rain on the window',
	'a heaviness in my chest',
	'the music from the session',
	'the light through the curtains',
	"my father's voice",
	'the fear of going back to work',
	'the garden after the storm',
	'a slow breath all the way down',
	'the old house by the sea',
	'the weight of my body on the chair',
	'how tired I was',
	'a small moment of joy',
	'the dog asleep at my feet',
	'the ocean sound from the app',
	'what my therapist said about grief',
	'cold feet and warm tea'
];
const ENDINGS = [
	'and it felt lighter than yesterday.',
	'and I cried a little, which was fine.',
	'and nothing needed to change.',
	'and the tightness let go after a while.',
	'and I want to remember this.',
	'but it was hard to stay with it.',
	'and I laughed for the first time in days.',
	'and it did not last, but it was there.',
	'and I felt safe enough.',
	'so I put my hand on my chest and waited.'
];
const PROMPTS = [
	'What did you notice in your body today?',
	'What from the session is still with you?',
	'Is there something you want to say to someone, even if you never send it?',
	'What helped today, even a little?',
	'What would you like to remember from this week?',
	'Where did you feel most at ease today?'
];

/** The seeded journal, newest date last; the same on every run. */
function makeEntries() {
	const random = mulberry32(0x10a2);
	const pick = (/** @type {readonly string[]} */ list) => list[Math.floor(random() * list.length)] ?? '';
	const firstDate = LAST_DATE - (DAYS - 1) * 86_400_000;
	const voiceEvery = Math.floor(ENTRIES / VOICE_NOTES);
	return Array.from({ length: ENTRIES }, (_, index) => {
		const dayIndex = Math.floor((index * DAYS) / ENTRIES);
		const createdAt = firstDate + dayIndex * 86_400_000 + Math.floor((7 + random() * 15) * 3_600_000);
		const target = 450 + Math.floor(random() * 300);
		let text = '';
		for (let sentence = 0; text.length < target; sentence += 1) {
			if (sentence > 0) text += sentence % 3 === 0 ? '\n\n' : ' ';
			text += `${pick(OPENERS)}, ${pick(VERBS)} ${pick(THINGS)} ${pick(ENDINGS)}`;
		}
		if (index === RARE_ENTRY) text += RARE_SENTENCE;
		const planDay = dayIndex - SESSION_DAY;
		const voiceBytes = 80_000 + Math.floor(random() * 40_000);
		/** @type {Entry} */
		const entry = {
			version: 1,
			id: uuid(random),
			createdAt,
			updatedAt: createdAt,
			date: new Date(firstDate + dayIndex * 86_400_000).toISOString().slice(0, 10),
			day: planDay >= 0 && planDay <= PLAN_DAYS ? planDay : null,
			prompt: random() < 0.3 ? pick(PROMPTS) : null,
			text,
			voice:
				index % voiceEvery === voiceEvery - 1
					? {
							mime: VOICE_MIME,
							bytes: voiceBytes,
							durationSeconds: Math.round((voiceBytes / VOICE_BYTES_PER_SECOND) * 10) / 10
						}
					: null
		};
		return entry;
	});
}

/** @param {() => number} random @returns {string} an id shaped as the app's own (crypto.randomUUID) */
function uuid(random) {
	const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/**
 * As searchEntries finds it: every word of the query in the entry's words or its prompt. The
 * seeded words are plain ASCII, so lower case is all the folding they need.
 * @param {Entry} entry
 * @param {string} query
 */
function matches(entry, query) {
	const haystack = (entry.prompt ? `${entry.text}\n${entry.prompt}` : entry.text).toLowerCase();
	return query
		.toLowerCase()
		.split(/\s+/u)
		.filter(Boolean)
		.every((word) => haystack.includes(word));
}

/** @param {number} count the line the page shows for that many entries found */
function resultLine(count) {
	return count === 0 ? 'No entry has those words.' : `${count} ${count === 1 ? 'entry' : 'entries'} found.`;
}

// ——— in the page ———

/**
 * Runs in the page: writes the entries, their voice notes and the imported audio into the app's
 * store, as idb-keyval would (creating the store if the database is new).
 * @param {{ entries: Entry[], voiceIds: { id: string, bytes: number }[], voiceMime: string, otherAudioBytes: number }} seed
 */
function seedJournal({ entries, voiceIds, voiceMime, otherAudioBytes }) {
	// Bytes that do not compress, as coded audio does not.
	let state = 0x9e3779b9;
	const noise = (/** @type {number} */ size) => {
		const bytes = new Uint8Array(size);
		const words = new Uint32Array(bytes.buffer, 0, Math.floor(size / 4));
		for (let i = 0; i < words.length; i += 1) {
			state ^= state << 13;
			state ^= state >>> 17;
			state ^= state << 5;
			words[i] = state >>> 0;
		}
		return bytes;
	};
	return new Promise((resolve, reject) => {
		const open = indexedDB.open('grounded');
		open.onupgradeneeded = () => open.result.createObjectStore('keyval');
		open.onerror = () => reject(open.error);
		open.onsuccess = () => {
			const db = open.result;
			const tx = db.transaction('keyval', 'readwrite');
			const store = tx.objectStore('keyval');
			for (const entry of entries) store.put(entry, `journal-entry:${entry.id}`);
			for (const { id, bytes } of voiceIds)
				store.put(new Blob([noise(bytes)], { type: voiceMime }), `journal-voice:${id}`);
			store.put(new Blob([noise(otherAudioBytes)], { type: 'audio/mpeg' }), 'imported-track-file:5eed0000bench0001');
			tx.oncomplete = () => {
				db.close();
				resolve(undefined);
			};
			tx.onerror = () => reject(tx.error);
			tx.onabort = () => reject(tx.error);
		};
	});
}

/**
 * Init script: `window.__journalPainted` resolves with the time (on the page's clock, from the
 * navigation's start) at which the first frame holding the entries' list has been drawn, and how
 * many entries that frame holds.
 */
function recordListPainted() {
	const win = /** @type {BenchWindow} */ (/** @type {unknown} */ (window));
	win.__journalPainted = new Promise((resolve) => {
		const observer = new MutationObserver(() => {
			const list = document.querySelector('[data-testid="journal-entries"]');
			if (!list?.querySelector(':scope > li')) return;
			observer.disconnect();
			requestAnimationFrame(() => {
				const shown = list.querySelectorAll(':scope > li').length;
				// A frame's style, layout and paint follow its animation-frame callbacks; a message posted
				// here is handled after them.
				const channel = new MessageChannel();
				channel.port1.onmessage = () => resolve({ at: performance.now(), shown });
				channel.port2.postMessage(undefined);
			});
		});
		observer.observe(document, { childList: true, subtree: true });
	});
}

/**
 * Runs in the page: empties the search box and waits until the whole journal is listed again and drawn.
 * @param {{ timeout: number }} options
 */
async function clearSearch({ timeout }) {
	const input = document.querySelector('#journal-search');
	if (!(input instanceof HTMLInputElement)) throw new Error('The journal has no search box.');
	input.value = '';
	input.dispatchEvent(new Event('input', { bubbles: true }));
	const deadline = performance.now() + timeout;
	// Two frames with no status line: the unfiltered list is on the screen.
	for (let quiet = 0; quiet < 2;) {
		await new Promise((resolve) => requestAnimationFrame(resolve));
		if (performance.now() > deadline) throw new Error('The search box did not empty.');
		quiet = input.parentElement?.querySelector('[role="status"]') ? 0 : quiet + 1;
	}
}

/**
 * Runs in the page: the milliseconds from the input event of `query` to the end of the first frame
 * that shows `expected` as the search's result line.
 * @param {{ query: string, expected: string, timeout: number }} options
 * @returns {Promise<number>}
 */
function timeSearch({ query, expected, timeout }) {
	const input = document.querySelector('#journal-search');
	if (!(input instanceof HTMLInputElement)) throw new Error('The journal has no search box.');
	const box = input.parentElement ?? document.body;
	const line = () => box.querySelector('[role="status"]')?.textContent?.trim() ?? '';
	return new Promise((resolve, reject) => {
		/** @type {number} */
		let start = 0;
		const timer = setTimeout(() => {
			observer.disconnect();
			reject(new Error(`Searching "${query}" showed "${line()}", not "${expected}".`));
		}, timeout);
		const shown = () => {
			if (line() !== expected) return;
			observer.disconnect();
			clearTimeout(timer);
			requestAnimationFrame(() => {
				const channel = new MessageChannel();
				channel.port1.onmessage = () => resolve(performance.now() - start);
				channel.port2.postMessage(undefined);
			});
		};
		const observer = new MutationObserver(shown);
		observer.observe(box, { childList: true, subtree: true, characterData: true });
		input.value = query;
		start = performance.now();
		input.dispatchEvent(new Event('input', { bubbles: true }));
		// Were the line changed within the event itself, the observer would still be told of it afterwards.
	});
}

// ——— helpers ———

/** @param {number} ms to a tenth of a millisecond */
function round(ms) {
	return Math.round(ms * 10) / 10;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const baseURL = process.env.BASE_URL ?? 'http://localhost:4173';
	const figures = await runJournalBench({ baseURL });
	for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
}
