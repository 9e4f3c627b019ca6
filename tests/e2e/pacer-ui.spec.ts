/**
 * The breath pacer as a person uses it: the still view for reduced motion, what a screen reader
 * hears, and settings that are kept across a reload, never lost to a typo or a corrupt store.
 */
import { expect, test, type Page } from '@playwright/test';

const DATABASE = 'grounded';
const STORE = 'keyval';
const SETTINGS_KEY = 'pacer-settings';
/** The app writes settings 250 ms after a change; a person reloading a moment later. */
const SETTLE_MS = 600;

async function openPacer(page: Page): Promise<void> {
	await page.goto('/breathe/');
	await expect(page.getByRole('heading', { name: 'Your practice' })).toBeVisible();
	await expect(page.getByRole('group', { name: 'Pattern' })).toBeVisible();
}

/** A quick pattern, so that both phases pass in a couple of seconds. */
async function chooseQuickPattern(page: Page): Promise<void> {
	await page.getByRole('radio', { name: 'Your own pattern' }).check();
	await page.getByLabel('Breathe in (seconds)').fill('1');
	await page.getByLabel('Hold (seconds)').fill('0');
	await page.getByLabel('Breathe out (seconds)').fill('1');
	await page.getByLabel('Rest (seconds)').fill('0');
}

/** Records every text the live region ever shows, so that a brief announcement is not missed. */
async function recordLiveRegion(page: Page): Promise<() => Promise<string[]>> {
	await page.evaluate(() => {
		const region = document.querySelector('[data-testid="live-region"]');
		if (!region) throw new Error('No live region');
		const seen: string[] = [];
		(window as unknown as { __liveTexts: string[] }).__liveTexts = seen;
		new MutationObserver(() => {
			const text = region.textContent?.trim() ?? '';
			if (text && seen.at(-1) !== text) seen.push(text);
		}).observe(region, { childList: true, characterData: true, subtree: true });
	});
	return () => page.evaluate(() => [...(window as unknown as { __liveTexts: string[] }).__liveTexts]);
}

/** Writes `value` straight into the app's settings record, as a damaged or foreign store might hold. */
async function writeStoredSettings(page: Page, value: unknown): Promise<void> {
	await page.evaluate(
		({ database, store, key, value }) =>
			new Promise<void>((resolve, reject) => {
				const open = indexedDB.open(database);
				open.onupgradeneeded = () => open.result.createObjectStore(store);
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const db = open.result;
					const tx = db.transaction(store, 'readwrite');
					tx.objectStore(store).put(value, key);
					tx.oncomplete = () => {
						db.close();
						resolve();
					};
					tx.onerror = () => reject(tx.error);
				};
			}),
		{ database: DATABASE, store: STORE, key: SETTINGS_KEY, value }
	);
}

test.describe('reduced motion', () => {
	test('shows the breath still, in words and a progress bar that moves', async ({ page }) => {
		await page.emulateMedia({ reducedMotion: 'reduce' });
		await openPacer(page);
		await page.getByRole('button', { name: 'Begin' }).click();

		const still = page.getByTestId('breath-still');
		await expect(still).toBeVisible();
		await expect(page.getByTestId('breath-shape')).toHaveCount(0);
		await expect(still).toContainText('Breathe in');
		const bar = still.getByRole('progressbar', { name: 'Through this part of the breath' });
		await expect(bar).toBeVisible();
		const valueNow = async () => Number(await bar.getAttribute('aria-valuenow'));
		const start = await valueNow();
		await expect.poll(valueNow, { timeout: 5_000 }).toBeGreaterThan(start);
	});

	test('without the preference, the growing shape is shown instead', async ({ page }) => {
		await page.emulateMedia({ reducedMotion: 'no-preference' });
		await openPacer(page);
		await page.getByRole('button', { name: 'Begin' }).click();
		await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();

		await expect(page.getByTestId('breath-shape')).toBeVisible();
		await expect(page.getByTestId('breath-shape')).toContainText('Breathe in');
		await expect(page.getByTestId('breath-still')).toHaveCount(0);
	});
});

test.describe('screen reader announcements', () => {
	test('the live region says each change of breath', async ({ page }) => {
		await openPacer(page);
		await chooseQuickPattern(page);
		await expect(page.getByRole('checkbox', { name: 'Screen reader says each change of breath' })).toBeChecked();
		const liveTexts = await recordLiveRegion(page);
		const region = page.getByTestId('live-region');
		await expect(region).toHaveAttribute('aria-live', 'polite');

		await page.getByRole('button', { name: 'Begin' }).click();
		await expect(region).toHaveText('Breathe in');
		await expect(region).toHaveText('Breathe out', { timeout: 3_000 });
		await expect(region).toHaveText('Breathe in', { timeout: 3_000 });
		expect((await liveTexts()).slice(0, 3)).toEqual(['Breathe in', 'Breathe out', 'Breathe in']);
	});

	test('with announcements off, the live region stays silent', async ({ page }) => {
		await openPacer(page);
		await chooseQuickPattern(page);
		await page.getByRole('checkbox', { name: 'Screen reader says each change of breath' }).uncheck();
		const liveTexts = await recordLiveRegion(page);

		await page.getByRole('button', { name: 'Begin' }).click();
		// Practice is under way and has passed through both phases at least once.
		await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
		await expect(page.getByTestId('breath-shape')).toContainText('Breathe out', { timeout: 3_000 });
		await expect(page.getByTestId('breath-shape')).toContainText('Breathe in', { timeout: 3_000 });
		await page.getByRole('button', { name: 'Stop' }).click();

		await expect(page.getByTestId('live-region')).toHaveText('');
		expect(await liveTexts()).toEqual([]);
	});
});

test.describe('settings', () => {
	test('survive a reload', async ({ page }) => {
		await openPacer(page);
		await page.getByRole('radio', { name: 'Box breathing' }).check();
		await page.getByRole('radio', { name: 'Bowl chimes' }).check();
		await page.getByRole('radio', { name: 'Breaths', exact: true }).check();
		await page.getByLabel('How many breaths').fill('12');
		await page.getByLabel('Cue volume').fill('0.3');
		await page.waitForTimeout(SETTLE_MS);

		await page.reload();
		await expect(page.getByRole('group', { name: 'Pattern' })).toBeVisible();
		await expect(page.getByRole('radio', { name: 'Box breathing' })).toBeChecked();
		await expect(page.getByRole('radio', { name: 'Coherent breathing' })).not.toBeChecked();
		await expect(page.getByRole('radio', { name: 'Bowl chimes' })).toBeChecked();
		await expect(page.getByRole('radio', { name: 'Breaths', exact: true })).toBeChecked();
		await expect(page.getByLabel('How many breaths')).toHaveValue('12');
		await expect(page.getByLabel('Cue volume')).toHaveValue('0.3');
	});

	test('an out-of-range pattern is explained at the field, blocks Begin, and loses nothing', async ({ page }) => {
		await openPacer(page);
		await page.getByRole('radio', { name: 'Your own pattern' }).check();
		await page.getByLabel('Breathe in (seconds)').fill('3');
		await page.getByLabel('Hold (seconds)').fill('1');
		await page.getByLabel('Breathe out (seconds)').fill('5');
		await page.getByLabel('Rest (seconds)').fill('0.5');
		await page.waitForTimeout(SETTLE_MS);

		const inhale = page.getByLabel('Breathe in (seconds)');
		const begin = page.getByRole('button', { name: 'Begin' });
		const note = page.getByText(
			'Your pattern is not saved until every part is in range; your last saved pattern is kept.'
		);
		for (const typed of ['0.5', '25']) {
			await inhale.fill(typed);
			const message = page.getByRole('alert').filter({ hasText: 'Breathing in can be from 1 to 20 seconds.' });
			await expect(message).toBeVisible();
			await expect(inhale).toHaveAttribute('aria-invalid', 'true');
			await expect(inhale).toHaveAccessibleDescription('Breathing in can be from 1 to 20 seconds.');
			await expect(note).toBeVisible();
			await expect(begin).toBeDisabled();
		}
		await page.waitForTimeout(SETTLE_MS);

		await page.reload();
		await expect(page.getByRole('group', { name: 'Pattern' })).toBeVisible();
		await expect(page.getByRole('radio', { name: 'Your own pattern' })).toBeChecked();
		await expect(page.getByLabel('Breathe in (seconds)')).toHaveValue('3');
		await expect(page.getByLabel('Hold (seconds)')).toHaveValue('1');
		await expect(page.getByLabel('Breathe out (seconds)')).toHaveValue('5');
		await expect(page.getByLabel('Rest (seconds)')).toHaveValue('0.5');
		await expect(page.getByRole('alert')).toHaveCount(0);
		await expect(page.getByRole('button', { name: 'Begin' })).toBeEnabled();
	});

	const corrupt: { name: string; value: unknown }[] = [
		{ name: 'fields of the wrong kind', value: { version: 1, pattern: 'nope', volume: 'loud', cueSet: 42 } },
		{ name: 'a plain string', value: 'not settings at all' },
		{ name: 'an unknown version', value: { version: 7, pattern: 'box', cueSet: 'chimes' } },
		{ name: 'an array', value: [1, 2, 3] }
	];
	for (const { name, value } of corrupt) {
		test(`a stored value with ${name} gives the defaults, not an error`, async ({ page }) => {
			const errors: Error[] = [];
			page.on('pageerror', (error) => errors.push(error));
			await openPacer(page);
			await writeStoredSettings(page, value);

			await page.reload();
			await expect(page.getByRole('heading', { level: 1, name: 'Breathing' })).toBeVisible();
			await expect(page.getByRole('group', { name: 'Pattern' })).toBeVisible();
			await expect(page.getByRole('radio', { name: 'Coherent breathing' })).toBeChecked();
			await expect(page.getByRole('radio', { name: 'Soft tones' })).toBeChecked();
			await expect(page.getByLabel('Cue volume')).toHaveValue('0.7');
			await expect(page.getByRole('button', { name: 'Begin' })).toBeEnabled();
			expect(errors).toEqual([]);
		});
	}
});
