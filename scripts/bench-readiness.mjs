// The pre-session check's bench: how long the console takes to show the check for the full medicine
// session with every piece of it on the device, in the built app in headless Chromium.
//
// The console is opened once, the full medicine session is chosen and "Finish downloading" is
// tapped; once every piece is on the device, the page is opened again as a therapist opens it on
// the day (a new navigation, service worker and caches warm, `?playlist=full-medicine-session`).
//
// `readiness_check_ms`: from the navigation's start (performance.now() = 0) to the end of the first
// frame in which the check is settled, every line read (data-settled="true" on the check: the
// files counted in the audio cache, storage, screen, battery, speakers). An init script notes the
// attribute, waits for the next animation frame, and reads the clock in a task posted from it,
// which runs after that frame's paint. Median of five loads, after one that is not counted.
// `readiness_check_lines_open`: how many lines that settled check shows as wanting a look (the
// hand-ticked lines and the test sound, by design, as nobody has ticked or listened yet).
//
// Needs the app served (`npm run preview`, or BASE_URL) from a fresh build.
//   node scripts/bench-readiness.mjs               prints `name: value` lines
//   import { runReadinessBench } from './bench-readiness.mjs'   returns the same figures
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright';
import { chromiumArgs, chromiumExecutable } from './browser.js';
import { median, waitUntilControlled } from './bench-util.mjs';

const PLAYLIST = 'full-medicine-session';
const LOADS = 5;
const DOWNLOAD_TIMEOUT_MS = 180_000;
const TIMEOUT_MS = 30_000;

/**
 * @typedef {object} ReadinessFigures
 * @property {number} readiness_check_ms
 * @property {number} readiness_check_lines_open
 */

/** @typedef {Window & { __checkSettled?: Promise<number> }} BenchWindow */

/** Runs in the page before its scripts: resolves with the clock after the settled check's first frame. */
function recordCheckSettled() {
	const page = /** @type {BenchWindow} */ (window);
	page.__checkSettled = new Promise((resolve) => {
		const seen = () => document.querySelector('[data-settled="true"]') !== null;
		const painted = () => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
		new MutationObserver((_, observer) => {
			if (!seen()) return;
			observer.disconnect();
			painted();
		}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-settled'] });
	});
}

/**
 * @param {{ baseURL: string }} options
 * @returns {Promise<ReadinessFigures>}
 */
export async function runReadinessBench({ baseURL }) {
	const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs });
	try {
		const context = await browser.newContext();
		await context.addInitScript(recordCheckSettled);
		const page = await context.newPage();
		const url = new URL(`/session/?playlist=${PLAYLIST}`, baseURL).href;
		await page.goto(url);
		await waitUntilControlled(page);
		const downloads = page.locator('[data-line="downloads"]');
		await downloads.getByRole('button', { name: /Finish downloading/ }).click();
		await downloads.getByText('Every piece is on this device').waitFor({ timeout: DOWNLOAD_TIMEOUT_MS });

		/** @type {number[]} */
		const times = [];
		let linesOpen = NaN;
		for (let load = 0; load <= LOADS; load += 1) {
			await page.goto(url);
			const at = await page.evaluate(
				(timeout) =>
					Promise.race([
						/** @type {BenchWindow} */ (window).__checkSettled,
						new Promise((_, reject) => setTimeout(() => reject(new Error('the check never settled')), timeout))
					]),
				TIMEOUT_MS
			);
			if ((await downloads.innerText()).includes('Every piece is on this device') === false)
				throw new Error('The bench expected every piece on the device.');
			linesOpen = await page.locator('.check li.attention').count();
			if (load > 0) times.push(/** @type {number} */ (at));
		}
		return {
			readiness_check_ms: Number(median(times).toFixed(1)),
			readiness_check_lines_open: linesOpen
		};
	} finally {
		await browser.close();
	}
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	const baseURL = process.env.BASE_URL ?? 'http://localhost:4173';
	const figures = await runReadinessBench({ baseURL });
	for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
}
