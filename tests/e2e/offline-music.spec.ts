/**
 * Session music offline, as a therapist would use it: a playlist made available offline plays,
 * crossfades and seeks with the network off for the page and the service worker; byte ranges come
 * from the worker's cache with the right bytes; a dropped connection mid-download resumes; a full
 * disk leaves what was there before; and a new version of the app waits while music plays.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { OUT_OF_SPACE, RETRYING } from '../../src/lib/offline/downloads';
import { CURATED_PLAYLISTS } from '../../src/lib/session/curated-playlists';
import type { Seconds } from '../../src/lib/units';
import { blockPeaks, installAudioTap, readTap, waitForRecorded, waitForSoundingContext } from '../support/audio-tap';
import { checkForUpdate, goOffline, waitUntilControlled } from '../support/offline-network';
import { builtVersion, startStaticServer, type StaticServer } from '../support/static-server.js';

test.describe.configure({ timeout: 180_000 });

const CLOSING = 'Closing and grounding';
const HOME = 'Quiet home practice';
// Read as a file: Playwright's loader does not import JSON without an import attribute.
const catalog = JSON.parse(readFileSync('src/lib/music/curated-tracks.json', 'utf8')) as {
	tracks: { id: string; file: string; bytes: number }[];
};
/** A playlist's files, each once, in order, as the app's offline store lists them. */
function itemsOf(title: string): { url: string; bytes: number }[] {
	const playlist = CURATED_PLAYLISTS.find((one) => one.title === title)!;
	const ids = playlist.phases.flatMap((phase) =>
		phase.items.flatMap((item) => (item.kind === 'track' ? [item.trackId] : []))
	);
	return [...new Set(ids)].map((id) => {
		const track = catalog.tracks.find((one) => one.id === id)!;
		return { url: track.file, bytes: track.bytes };
	});
}
const onDisk = (url: string): Buffer => readFileSync(`static${url}`);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function offlineControl(page: Page, title: string): Locator {
	return page.getByRole('group', { name: title, exact: true });
}

async function makeAvailable(page: Page, title: string): Promise<Locator> {
	const control = offlineControl(page, title);
	await control.getByRole('button', { name: /^Make available offline \(\d+ MB\)$/ }).click();
	return control;
}

/** Paths stored in the audio cache, sorted. */
async function storedAudio(page: Page): Promise<string[]> {
	return page.evaluate(async () => {
		if (!(await caches.has('grounded-audio'))) return [];
		const keys = await (await caches.open('grounded-audio')).keys();
		return keys.map((request) => new URL(request.url).pathname).sort();
	});
}

/** Quietest 50 ms stretch over a window, in dBFS: a gap shows up here. */
async function floorDb(page: Page, id: number, from: Seconds, to: Seconds): Promise<number> {
	await waitForRecorded(page, id, to);
	const blocks = await blockPeaks(page, id, from, to);
	const perWindow = Math.max(1, Math.round(0.05 / (blocks[0]?.duration ?? 0.003)));
	let floor = Infinity;
	for (let i = 0; i + perWindow <= blocks.length; i += perWindow) {
		floor = Math.min(floor, Math.max(...blocks.slice(i, i + perWindow).map((block) => block.peak)));
	}
	return 20 * Math.log10(Math.max(floor, 1e-9));
}

async function peakDb(page: Page, id: number, from: Seconds, to: Seconds): Promise<number> {
	await waitForRecorded(page, id, to);
	const blocks = await blockPeaks(page, id, from, to);
	return 20 * Math.log10(Math.max(...blocks.map((block) => block.peak), 1e-9));
}

async function clock(page: Page, id: number): Promise<Seconds> {
	return (await readTap(page, id)).currentTime;
}

async function positionSeconds(page: Page): Promise<number> {
	const [minutes, seconds] = (await page.getByTestId('position').textContent())!.split(':').map(Number);
	return minutes! * 60 + seconds!;
}

test('a playlist made available offline plays, crossfades and seeks with the network off', async ({
	page,
	context
}) => {
	const pageErrors: Error[] = [];
	page.on('pageerror', (error) => pageErrors.push(error));
	await installAudioTap(page);
	await page.goto('/session/');
	await waitUntilControlled(page);

	const control = await makeAvailable(page, CLOSING);
	await expect(control.getByRole('progressbar', { name: `Making “${CLOSING}” available offline` })).toBeVisible();
	await expect(control.getByText(/^[0-3] of 3 pieces · \d+\.\d of 5\.\d MB$/)).toBeVisible();
	await expect(control.getByText('Available offline ✓')).toBeVisible({ timeout: 60_000 });
	await expect(control.getByRole('button', { name: 'Remove from this device' })).toBeVisible();
	// The first time, the browser is asked to keep the files, and its answer is explained.
	await expect(
		control.getByText(/^(This device will keep these files|The browser may clear these files)/)
	).toBeVisible();
	const items = itemsOf(CLOSING);
	expect(await storedAudio(page)).toEqual(items.map((item) => item.url).sort());

	const cut = await goOffline(context);
	const audioAnswers: { url: string; status: number; fromWorker: boolean }[] = [];
	page.on('response', (response) => {
		if (response.url().includes('/audio/')) {
			audioAnswers.push({ url: response.url(), status: response.status(), fromWorker: response.fromServiceWorker() });
		}
	});
	await page.reload();
	await expect(page.getByRole('heading', { level: 1, name: 'Session music' })).toBeVisible();
	await expect(offlineControl(page, CLOSING).getByText('Available offline ✓')).toBeVisible();

	// Byte ranges straight from the worker's cache, exactly the bytes of the file the server has.
	const file = items[0]!;
	const disk = onDisk(file.url);
	const asks = ['bytes=0-1', 'bytes=1000-1999', 'bytes=1500000-', 'bytes=-4096', 'bytes=0-'];
	const answers = await page.evaluate(
		async ({ url, asks }) =>
			Promise.all(
				asks.map(async (range) => {
					const response = await fetch(url, { headers: { range } });
					const body = new Uint8Array(await response.arrayBuffer());
					const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
					return {
						range,
						status: response.status,
						contentRange: response.headers.get('content-range'),
						length: body.length,
						sha256: Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')
					};
				})
			),
		{ url: file.url, asks }
	);
	const size = disk.length;
	const expected = (range: string, start: number, end: number) => ({
		range,
		status: 206,
		contentRange: `bytes ${start}-${end}/${size}`,
		length: end - start + 1,
		sha256: sha256(disk.subarray(start, end + 1))
	});
	expect(answers).toEqual([
		expected('bytes=0-1', 0, 1),
		expected('bytes=1000-1999', 1000, 1999),
		expected('bytes=1500000-', 1_500_000, size - 1),
		expected('bytes=-4096', size - 4096, size - 1),
		expected('bytes=0-', 0, size - 1)
	]);
	const beyond = await page.evaluate(
		async ({ url, from }) => {
			const response = await fetch(url, { headers: { range: `bytes=${from}-` } });
			return [response.status, response.headers.get('content-range')];
		},
		{ url: file.url, from: size }
	);
	expect(beyond).toEqual([416, `bytes */${size}`]);

	// The session, with the network still off: the first track, then on into the soundscape.
	audioAnswers.length = 0; // from here on, only what the media elements ask for
	await page.getByRole('radio', { name: new RegExp(CLOSING) }).check();
	await page.getByRole('button', { name: 'Start the music' }).click();
	const id = await waitForSoundingContext(page, [], 15_000);
	await page.getByLabel(/^Crossfade/).fill('2');
	await expect(page.getByText('Crossfade 2 s')).toBeVisible();
	const playing = page.getByText(/^(Playing|Paused): /);
	await expect(playing).toContainText('Homeward Dusk');
	await page.waitForTimeout(9_000);
	expect(await peakDb(page, id, (await clock(page, id)) - 2, (await clock(page, id)) - 0.5)).toBeGreaterThan(-35);

	const leftAt = await positionSeconds(page);
	const skipAt = await clock(page, id);
	await page.getByRole('button', { name: /Next piece/ }).click();
	await expect(playing).toContainText('Warm drone');
	await page.waitForTimeout(6_000);
	expect(await floorDb(page, id, skipAt, skipAt + 5)).toBeGreaterThan(-50);

	// Back: the track again, from where it was left (about 9 s in), which the element must seek to.
	const backAt = await clock(page, id);
	await page.getByRole('button', { name: /Back a piece/ }).click();
	await expect(playing).toContainText('Homeward Dusk');
	await page.waitForTimeout(1_500);
	const resumedAt = await positionSeconds(page);
	expect(leftAt).toBeGreaterThanOrEqual(8);
	expect(resumedAt).toBeGreaterThanOrEqual(leftAt);
	expect(resumedAt).toBeLessThanOrEqual(leftAt + 4);
	await page.waitForTimeout(4_500);
	expect(await floorDb(page, id, backAt, backAt + 5)).toBeGreaterThan(-50);
	const later = await clock(page, id);
	expect(await peakDb(page, id, later - 1.5, later - 0.5)).toBeGreaterThan(-35);
	expect(await positionSeconds(page)).toBeGreaterThanOrEqual(resumedAt + 4);
	await page.getByRole('button', { name: 'Fade out and end' }).click();

	// Every request the media elements made was answered by the worker with a range; none reached the network.
	expect(audioAnswers.length).toBeGreaterThan(0);
	for (const answer of audioAnswers) expect(answer, answer.url).toMatchObject({ status: 206, fromWorker: true });
	expect(cut.reachedNetwork.filter((url) => url.includes('/audio/'))).toEqual([]);
	expect(pageErrors).toEqual([]);
	await cut.restore();
});

test('a download that loses the connection says so, resumes where it stopped and completes', async ({
	page,
	context
}) => {
	await page.goto('/session/');
	await waitUntilControlled(page);
	const first = itemsOf(HOME)[0]!;
	const partial = 600_000;
	const ranges: (string | null)[] = [];
	await context.route(`**${first.url}`, async (route) => {
		ranges.push(route.request().headers()['range'] ?? null);
		if (ranges.length === 1) {
			// The first answer breaks off part-way: a Content-Length of the whole file, then the connection closes.
			return route.fulfill({
				status: 200,
				headers: { 'content-type': 'audio/mpeg', 'content-length': String(first.bytes) },
				body: onDisk(first.url).subarray(0, partial)
			});
		}
		// Then the network is down for two tries, and back.
		if (ranges.length <= 3) return route.abort('internetdisconnected');
		return route.fallback();
	});

	const control = await makeAvailable(page, HOME);
	await expect(control.getByText(RETRYING)).toBeVisible({ timeout: 20_000 });
	await expect(control.getByRole('progressbar')).toBeVisible();
	await expect(control.getByText('Available offline ✓')).toBeVisible({ timeout: 60_000 });
	expect(ranges).toEqual([null, `bytes=${partial}-`, `bytes=${partial}-`, `bytes=${partial}-`]);

	// The file put together from the two parts is the file on the server.
	const storedHash = await page.evaluate(async (url) => {
		const response = await (await caches.open('grounded-audio')).match(url);
		const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await response!.arrayBuffer()));
		return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
	}, first.url);
	expect(storedHash).toBe(sha256(onDisk(first.url)));
	expect(await storedAudio(page)).toEqual(
		itemsOf(HOME)
			.map((item) => item.url)
			.sort()
	);
});

test('a full disk stops the download with a clear message and leaves what was there before', async ({ page }) => {
	await page.addInitScript(() => {
		// Only the second playlist's second file does not fit.
		const put = Cache.prototype.put;
		Cache.prototype.put = function (this: Cache, request: RequestInfo | URL, response: Response) {
			const url = typeof request === 'string' ? request : request instanceof URL ? request.href : request.url;
			if (url.includes('/return-evening-field.')) {
				return Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
			}
			return put.call(this, request, response);
		};
	});
	await page.goto('/session/');
	await waitUntilControlled(page);

	const closing = await makeAvailable(page, CLOSING);
	await expect(closing.getByText('Available offline ✓')).toBeVisible({ timeout: 60_000 });
	const before = await storedAudio(page);
	expect(before).toEqual(
		itemsOf(CLOSING)
			.map((item) => item.url)
			.sort()
	);

	// Its first file is new and stored, the second fails: the first goes again, the rest stays.
	const home = await makeAvailable(page, HOME);
	await expect(home.getByText(OUT_OF_SPACE)).toBeVisible({ timeout: 60_000 });
	await expect(home.getByRole('button', { name: /^Make available offline/ })).toBeVisible();
	await expect(home.getByText('1 of 3 pieces are on this device already.')).toBeVisible();
	expect(await storedAudio(page)).toEqual(before);
	await expect(closing.getByText('Available offline ✓')).toBeVisible();
});

test('the storage page shows the space music, voice and the app take, and removes music', async ({ page }) => {
	await page.goto('/');
	await waitUntilControlled(page);
	await page.goto('/session/');
	const closing = await makeAvailable(page, CLOSING);
	await expect(closing.getByText('Available offline ✓')).toBeVisible({ timeout: 60_000 });

	await page.goto('/');
	await page.getByRole('link', { name: 'Storage on this device' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Storage on this device' })).toBeVisible();
	const bytes = itemsOf(CLOSING).reduce((sum, item) => sum + item.bytes, 0);
	await expect(page.getByTestId('music-bytes')).toHaveText(`${(bytes / 1e6).toFixed(1)} MB`);
	await expect(page.getByTestId('voice-bytes')).toHaveText('None');
	await expect(page.getByTestId('app-bytes')).toHaveText(/^\d+(\.\d)? (kB|MB)$/);
	await expect(page.getByTestId('available-bytes')).toHaveText(/^\d+(\.\d)? (kB|MB|GB)$/);
	await expect(page.getByText(/^(Yes\.|Not promised)/)).toBeVisible();

	const listed = offlineControl(page, CLOSING);
	await expect(listed.getByText('Available offline ✓')).toBeVisible();
	await listed.getByRole('button', { name: 'Remove from this device' }).click();
	await expect(listed.getByText('Removed from this device.')).toBeVisible();
	await expect(page.getByTestId('music-bytes')).toHaveText('None');
	expect(await storedAudio(page)).toEqual([]);

	await page.goto('/privacy/');
	await expect(page.getByRole('link', { name: 'Storage on this device' })).toHaveAttribute('href', '/storage/');
});

test.describe('with a host that can deliver a new version', () => {
	// The browser's check for a new worker bypasses Playwright's routes, so this host serves it.
	let host: StaticServer;
	test.beforeAll(async () => {
		host = await startStaticServer({ root: 'build' });
	});
	test.afterAll(async () => {
		await host.close();
	});

	test('a new version waits while music plays, never reloads by itself, and applies when chosen', async ({ page }) => {
		await installAudioTap(page);
		await page.goto(`${host.url}/session/`);
		await waitUntilControlled(page);
		const version = builtVersion('build');
		const next = `${version}-next`;

		await page.getByRole('radio', { name: new RegExp(HOME) }).check();
		await page.getByRole('button', { name: 'Start the music' }).click();
		const id = await waitForSoundingContext(page, [], 15_000);
		await page.evaluate(() => ((window as unknown as { __samePage: boolean }).__samePage = true));

		// A deployment that changed only the app: the same worker under a new version.
		host.changeWorker((source) => source.replaceAll(version, next));
		await checkForUpdate(page);
		await expect(page.getByText('An update is ready.')).toBeVisible({ timeout: 30_000 });
		await expect(page.getByRole('button', { name: 'Update after the music ends' })).toBeDisabled();

		// Some seconds on, the same page is still here and the music still sounds; the new worker waits.
		await page.waitForTimeout(5_000);
		expect(await page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage)).toBe(true);
		const now = await clock(page, id);
		expect(await peakDb(page, id, now - 2, now - 0.5)).toBeGreaterThan(-35);
		const during = await page.evaluate(async () => {
			const registration = await navigator.serviceWorker.getRegistration();
			return { waiting: registration?.waiting?.state ?? null, caches: (await caches.keys()).sort() };
		});
		expect(during.waiting).toBe('installed');
		expect(during.caches).toEqual(expect.arrayContaining([`grounded-shell-${version}`, `grounded-shell-${next}`]));

		// The music ends: now the person can update, and the page reloads under the new version.
		await page.getByRole('button', { name: 'Fade out and end' }).click();
		const update = page.getByRole('button', { name: 'Update now' });
		await expect(update).toBeEnabled({ timeout: 10_000 });
		const reloaded = page.waitForEvent('load');
		await update.click();
		await reloaded;
		await expect(page.getByRole('heading', { level: 1, name: 'Session music' })).toBeVisible();
		expect(await page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage)).toBeUndefined();
		const after = await page.evaluate(async () => {
			const registration = await navigator.serviceWorker.getRegistration();
			return { waiting: registration?.waiting ?? null, caches: (await caches.keys()).sort() };
		});
		expect(after.waiting).toBe(null);
		expect(after.caches).toContain(`grounded-shell-${next}`);
		expect(after.caches).not.toContain(`grounded-shell-${version}`);
		await expect(page.getByText('An update is ready.')).toHaveCount(0);
	});
});
