// Which Chromium the browser tests drive. Playwright cannot download its own
// browsers on machines without internet, so Debian's /usr/bin/chromium is used
// whenever Playwright's bundled build is absent. scripts/ensure-browser.mjs
// installs it when needed.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright';

const systemCandidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** @returns {string | undefined} the browser Playwright would launch by itself, if installed */
function bundledChromium() {
	try {
		const path = chromium.executablePath();
		return path && existsSync(path) ? path : undefined;
	} catch {
		// Playwright throws when its browser registry has no entry for this platform.
		return undefined;
	}
}

/** @returns {string | undefined} any usable Chromium, bundled or system */
export function findChromium() {
	if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
	return bundledChromium() ?? systemCandidates.find((candidate) => existsSync(candidate));
}

/** @returns {string | undefined} an executablePath for launch options; undefined lets Playwright use its own */
export function chromiumExecutable() {
	const path = findChromium();
	return path === bundledChromium() ? undefined : path;
}

// Offline machines refuse Chromium's background connections; these flags keep it quiet.
// The autoplay flag lets tests that are not about the unlock path play without a gesture; the
// fake-media flags give recording tests a microphone (a tone) that is allowed without a prompt.
export const chromiumArgs = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--autoplay-policy=no-user-gesture-required',
	'--use-fake-device-for-media-stream',
	'--use-fake-ui-for-media-stream'
];
