/**
 * Paper from the console: a therapist chooses a playlist, opens its session sheet and prints it on
 * one page, A4 or Letter, even for the longest plan a playlist may have; and with a session's log
 * kept, printing the console gives the log alone, in full.
 */
import { expect, test, type Page } from '@playwright/test';
import type { SavedSession } from '../../src/lib/session/saved-session';
import type { SessionPlaylist } from '../../src/lib/session/playlist';

const DATABASE = 'grounded';
const STORE = 'keyval';

/** Pages in a PDF: its /Type /Page objects, not the /Pages nodes that group them. */
function pageCount(pdf: Buffer): number {
	return pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
}

async function printedPages(page: Page): Promise<{ a4: number; letter: number }> {
	return {
		a4: pageCount(await page.pdf({ format: 'A4' })),
		letter: pageCount(await page.pdf({ format: 'Letter' }))
	};
}

/** Writes values straight into the app's store, as the app would have kept them. */
async function store(page: Page, values: Record<string, unknown>): Promise<void> {
	await page.evaluate(
		({ database, storeName, values }) =>
			new Promise<void>((resolve, reject) => {
				const open = indexedDB.open(database);
				open.onupgradeneeded = () => open.result.createObjectStore(storeName);
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const db = open.result;
					const tx = db.transaction(storeName, 'readwrite');
					for (const [key, value] of Object.entries(values)) tx.objectStore(storeName).put(value, key);
					tx.oncomplete = () => {
						db.close();
						resolve();
					};
					tx.onerror = () => reject(tx.error);
				};
			}),
		{ database: DATABASE, storeName: STORE, values }
	);
}

/** The plan as the sheet shows it: each row's cells. */
async function planRows(page: Page): Promise<string[][]> {
	return page
		.getByRole('table', { name: 'The plan' })
		.locator('tbody tr')
		.evaluateAll((rows) =>
			rows.map((row) => [...row.children].map((cell) => (cell.textContent ?? '').trim()).filter(Boolean))
		);
}

test('a session sheet, from the console, prints on one page', async ({ page }) => {
	await page.goto('/session/');
	// The longest of the curated plans: 180 minutes, and no curated playlist has more phases.
	await page.getByRole('radio', { name: /Full medicine session/ }).check();
	await page.getByRole('link', { name: 'Print a session sheet for Full medicine session' }).click();
	await expect(page).toHaveURL(/\/session\/sheet\/\?playlist=full-medicine-session$/);

	await expect(page.getByRole('heading', { level: 2, name: 'Full medicine session' })).toBeVisible();
	expect(await planRows(page)).toEqual([
		['Before the dose', 'Arrival', '15 min'],
		['0 min', 'Dose given'],
		['0–25 min', 'Onset', '25 min'],
		['10–15 min', 'Effects usually begin'],
		['25–75 min', 'Deepening', '50 min'],
		['45–60 min', 'Effects usually ease'],
		['75–120 min', 'Return', '45 min'],
		['From 120 min to the end', 'Grounding', '45 min'],
		['About 180 min (3 h)', 'A session usually ends']
	]);
	const print = page.getByRole('button', { name: 'Print this sheet' });
	await expect(print).toBeVisible();
	await page.screenshot({ path: test.info().outputPath('sheet-screen.png'), fullPage: true });

	await page.emulateMedia({ media: 'print' });
	await expect(print).toBeHidden();
	await expect(page.getByRole('link', { name: 'Back to the console' })).toBeHidden();
	await expect(page.getByRole('link', { name: '← Grounded' })).toBeHidden();
	await expect(page.getByRole('heading', { level: 1 })).toBeHidden();
	await expect(page.getByText('Grounded · session sheet')).toBeVisible();
	await expect(page.getByText('Client’s initials')).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Notes' })).toBeVisible();
	await page.screenshot({ path: test.info().outputPath('sheet-print.png'), fullPage: true });
	expect(await printedPages(page)).toEqual({ a4: 1, letter: 1 });
});

test('the longest plan a playlist may have, with the longest names, still prints on one page', async ({ page }) => {
	const long = (what: string) => `${what} `.padEnd(120, 'long name ').trim();
	const longest: SessionPlaylist = {
		version: 1,
		id: 'own-longest1',
		title: long('A very long title'),
		summary: '',
		phases: Array.from({ length: 12 }, (_, i) => ({
			id: `phase-${i + 1}`,
			name: long(`Phase ${i + 1}`),
			kind: i === 0 ? 'return' : i === 5 ? 'arrival' : 'deepening',
			minutes: 240,
			items: [{ kind: 'soundscape', soundscape: 'sea', seed: i }]
		}))
	};
	await page.goto('/session/sheet/?playlist=nothing-here');
	await expect(page.getByText('The playlist for this sheet is not on this device.')).toBeVisible();
	await expect(page.getByRole('link', { name: 'Back to the session console' })).toBeVisible();

	await store(page, { [`session-playlist:${longest.id}`]: longest });
	await page.goto(`/session/sheet/?playlist=${longest.id}`);
	// 12 phases, the dose and 3 reference points; with no arrival phase first, the times count from the start.
	await expect(page.getByRole('table', { name: 'The plan' }).locator('tbody tr')).toHaveCount(16);
	await expect(page.getByText(/its times count from the start of the music/)).toBeVisible();
	await page.emulateMedia({ media: 'print' });
	await page.screenshot({ path: test.info().outputPath('sheet-longest-print.png'), fullPage: true });
	expect(await printedPages(page)).toEqual({ a4: 1, letter: 1 });
});

/** A session kept on the device as the console saves it: Quiet home practice, dosed, its log so far. */
function savedSession(log: SavedSession['log']): SavedSession {
	const start = Date.UTC(2026, 10, 25, 9, 0, 0);
	const dose = start + 6 * 60_000;
	return {
		version: 1,
		playlistId: 'quiet-home-practice',
		clock: { startedAt: start, doseAt: dose, phaseIndex: 1, phaseStartedAt: dose, mode: 'auto', held: false },
		history: [
			{ index: 0, startedAt: start },
			{ index: 1, startedAt: dose }
		],
		played: {},
		failed: {},
		playing: null,
		position: 0,
		savedAt: dose + 60_000,
		paused: false,
		log,
		crossfadeSeconds: 6,
		volume: 0.8
	};
}

test('printing the console with a session’s log prints the log alone, in full', async ({ page }) => {
	const start = Date.UTC(2026, 10, 25, 9, 0, 0);
	const log: SavedSession['log'] = [
		{ at: start, kind: 'session-start', text: 'Session started: Quiet home practice, Settling' },
		{ at: start + 6 * 60_000, kind: 'dose', text: 'Dose given' },
		{ at: start + 6 * 60_000, kind: 'phase', text: 'Phase began with the dose: Resting' },
		{ at: start + 8 * 60_000 + 30_000, kind: 'duck', text: 'Music lowered for talking' }
	];
	await page.goto('/');
	await store(page, { 'session-console': savedSession(log) });
	await page.goto('/session/');
	await expect(page.getByRole('heading', { name: 'A session was in progress' })).toBeVisible();
	const printLog = page.getByRole('button', { name: 'Print the log' });
	await expect(printLog).toBeVisible();
	const printed = page.locator('table.printed tbody tr');
	await expect(printed.first()).toBeHidden();

	await page.emulateMedia({ media: 'print' });
	for (const hidden of [
		printLog,
		page.getByRole('button', { name: 'Save log as text' }),
		page.getByRole('button', { name: 'Fade back in' }),
		page.getByRole('heading', { name: 'A session was in progress' }),
		page.getByRole('heading', { level: 1 }),
		page.getByRole('link', { name: '← Grounded' })
	])
		await expect(hidden).toBeHidden();
	await expect(page.getByRole('heading', { name: 'Session log' })).toBeVisible();
	await expect(page.getByText(/^\s*Quiet home practice, .+\. Dose given at \d\d:\d\d:00\.\s*$/)).toBeVisible();
	// Oldest first, with the time since the dose; the on-screen list (newest first) is left out.
	await expect(page.locator('ol.entries')).toBeHidden();
	const cells = await printed.evaluateAll((rows) =>
		rows.map((row) => [...row.children].slice(1).map((cell) => cell.textContent ?? ''))
	);
	expect(cells).toEqual([
		['−6:00', 'Session started: Quiet home practice, Settling'],
		['+0:00', 'Dose given'],
		['+0:00', 'Phase began with the dose: Resting'],
		['+2:30', 'Music lowered for talking']
	]);
	await page.screenshot({ path: test.info().outputPath('log-print.png'), fullPage: true });
	expect(await printedPages(page)).toEqual({ a4: 1, letter: 1 });

	// A long log is not cut to the scrolling box it has on screen: every line prints, over pages.
	const long = Array.from({ length: 120 }, (_, i) => ({
		at: start + 6 * 60_000 + i * 60_000,
		kind: 'item' as const,
		text: `Piece ${i + 1}`
	}));
	await store(page, { 'session-console': savedSession([...log, ...long]) });
	await page.reload();
	await expect(printed).toHaveCount(124);
	await expect(printed.last()).toBeVisible();
	await expect(printed.last()).toContainText('Piece 120');
	const pages = await printedPages(page);
	expect(pages.a4).toBeGreaterThan(1);
});
