// Small helpers the bench scripts share: a seeded random source, so that every run measures the
// same data, the median of a few timings, and waiting until the service worker controls a page.

/**
 * A seeded pseudo-random source (mulberry32): numbers in [0, 1), the same for the same seed.
 * @param {number} seed
 */
export function mulberry32(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** @param {number[]} values */
export function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	const high = sorted[middle] ?? NaN;
	return sorted.length % 2 === 1 ? high : ((sorted[middle - 1] ?? NaN) + high) / 2;
}

/**
 * Waits until the app's service worker controls `page`, reloading once if it was installed but
 * did not claim the page.
 * @param {import('playwright').Page} page
 */
export async function waitUntilControlled(page) {
	await page.evaluate(() => navigator.serviceWorker.ready);
	const claimed = await page
		.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 5_000 })
		.then(() => true)
		.catch(() => false);
	if (!claimed) await page.reload();
	await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10_000 });
}
