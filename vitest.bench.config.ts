import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumArgs, chromiumExecutable } from './scripts/browser.js';

// The offline half of `npm run bench`: renders in real Chromium, writes bench-results/offline.json.
export default defineConfig({
	test: {
		include: ['bench/**/*.bench.ts'],
		testTimeout: 600_000,
		browser: {
			enabled: true,
			headless: true,
			screenshotFailures: false,
			provider: playwright({ launchOptions: { executablePath: chromiumExecutable(), args: chromiumArgs } }),
			instances: [{ browser: 'chromium' }]
		}
	}
});
