// Makes sure the browsers the tests drive exist: Chromium for every test, and for the journeys that
// run in all three engines Firefox ESR, WebKitGTK (WebKitWebDriver and MiniBrowser), Xvfb, and
// PulseAudio to record what they play. On a machine without them, as root with apt-get, it installs
// Debian's packages in one go; otherwise it names exactly what to install and fails.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ENGINE_REQUIREMENTS, findChromium } from './browser.js';

const requirements = [{ what: 'Chromium', pkg: 'chromium', find: findChromium }, ...ENGINE_REQUIREMENTS];
const missing = () => requirements.filter((requirement) => !requirement.find());

let absent = missing();
if (absent.length > 0) {
	const packages = [...new Set(absent.map((requirement) => requirement.pkg))];
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (isRoot && existsSync('/usr/bin/apt-get')) {
		console.log(`Installing Debian's ${packages.join(', ')} with apt-get (once)…`);
		execSync(
			`apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${packages.join(' ')} gstreamer1.0-plugins-base`,
			{ stdio: 'inherit' }
		);
		absent = missing();
	}
}
if (absent.length > 0) {
	const packages = [...new Set(absent.map((requirement) => requirement.pkg))];
	console.error(
		[
			'The browser tests need programs that were not found:',
			...absent.map((requirement) => `  ${requirement.what} (Debian package ${requirement.pkg})`),
			'Install them, then run the tests again:',
			`  Debian or Ubuntu:   sudo apt-get install ${packages.join(' ')}`,
			'Or point to existing ones: CHROMIUM_PATH, FIREFOX_PATH, WEBKIT_DRIVER_PATH, MINIBROWSER_PATH.'
		].join('\n')
	);
	process.exit(1);
}
console.log('Browser tests use:');
for (const requirement of requirements) console.log(`  ${requirement.what}: ${requirement.find()}`);
