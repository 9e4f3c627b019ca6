import { defineConfig } from '@playwright/test';
import type { EngineWorkerFixtures } from './tests/engines/fixtures';

// The cross-engine part of `npm run bench` (bench/engines.journeys.ts): one engine at a time, so
// that no engine's figures are made while another browser competes for the same two cores.
const engine = (engineName: EngineWorkerFixtures['engineName']) => ({
	name: engineName,
	use: { engineName }
});

export default defineConfig<object, EngineWorkerFixtures>({
	testDir: 'bench',
	testMatch: 'engines.journeys.ts',
	fullyParallel: false,
	workers: 1,
	reporter: 'list',
	timeout: 600_000,
	outputDir: 'bench-results/engines-output',
	projects: [engine('chromium'), engine('firefox'), engine('webkit')]
});
