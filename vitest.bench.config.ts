import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumArgs, chromiumExecutable } from './scripts/browser.js';
import { rendererMemory } from './bench/process-memory';

// The offline half of `npm run bench`: renders in real Chromium, writes bench-results/offline.json.
export default defineConfig({
	// The shipped MP3s are served where the app serves them (/audio/curated/…).
	publicDir: 'static',
	test: {
		include: ['bench/**/*.bench.ts'],
		testTimeout: 600_000,
		browser: {
			enabled: true,
			headless: true,
			screenshotFailures: false,
			// The take-home bench reads the renderer's whole memory, not only its JS heap.
			commands: { rendererMemory },
			provider: playwright({
				launchOptions: {
					executablePath: chromiumExecutable(),
					// The heap figure forces garbage collection before each reading.
					args: [...chromiumArgs, '--js-flags=--expose-gc']
				}
			}),
			instances: [{ browser: 'chromium' }]
		}
	}
});
