import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { goOffline, waitUntilControlled } from '../support/offline-network';

const buildDir = fileURLToPath(new URL('../../build/', import.meta.url));

/** Every hashed JS and CSS file of the build, as URL paths: the lazily loaded Tone.js chunk is one of them. */
async function immutableBuildFiles(): Promise<string[]> {
	const entries = await readdir(`${buildDir}_app/immutable`, { recursive: true, withFileTypes: true });
	return entries
		.filter((entry) => entry.isFile())
		.map((entry) => `${entry.parentPath}/${entry.name}`.slice(buildDir.length - 1))
		.sort();
}

test('the app shell works offline after one online visit', async ({ page, context }) => {
	const pageErrors: Error[] = [];
	page.on('pageerror', (error) => pageErrors.push(error));

	await page.goto('/');
	await expect(page.getByRole('heading', { level: 1, name: 'Grounded' })).toBeVisible();
	await waitUntilControlled(page);

	const expected = await immutableBuildFiles();
	expect(expected.length).toBeGreaterThan(0);
	const cached = await page.evaluate(async () => {
		const names = (await caches.keys()).filter((name) => name.startsWith('grounded-shell-'));
		const paths: string[] = [];
		for (const name of names) {
			const cache = await caches.open(name);
			for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
		}
		return { names, paths };
	});
	expect(cached.names).toHaveLength(1);
	expect(cached.paths).toEqual(expect.arrayContaining([...expected, '/', '/breathe/', '/manifest.webmanifest']));

	const { reachedNetwork } = await goOffline(context);

	// Proof that the cut is real: an uncached file must fail outright, not come back as a 404.
	const probe = await page.evaluate(async () => {
		try {
			const response = await fetch(`/offline-probe-${Date.now()}.txt`);
			return `reached the server (${response.status})`;
		} catch {
			return 'failed';
		}
	});
	expect(probe).toBe('failed');

	await page.reload();
	await expect(page.getByRole('heading', { level: 1, name: 'Grounded' })).toBeVisible();

	await page.goto('/breathe/');
	await expect(page.getByRole('heading', { level: 1, name: /Breath/ })).toBeVisible();

	// A link without the trailing slash still finds the prerendered page.
	await page.goto('/breathe');
	await expect(page.getByRole('heading', { level: 1, name: /Breath/ })).toBeVisible();

	// Tone.js is imported only on the first gesture, so its chunk must already be on the device.
	const failed = await page.evaluate(async (paths) => {
		const results = await Promise.all(
			paths.map(async (path) => {
				try {
					return (await fetch(path)).ok ? undefined : path;
				} catch {
					return path;
				}
			})
		);
		return results.filter((path) => path !== undefined);
	}, expected);
	expect(failed).toEqual([]);

	// The pacer starts with no network: Tone loads from the cache, the audio clock runs, the phases follow.
	await page.goto('/breathe/');
	await expect(page.getByRole('heading', { name: 'Your practice' })).toBeVisible();
	await page.getByRole('button', { name: 'Begin' }).click();
	await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
	await expect(page.getByTestId('live-region')).toHaveText('Breathe in');
	await expect(page.getByTestId('live-region')).toHaveText('Breathe out', { timeout: 10_000 });
	await expect(page.getByRole('alert')).toHaveCount(0);
	await page.getByRole('button', { name: 'Stop' }).click();

	// A built-in grounding script runs too: its chimes (Tone), its soundscape background and the
	// player's code all come from the cache; nothing it needs is a download.
	await page.goto('/grounding/play/?script=arriving-breath');
	await page.getByRole('button', { name: /Begin/ }).click();
	await expect(page.getByText('Step 1 of', { exact: false })).toBeVisible();
	await expect(page.getByRole('button', { name: /Pause/ })).toBeVisible();
	await page.waitForTimeout(3_000);
	await expect(page.getByRole('alert')).toHaveCount(0);
	await page.getByRole('button', { name: /Pause/ }).click();

	// Pages try the network first and fall back; every file must have come from the cache alone.
	const filesFromNetwork = reachedNetwork
		.map((url) => new URL(url).pathname)
		.filter((path) => /\.\w+$/.test(path) && !path.startsWith('/offline-probe-'));
	expect(filesFromNetwork).toEqual([]);
	expect(pageErrors).toEqual([]);
});

test('the manifest and its icons are served', async ({ page, request }) => {
	await page.goto('/');
	const href = await page.locator('link[rel="manifest"]').getAttribute('href');
	expect(href).toBeTruthy();
	const manifestUrl = new URL(href ?? '', page.url());
	const response = await request.get(manifestUrl.href);
	expect(response.ok()).toBe(true);
	const manifest = (await response.json()) as {
		start_url: string;
		display: string;
		icons: { src: string; sizes: string; purpose?: string }[];
	};
	expect(manifest.start_url).toBe('/');
	expect(manifest.display).toBe('standalone');
	expect(manifest.icons.some((icon) => icon.purpose === 'maskable')).toBe(true);
	for (const icon of manifest.icons) {
		const iconResponse = await request.get(new URL(icon.src, manifestUrl).href);
		expect(iconResponse.ok(), icon.src).toBe(true);
	}
	for (const rel of ['icon', 'apple-touch-icon']) {
		const iconHref = await page.locator(`link[rel="${rel}"]`).getAttribute('href');
		expect(iconHref, rel).toBeTruthy();
		expect((await request.get(new URL(iconHref ?? '', page.url()).href)).ok(), rel).toBe(true);
	}
});

test('an update waits for SKIP_WAITING, then replaces only older shells', async ({ page }) => {
	await page.goto('/');
	await waitUntilControlled(page);
	const before = await page.evaluate(async () => {
		// A shell left by an earlier version must go; another app cache must survive the update.
		await (await caches.open('grounded-shell-earlier')).put('/probe', new Response('old'));
		await (await caches.open('grounded-audio-test')).put('/probe', new Response('kept'));
		return (await caches.keys()).filter(
			(name) => name.startsWith('grounded-shell-') && name !== 'grounded-shell-earlier'
		);
	});
	expect(before).toHaveLength(1);

	const waitingState = await page.evaluate(async () => {
		// A new script URL stands in for a new deployment: the browser installs it as an update.
		const registration = await navigator.serviceWorker.register('/service-worker.js?update-test', { scope: '/' });
		const worker = registration.installing ?? registration.waiting;
		if (!worker) throw new Error('the update found no new worker');
		if (worker.state === 'installing') {
			await new Promise<void>((resolve) => {
				const check = () => {
					if (worker.state === 'installing') return;
					worker.removeEventListener('statechange', check);
					resolve();
				};
				worker.addEventListener('statechange', check);
			});
		}
		// Give a worker that wrongly skipped waiting the time to show it.
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		return { state: worker.state, waiting: registration.waiting === worker };
	});
	expect(waitingState).toEqual({ state: 'installed', waiting: true });

	const after = await page.evaluate(async () => {
		const registration = await navigator.serviceWorker.getRegistration();
		const worker = registration?.waiting;
		if (!worker) throw new Error('no waiting worker');
		const changed = new Promise<void>((resolve) =>
			navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true })
		);
		const activated = new Promise<void>((resolve) =>
			worker.addEventListener('statechange', () => worker.state === 'activated' && resolve())
		);
		worker.postMessage({ type: 'SKIP_WAITING' });
		await Promise.all([changed, activated]);
		return {
			controller: navigator.serviceWorker.controller?.scriptURL ?? null,
			caches: (await caches.keys()).sort()
		};
	});
	expect(after.controller).toMatch(/\/service-worker\.js\?update-test$/);
	expect(after.caches).toEqual(['grounded-audio-test', ...before]);
});
