// Makes sure a Chromium exists for the browser tests. On a machine without one,
// as root with apt-get, it installs Debian's `chromium`; otherwise it says
// exactly what to install and fails.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findChromium } from './browser.js';

let browser = findChromium();
if (!browser) {
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (isRoot && existsSync('/usr/bin/apt-get')) {
		console.log('No Chromium found: installing Debian\'s "chromium" with apt-get (once)…');
		execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
			stdio: 'inherit'
		});
		browser = findChromium();
	}
}
if (!browser) {
	console.error(
		[
			'The browser tests need Chromium, and none was found.',
			'Install one of these, then run the tests again:',
			'  Debian or Ubuntu:        sudo apt-get install chromium',
			'  with internet access:    npx playwright install chromium',
			'Or set CHROMIUM_PATH to an existing Chromium or Chrome binary.'
		].join('\n')
	);
	process.exit(1);
}
console.log(`Browser tests use ${browser}`);
