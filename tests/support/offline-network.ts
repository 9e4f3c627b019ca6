/**
 * Helpers for tests and benches that need the app's service worker and a real network cut.
 *
 * @example
 * await page.goto('/session/');
 * await waitUntilControlled(page);
 * const cut = await goOffline(context); // page AND worker: nothing reaches the server now
 * await page.reload();
 * expect(cut.reachedNetwork).toEqual([]);
 * await cut.restore();
 */
import { expect, type BrowserContext, type Page, type Route } from '@playwright/test';

/** Waits for the worker to install and control the page; a page loaded before the worker existed may need a reload. */
export async function waitUntilControlled(page: Page): Promise<void> {
	const ready = await page.evaluate(async () => {
		const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), 20_000));
		return Promise.race([navigator.serviceWorker.ready.then(() => true), timeout]);
	});
	expect(ready, 'the service worker never became ready: is the server serving the current build?').toBe(true);
	const claimed = await page
		.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 5_000 })
		.then(() => true)
		.catch(() => false);
	if (!claimed) await page.reload();
	await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
}

export interface NetworkCut {
	/** Every URL that still tried to reach the network after the cut (and was refused). */
	readonly reachedNetwork: string[];
	/** Puts the network back. */
	restore(): Promise<void>;
}

/**
 * Cuts the network for the page and for the service worker's own fetches. setOffline alone did
 * not reach the worker in older Playwright (playwright #2311), so every request that still gets to
 * the network is also aborted; answers from the worker's cache never get that far. The audio tap's
 * worklet module (answered by a route of its own, never by the server) is let through.
 */
export async function goOffline(context: BrowserContext): Promise<NetworkCut> {
	const reachedNetwork: string[] = [];
	const handler = (route: Route) => {
		if (route.request().url().includes('/__audio-tap/')) return route.fallback();
		reachedNetwork.push(route.request().url());
		return route.abort('internetdisconnected');
	};
	await context.setOffline(true);
	await context.route('**/*', handler);
	return {
		reachedNetwork,
		restore: async () => {
			await context.unroute('**/*', handler);
			await context.setOffline(false);
		}
	};
}

/** Asks the browser to look for a new service worker now (it also looks on every full page load). */
export async function checkForUpdate(page: Page): Promise<void> {
	await page.evaluate(async () => {
		const registration = await navigator.serviceWorker.getRegistration();
		await registration?.update();
	});
}
