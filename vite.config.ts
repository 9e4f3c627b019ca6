import { sveltekit } from '@sveltejs/kit/vite';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { existsSync } from 'node:fs';
import type { Plugin } from 'vite';
import { chromiumArgs, chromiumExecutable } from './scripts/browser.js';
import { readSiteHeaders } from './scripts/headers-file.js';

/** `vite preview` sends the same security headers as a static host reading build/_headers. */
function securityHeadersInPreview(): Plugin {
	return {
		name: 'grounded-security-headers',
		configurePreviewServer(server) {
			server.middlewares.use((_request, response, next) => {
				if (existsSync('build/_headers')) {
					for (const [name, value] of Object.entries(readSiteHeaders('build'))) response.setHeader(name, value);
				}
				next();
			});
		}
	};
}

export default defineConfig({
	plugins: [sveltekit(), securityHeadersInPreview()],
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
