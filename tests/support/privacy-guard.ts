/**
 * Fails a journey on any request to another origin and on any Content-Security-Policy violation
 * (as tests/e2e/privacy.spec.ts checks page by page). Call before the first navigation; call what
 * it returns at the end.
 *
 * @example
 * const check = await guardPrivacy(page, context, baseURL!);
 * await page.goto('/library/');
 * …
 * await check();
 */
import { expect, type BrowserContext, type Page } from '@playwright/test';

type GuardWindow = Window & { __cspViolations: string[] };

export async function guardPrivacy(page: Page, context: BrowserContext, baseURL: string): Promise<() => Promise<void>> {
	const origin = new URL(baseURL).origin;
	const foreign: string[] = [];
	context.on('request', (request) => {
		const url = new URL(request.url());
		if (url.origin !== origin && !['data:', 'blob:'].includes(url.protocol)) foreign.push(request.url());
	});
	await page.addInitScript(() => {
		const seen: string[] = [];
		(window as unknown as GuardWindow).__cspViolations = seen;
		document.addEventListener('securitypolicyviolation', (event) =>
			seen.push(`${event.violatedDirective} blocked ${event.blockedURI}`)
		);
	});
	return async () => {
		expect(await page.evaluate(() => (window as unknown as GuardWindow).__cspViolations)).toEqual([]);
		expect(foreign).toEqual([]);
	};
}
