// Takes screenshots of each page of the built app, for the README and for
// looking at what we build. Serves build/ itself, unless BASE_URL names a running app.
//   node scripts/screenshots.mjs [outDir]
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright';
import { startStaticServer } from '../tests/support/static-server.js';
import { chromiumArgs, chromiumExecutable } from './browser.js';

const host = process.env.BASE_URL ? undefined : await startStaticServer({ root: 'build' });
const base = process.env.BASE_URL ?? host?.url ?? '';
const out = process.argv[2] ?? 'docs';
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs });
const shots = [
	{ name: 'home', path: '/', viewport: { width: 1100, height: 760 } },
	{ name: 'breathe', path: '/breathe/', viewport: { width: 1100, height: 1400 } },
	{ name: 'breathe-mobile', path: '/breathe/', viewport: { width: 390, height: 844 } },
	{ name: 'breathe-practising', path: '/breathe/', viewport: { width: 1100, height: 800 }, begin: true },
	{ name: 'privacy', path: '/privacy/', viewport: { width: 1100, height: 1300 } },
	{ name: 'session-choose', path: '/session/', viewport: { width: 1100, height: 1100 } },
	{
		name: 'session-console',
		path: '/session/',
		viewport: { width: 1100, height: 1300 },
		/** @param {import('playwright').Page} page */
		act: async (page) => {
			await page.getByRole('button', { name: 'Start the music' }).click();
			await page.waitForTimeout(3000);
			await page.getByRole('button', { name: 'Dose given' }).click();
			await page.waitForTimeout(2000);
			await page.keyboard.press('d');
			await page.waitForTimeout(1500);
		}
	},
	{
		// Before the session: the check with its test sound played and the door sign ticked, on a phone.
		name: 'session-check-mobile',
		path: '/session/?playlist=closing-and-grounding',
		viewport: { width: 390, height: 844 },
		/** @param {import('playwright').Page} page */
		act: async (page) => {
			await page.getByRole('button', { name: /Play a test sound/ }).click();
			await page.getByText('Played.').waitFor({ timeout: 15_000 });
			await page.getByRole('checkbox', { name: /A sign on the door/ }).check();
		}
	},
	{
		name: 'session-sheet',
		path: '/session/sheet/?playlist=full-medicine-session',
		viewport: { width: 1100, height: 900 }
	},
	{ name: 'grounding', path: '/grounding/', viewport: { width: 1100, height: 1300 } },
	{ name: 'grounding-editor', path: '/grounding/edit/?new', viewport: { width: 1100, height: 1300 } },
	{
		name: 'grounding-player',
		path: '/grounding/play/?script=arriving-breath',
		viewport: { width: 1100, height: 900 },
		/** @param {import('playwright').Page} page */
		act: async (page) => {
			await page.getByRole('button', { name: /Begin/ }).click();
			await page.waitForTimeout(3000);
		}
	},
	{ name: 'storage', path: '/storage/', viewport: { width: 1100, height: 1100 } },
	{
		// After a session: a plan set for a session yesterday, so today is its day 1.
		name: 'integration-mobile',
		path: '/integration/',
		viewport: { width: 390, height: 1400 },
		/** @param {import('playwright').Page} page */
		act: async (page) => {
			const yesterday = new Date(Date.now() - 24 * 60 * 60 * 1000);
			const pad = (/** @type {number} */ value) => String(value).padStart(2, '0');
			const date = `${yesterday.getFullYear()}-${pad(yesterday.getMonth() + 1)}-${pad(yesterday.getDate())}`;
			await page.getByLabel('Date of the session').fill(date);
			await page.getByRole('button', { name: 'Set the plan' }).click();
			await page.waitForTimeout(500);
		}
	},
	{
		name: 'journal-mobile',
		path: '/integration/journal/?write=1',
		viewport: { width: 390, height: 1100 },
		/** @param {import('playwright').Page} page */
		act: async (page) => {
			await page.getByRole('button', { name: /^Take a prompt/ }).click();
			await page.getByLabel('Your words').fill('The river again, and the warmth in my chest that stayed all evening.');
		}
	},
	{
		name: 'check-in-mobile',
		path: '/integration/check-in/',
		viewport: { width: 390, height: 1500 },
		/** @param {import('playwright').Page} page */
		act: async (page) => {
			await page.getByLabel(/^Mood/).fill('6');
			await page.getByLabel(/^Sleep/).fill('7');
			await page.getByRole('button', { name: 'Save the check-in' }).click();
			await page.waitForTimeout(500);
		}
	},
	{ name: 'playlists', path: '/playlists/', viewport: { width: 1100, height: 1100 } },
	{ name: 'playlist-editor', path: '/playlists/edit/', viewport: { width: 1100, height: 2400 } },
	{ name: 'playlist-editor-mobile', path: '/playlists/edit/', viewport: { width: 390, height: 1600 } },
	{
		name: 'breathe-reduced-motion',
		path: '/breathe/',
		viewport: { width: 1100, height: 800 },
		begin: true,
		reduced: true
	}
];
for (const shot of shots) {
	const context = await browser.newContext({
		viewport: shot.viewport,
		reducedMotion: shot.reduced ? 'reduce' : 'no-preference',
		colorScheme: 'dark'
	});
	const page = await context.newPage();
	await page.goto(base + shot.path);
	await page.waitForLoadState('networkidle');
	if (shot.act) await shot.act(page);
	if (shot.begin) {
		await page.getByRole('button', { name: 'Begin' }).click();
		await page.waitForTimeout(3200);
	}
	await page.screenshot({ path: `${out}/${shot.name}.png`, fullPage: !shot.begin });
	await context.close();
	console.log(`${out}/${shot.name}.png`);
}
await browser.close();
await host?.close();
