import { sveltekit } from '@sveltejs/kit/vite';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumExecutable, chromiumArgs } from './scripts/browser.js';

export default defineConfig({
	plugins: [sveltekit()],
	build: {
		// Tone.js is large; it is only ever loaded with import() after a user gesture.
		chunkSizeWarningLimit: 800
	},
	preview: { port: 4173, strictPort: true },
	test: {
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					environment: 'node',
					include: ['tests/unit/**/*.test.ts']
				}
			},
			{
				extends: true,
				test: {
					name: 'audio',
					include: ['tests/audio/**/*.test.ts'],
					testTimeout: 120_000,
					browser: {
						enabled: true,
						headless: true,
						screenshotFailures: false,
						provider: playwright({
							launchOptions: {
								executablePath: chromiumExecutable(),
								args: chromiumArgs
							}
						}),
						instances: [{ browser: 'chromium' }]
					}
				}
			}
		]
	}
});
