/**
 * Nothing leaves the device: every route and journey stays on the app's own
 * origin under a strict CSP; "Erase all my data" really erases.
 */
import { expect, test, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const buildDir = 'build';

function builtPages(dir = buildDir): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return builtPages(path);
		return entry.name.endsWith('.html') ? [path] : [];
	});
}

/** '/breathe/index.html' → '/breathe/' */
function routeOf(file: string): string {
	return (
		'/' +
		relative(buildDir, file)
			.replace(/index\.html$/, '')
			.replace(/\.html$/, '')
	);
}

const routes = builtPages().map(routeOf).sort();

async function watchViolations(page: Page): Promise<void> {
	await page.addInitScript(() => {
		const seen: string[] = [];
		(window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
		document.addEventListener('securitypolicyviolation', (event) => {
			seen.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
		});
	});
}

async function violations(page: Page): Promise<string[]> {
	return page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
}

test('every prerendered page carries a strict CSP without unsafe-eval', () => {
	expect(routes).toEqual(expect.arrayContaining(['/', '/breathe/', '/privacy/']));
	for (const file of builtPages()) {
		const html = readFileSync(file, 'utf8');
		const csp = html.match(/<meta http-equiv="content-security-policy" content="([^"]*)"/)?.[1];
		expect(csp, `${file} has a CSP`).toBeDefined();
		expect(csp).not.toContain('unsafe-eval');
		expect(csp).not.toContain('unsafe-inline');
		for (const directive of [
			"default-src 'self'",
			"connect-src 'self'",
			"object-src 'none'",
			"base-uri 'self'",
			"form-action 'self'"
		]) {
			expect(csp).toContain(directive);
		}
		expect(csp).toMatch(/script-src 'self'( 'sha256-[^']+')*;/);
	}
});

test('the server sends the security headers on every route', async ({ request }) => {
	for (const route of routes) {
		const response = await request.get(route);
		expect(response.ok()).toBe(true);
		const headers = response.headers();
		expect(headers['content-security-policy']).toContain("default-src 'self'");
		expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
		expect(headers['content-security-policy']).not.toContain('unsafe-eval');
		expect(headers['referrer-policy']).toBe('no-referrer');
		expect(headers['x-content-type-options']).toBe('nosniff');
		expect(headers['permissions-policy']).toContain('microphone=(self)');
		expect(headers['permissions-policy']).toContain('screen-wake-lock=(self)');
	}
});

test('no request leaves the app’s origin and the CSP blocks nothing, on every route and journey', async ({
	page,
	context,
	baseURL
}) => {
	const origin = new URL(baseURL!).origin;
	const foreign: string[] = [];
	// The context sees the page's and the service worker's requests alike.
	context.on('request', (request) => {
		const url = new URL(request.url());
		if (url.origin !== origin && !['data:', 'blob:'].includes(url.protocol)) foreign.push(request.url());
	});
	await watchViolations(page);

	for (const route of routes) {
		await page.goto(route);
		await page.waitForLoadState('networkidle');
		expect(await violations(page), route).toEqual([]);
	}

	// The breathing journey: settings, sound (which loads Tone and starts its worker clock), pause, resume, stop.
	await page.goto('/breathe/');
	await page.getByRole('radio', { name: /Box breathing/ }).check();
	await page.getByRole('radio', { name: /Bowl chimes/ }).check();
	await page.getByRole('button', { name: 'Begin' }).click();
	await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
	await page.waitForTimeout(2_500);
	await page.getByRole('button', { name: 'Pause' }).click();
	await page.getByRole('button', { name: 'Resume' }).click();
	await page.waitForTimeout(1_000);
	await page.getByRole('button', { name: 'Stop' }).click();
	await expect(page.getByRole('button', { name: 'Begin' })).toBeVisible();
	expect(await violations(page)).toEqual([]);

	// The session-music journey: howler's media elements, the Tone soundscapes, the lock screen controls.
	await page.goto('/session/');
	await page.getByRole('button', { name: 'Start the music' }).click();
	await expect(page.getByRole('button', { name: 'Dose given' })).toBeVisible();
	await page.getByRole('button', { name: 'Dose given' }).click();
	await page.waitForTimeout(2_000);
	await page.getByRole('button', { name: 'Next piece' }).click();
	await page.waitForTimeout(3_000);
	await page.getByRole('button', { name: 'Fade out and end' }).click();
	await expect(page.getByRole('button', { name: 'Start the music' })).toBeVisible();
	expect(await violations(page)).toEqual([]);

	// The privacy journey, up to the confirmation and back out.
	await page.goto('/privacy/');
	await page.getByRole('button', { name: 'Erase all my data' }).click();
	await expect(page.getByRole('dialog', { name: 'Erase everything?' })).toBeVisible();
	await page.getByRole('button', { name: 'Keep my data' }).click();
	await expect(page.getByRole('dialog')).toBeHidden();
	expect(await violations(page)).toEqual([]);

	expect(foreign).toEqual([]);
});

test('erase all my data leaves no database, cache or service worker behind', async ({ page }) => {
	await page.goto('/breathe/');
	await page.getByRole('radio', { name: /4-7-8/ }).check();
	await page.waitForTimeout(600);
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	const before = await page.evaluate(async () => ({
		databases: (await indexedDB.databases()).map((db) => db.name),
		caches: await caches.keys(),
		workers: (await navigator.serviceWorker.getRegistrations()).length
	}));
	expect(before.databases).toContain('grounded');
	expect(before.caches.length).toBeGreaterThan(0);
	expect(before.workers).toBe(1);

	await page.goto('/privacy/');
	const downloading = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Save a copy of my data' }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).toMatch(/^grounded-data-\d{4}-\d{2}-\d{2}\.json$/);
	const copy = JSON.parse(readFileSync(await download.path(), 'utf8'));
	expect(copy).toMatchObject({ app: 'Grounded', data: { 'pacer-settings': { pattern: 'four-seven-eight' } } });

	await page.getByRole('button', { name: 'Erase all my data' }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Erase everything' }).click();
	await expect(page.getByRole('status')).toContainText('has been erased');

	const after = await page.evaluate(async () => ({
		databases: (await indexedDB.databases()).map((db) => db.name),
		caches: await caches.keys(),
		workers: (await navigator.serviceWorker.getRegistrations()).length,
		local: localStorage.length
	}));
	expect(after).toEqual({ databases: [], caches: [], workers: 0, local: 0 });

	// As on a first visit: the defaults are back.
	await page.getByRole('link', { name: 'Open Grounded afresh' }).click();
	await expect(page.getByRole('heading', { name: 'Grounded', level: 1 })).toBeVisible();
	await page.goto('/breathe/');
	await expect(page.getByRole('radio', { name: /Coherent breathing/ })).toBeChecked();
});
