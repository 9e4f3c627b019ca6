// The offline bench: figures about the built app with its service worker, in headless Chromium.
//
// 1. `offline_cold_start_ms`: a curated playlist is made available offline, the network is cut for
//    the page and the worker (setOffline plus a route that aborts anything that still reaches the
//    network), the worker is stopped (DevTools ServiceWorker.stopAllWorkers, so it starts cold),
//    and the session page is reloaded. Time from the navigation's start to the moment the console
//    is interactive ("Start the music" rendered and enabled), read in the page on its own clock.
//    Each reload must have been answered by the worker (navigation timing's workerStart > 0). Median of five.
// 2. `range_request_ok`: with the network still cut, 60 byte ranges of the cached files, in each
//    form a media element or a seek uses (`bytes=a-b`, `bytes=a-`, `bytes=-n`, `bytes=0-`), at
//    seeded random places. A range counts when it is answered 206 with the right Content-Range and
//    exactly the bytes of the file in the build (compared by SHA-256). The fraction that counts.
// 3. `redownload_bytes_on_update`: on a host that can deliver a new service worker (browsers check
//    for one from the browser process, out of reach of Playwright's routes, so the bench serves the
//    build itself: tests/support/static-server.js), the playlist is made available, the worker is
//    changed as a deployment that changed no audio would change it (a new version string), the
//    update is applied through the page's "Update now", and the playlist is played for a few
//    seconds. Audio bytes the host sent from the update check on: the goal is 0.
//
// Needs the app served (`npm run preview`, or BASE_URL) and a build in build/.
//   node scripts/bench-offline.mjs            prints `name: value` lines
//   import { runOfflineBench } from './bench-offline.mjs'   returns the same figures as an object
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright';
import { builtVersion, startStaticServer } from '../tests/support/static-server.js';
import { chromiumArgs, chromiumExecutable } from './browser.js';
import { median, mulberry32, waitUntilControlled } from './bench-util.mjs';

const defaultBuildDir = fileURLToPath(new URL('../build/', import.meta.url));

/** A short playlist of three tracks (about 6 MB): enough for ranges, quick to download. */
const PLAYLIST = 'Closing and grounding';
const COLD_STARTS = 5;
const RANGE_REQUESTS = 60;
const RANGE_FORMS = /** @type {const} */ (['a-b', 'a-', '-n', '0-']);
/** Seconds of music played after the update, so that the media elements ask for their files. */
const PLAY_AFTER_UPDATE_MS = 5_000;

/**
 * @typedef {object} OfflineFigures
 * @property {number} offline_cold_start_ms
 * @property {number} range_request_ok
 * @property {number} redownload_bytes_on_update
 */

/**
 * @param {{ baseURL: string, buildDir?: string }} options
 * @returns {Promise<OfflineFigures>}
 */
export async function runOfflineBench({ baseURL, buildDir = defaultBuildDir }) {
	const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs });
	try {
		const offline = await coldStartsAndRanges(browser, baseURL, buildDir);
		const redownload = await redownloadOnUpdate(browser, buildDir);
		return {
			offline_cold_start_ms: offline.coldStartMs,
			range_request_ok: offline.rangeOk,
			redownload_bytes_on_update: redownload
		};
	} finally {
		await browser.close();
	}
}

/**
 * @param {import('playwright').Browser} browser
 * @param {string} baseURL
 * @param {string} buildDir
 */
async function coldStartsAndRanges(browser, baseURL, buildDir) {
	const context = await browser.newContext();
	try {
		await context.addInitScript(recordInteractive);
		const page = await context.newPage();
		await page.goto(new URL('/session/', baseURL).href);
		await waitUntilControlled(page);
		const files = await makeAvailable(page);

		await context.setOffline(true);
		await context.route('**/*', (route) => route.abort('internetdisconnected'));
		const cdp = await context.newCDPSession(page);
		await cdp.send('ServiceWorker.enable');

		/** @type {number[]} */
		const times = [];
		for (let run = 0; run < COLD_STARTS; run += 1) {
			await cdp.send('ServiceWorker.stopAllWorkers');
			await page.reload({ waitUntil: 'commit' });
			await page.waitForFunction(
				() => /** @type {BenchWindow} */ (/** @type {unknown} */ (window)).__interactiveAt,
				null,
				{
					timeout: 30_000,
					polling: 20
				}
			);
			const reading = await page.evaluate(() => {
				const navigation = /** @type {PerformanceNavigationTiming | undefined} */ (
					performance.getEntriesByType('navigation')[0]
				);
				return {
					interactiveAt: /** @type {BenchWindow} */ (/** @type {unknown} */ (window)).__interactiveAt ?? NaN,
					workerStart: navigation?.workerStart ?? 0
				};
			});
			if (!(reading.workerStart > 0)) throw new Error('An offline reload was not answered by the service worker.');
			times.push(reading.interactiveAt);
		}

		const asks = rangeRequests(files, buildDir);
		const answers = await page.evaluate(
			async (requests) => {
				const hex = (/** @type {ArrayBuffer} */ buffer) =>
					Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join('');
				const results = [];
				for (const request of requests) {
					try {
						const response = await fetch(request.url, { headers: { range: request.range } });
						const body = await response.arrayBuffer();
						results.push({
							status: response.status,
							contentRange: response.headers.get('content-range'),
							sha256: hex(await crypto.subtle.digest('SHA-256', body))
						});
					} catch {
						results.push({ status: 0, contentRange: null, sha256: '' });
					}
				}
				return results;
			},
			asks.map(({ url, range }) => ({ url, range }))
		);
		const ok = answers.filter(
			(answer, i) =>
				answer.status === 206 && answer.contentRange === asks[i]?.contentRange && answer.sha256 === asks[i]?.sha256
		).length;
		return { coldStartMs: Math.round(median(times)), rangeOk: ok / asks.length };
	} finally {
		await context.close();
	}
}

/**
 * @param {import('playwright').Browser} browser
 * @param {string} buildDir
 * @returns {Promise<number>}
 */
async function redownloadOnUpdate(browser, buildDir) {
	const host = await startStaticServer({ root: buildDir });
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		await page.goto(`${host.url}/session/`);
		await waitUntilControlled(page);
		await makeAvailable(page);

		const version = builtVersion(buildDir);
		const next = `${version}-bench`;
		host.changeWorker((source) => source.replaceAll(version, next));
		host.resetStats();
		await page.evaluate(async () => {
			await (await navigator.serviceWorker.getRegistration())?.update();
		});
		await page.getByText('An update is ready.').waitFor({ timeout: 60_000 });
		const reloaded = page.waitForEvent('load');
		await page.getByRole('button', { name: 'Update now' }).click();
		await reloaded;
		const shells = await page.evaluate(async () =>
			(await caches.keys()).filter((name) => name.startsWith('grounded-shell-'))
		);
		if (shells.join() !== `grounded-shell-${next}`)
			throw new Error(`The update was not applied (caches: ${shells.join(', ')}).`);

		// The page after the update: the playlist still shows as available, and it plays.
		await offlineControl(page).getByText('Available offline ✓').waitFor({ timeout: 30_000 });
		await page.getByRole('radio', { name: new RegExp(PLAYLIST) }).check();
		await page.getByRole('button', { name: 'Start the music' }).click();
		await page.getByText(/^Playing: /).waitFor({ timeout: 15_000 });
		await page.waitForTimeout(PLAY_AFTER_UPDATE_MS);
		await page.getByRole('button', { name: 'Fade out and end' }).click();
		await page.getByRole('button', { name: 'Start the music' }).waitFor({ timeout: 15_000 });
		return host.stats.audioBytes;
	} finally {
		await context.close();
		await host.close();
	}
}

/** @typedef {Window & { __interactiveAt?: number }} BenchWindow */

/** Init script: notes (on the page's own clock) when "Start the music" is first there and enabled. */
function recordInteractive() {
	const win = /** @type {BenchWindow} */ (/** @type {unknown} */ (window));
	const check = () => {
		if (win.__interactiveAt !== undefined) return;
		const start = [...document.querySelectorAll('button')].find(
			(button) => button.textContent?.trim() === 'Start the music' && !button.disabled
		);
		if (!start) return;
		win.__interactiveAt = performance.now();
		observer.disconnect();
	};
	const observer = new MutationObserver(check);
	observer.observe(document, { childList: true, subtree: true, attributes: true });
}

/** @param {import('playwright').Page} page */
function offlineControl(page) {
	return page.getByRole('group', { name: PLAYLIST, exact: true });
}

/**
 * Makes PLAYLIST available offline through its button and waits until it is; returns its files.
 * @param {import('playwright').Page} page
 * @returns {Promise<string[]>}
 */
async function makeAvailable(page) {
	const control = offlineControl(page);
	await control.getByRole('button', { name: /^Make available offline/ }).click();
	await control.getByText('Available offline ✓').waitFor({ timeout: 120_000 });
	return page.evaluate(async () => {
		const keys = await (await caches.open('grounded-audio')).keys();
		return keys.map((request) => new URL(request.url).pathname).sort();
	});
}

/**
 * RANGE_REQUESTS ranges over `files`, each form in turn, at places from a fixed seed, with what
 * a correct answer holds.
 * @param {string[]} files
 * @param {string} buildDir
 */
function rangeRequests(files, buildDir) {
	if (files.length === 0) throw new Error('No audio was stored: nothing to ask ranges of.');
	const random = mulberry32(0x5eed);
	const bodies = files.map((url) => readFileSync(`${buildDir.replace(/\/$/, '')}${url}`));
	return Array.from({ length: RANGE_REQUESTS }, (_, i) => {
		const index = Math.floor(random() * files.length);
		const url = /** @type {string} */ (files[index]);
		const body = /** @type {Buffer} */ (bodies[index]);
		const size = body.length;
		const form = RANGE_FORMS[i % RANGE_FORMS.length];
		let start = 0;
		let end = size - 1;
		let range = 'bytes=0-';
		if (form === 'a-b') {
			start = Math.floor(random() * size);
			end = Math.min(size - 1, start + Math.floor(random() * 300_000));
			range = `bytes=${start}-${end}`;
		} else if (form === 'a-') {
			start = Math.floor(random() * size);
			range = `bytes=${start}-`;
		} else if (form === '-n') {
			const length = 1 + Math.floor(random() * 500_000);
			start = Math.max(0, size - length);
			range = `bytes=-${length}`;
		}
		return {
			url,
			range,
			contentRange: `bytes ${start}-${end}/${size}`,
			sha256: createHash('sha256')
				.update(body.subarray(start, end + 1))
				.digest('hex')
		};
	});
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const baseURL = process.env.BASE_URL ?? 'http://localhost:4173';
	const figures = await runOfflineBench({ baseURL });
	for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
}
