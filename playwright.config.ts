import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumExecutable } from './scripts/browser.js';

// setOffline alone did not cut a service worker's own requests in older Playwright
// (playwright #2311); with this flag route handlers see them too, so the offline
// tests can abort every request that would reach the network.
process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS = '1';

const port = 4173;

export default defineConfig({
	testDir: 'tests/e2e',
	fullyParallel: false,
	workers: 1,
	forbidOnly: !!process.env.CI,
	retries: process.env.CI ? 1 : 0,
	reporter: 'list',
	timeout: 60_000,
	use: {
		baseURL: `http://localhost:${port}`,
		trace: 'retain-on-failure',
		launchOptions: {
			executablePath: chromiumExecutable(),
			args: chromiumArgs
		}
	},
	webServer: {
		command: `npx vite preview --port ${port} --strictPort`,
		url: `http://localhost:${port}`,
		reuseExistingServer: !process.env.CI,
		timeout: 60_000
	}
});
