// Which browsers the tests drive. Playwright cannot download its own browsers on
// machines without internet, so Debian's are used: /usr/bin/chromium whenever
// Playwright's bundled build is absent, and for the cross-engine journeys
// firefox-esr and WebKitGTK's WebKitWebDriver with its MiniBrowser, recorded
// through PulseAudio (Xvfb gives MiniBrowser a display). scripts/ensure-browser.mjs
// installs what is missing.
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
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

/** @param {string} variable @param {string[]} candidates @returns {string | undefined} */
function firstExisting(variable, candidates) {
	const fromEnv = process.env[variable];
	if (fromEnv && existsSync(fromEnv)) return fromEnv;
	return candidates.find((candidate) => existsSync(candidate));
}

/** @param {string} name @returns {string | undefined} the program's path, if it is on PATH */
export function onPath(name) {
	for (const folder of (process.env.PATH ?? '').split(delimiter)) {
		if (folder && existsSync(join(folder, name))) return join(folder, name);
	}
	return undefined;
}

/** @returns {string | undefined} Firefox (Debian's ESR first) */
export function findFirefox() {
	return firstExisting('FIREFOX_PATH', ['/usr/bin/firefox-esr', '/usr/bin/firefox']);
}

/** @returns {string | undefined} WebKitGTK's WebDriver server */
export function findWebKitDriver() {
	return firstExisting('WEBKIT_DRIVER_PATH', ['/usr/bin/WebKitWebDriver']);
}

/** @returns {string | undefined} WebKitGTK's MiniBrowser, which WebKitWebDriver starts */
export function findMiniBrowser() {
	const candidates = [];
	for (const base of ['/usr/lib', '/usr/libexec', '/usr/lib64']) {
		const folders = existsSync(base) ? readdirSync(base) : [];
		// Debian: /usr/lib/<triplet>/webkit2gtk-4.1/MiniBrowser; others: /usr/libexec/webkit2gtk-4.1/MiniBrowser.
		for (const folder of folders) {
			if (folder.startsWith('webkit2gtk-')) candidates.push(join(base, folder, 'MiniBrowser'));
			else if (folder.endsWith('-linux-gnu')) {
				for (const inner of readdirSync(join(base, folder)).filter((name) => name.startsWith('webkit2gtk-'))) {
					candidates.push(join(base, folder, inner, 'MiniBrowser'));
				}
			}
		}
	}
	return firstExisting('MINIBROWSER_PATH', candidates.sort().reverse());
}

/**
 * What the cross-engine journeys need, each with the Debian package that brings it.
 * @type {readonly { what: string, pkg: string, find: () => string | undefined }[]}
 */
export const ENGINE_REQUIREMENTS = [
	{ what: 'Firefox ESR', pkg: 'firefox-esr', find: findFirefox },
	{ what: 'WebKitGTK WebDriver', pkg: 'webkit2gtk-driver', find: findWebKitDriver },
	{ what: 'WebKitGTK MiniBrowser', pkg: 'webkit2gtk-driver', find: findMiniBrowser },
	{ what: 'Xvfb (a display for MiniBrowser)', pkg: 'xvfb', find: () => onPath('Xvfb') },
	{ what: 'PulseAudio (a sink to record)', pkg: 'pulseaudio', find: () => onPath('pulseaudio') },
	{ what: 'parec and pactl', pkg: 'pulseaudio-utils', find: () => onPath('parec') && onPath('pactl') },
	{
		what: "GStreamer's PulseAudio output and MP3 decoder (WebKitGTK plays through them)",
		pkg: 'gstreamer1.0-plugins-good',
		find: () => findGStreamerPlugin('libgstpulseaudio.so') && findGStreamerPlugin('libgstmpg123.so')
	}
];

/** @param {string} file @returns {string | undefined} */
function findGStreamerPlugin(file) {
	const folders = ['/usr/lib/gstreamer-1.0', '/usr/lib64/gstreamer-1.0'];
	if (existsSync('/usr/lib')) {
		for (const folder of readdirSync('/usr/lib').filter((name) => name.endsWith('-linux-gnu'))) {
			folders.push(join('/usr/lib', folder, 'gstreamer-1.0'));
		}
	}
	return folders.map((folder) => join(folder, file)).find((path) => existsSync(path));
}
