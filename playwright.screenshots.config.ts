import { defineConfig } from '@playwright/test';
import type { EngineWorkerFixtures } from './tests/engines/fixtures';

// `npm run screenshots`, its cross-engine part (scripts/screenshots.engines.ts): docs/pacer-<engine>.png.
const engine = (engineName: EngineWorkerFixtures['engineName']) => ({ name: engineName, use: { engineName } });

export default defineConfig<object, EngineWorkerFixtures>({
	testDir: 'scripts',
	testMatch: 'screenshots.engines.ts',
	workers: 1,
	reporter: 'list',
	outputDir: 'test-results/screenshots',
	projects: [engine('chromium'), engine('firefox'), engine('webkit')]
});
