/**
 * Playwright Test fixtures for the journeys that run in every engine. The project chooses the engine
 * (`engineName`); each worker starts one rig (display, PulseAudio, static server, browser) and each
 * test gets a fresh tab with empty storage, whose errors fail the test unless it takes them itself.
 *
 * @example
 * test('the pacer begins', async ({ tab, rig }) => {
 *   await tab.goto('/breathe/');
 *   const recording = rig.pulse.record();
 *   await tab.click({ role: 'button', name: 'Begin' });
 * });
 */
import { test as base } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { floatWav } from '../support/wav';
import type { EngineName, EnginePage } from './harness/engine-page';
import type { Recording } from './harness/pulse';
import { startRig, type Rig } from './harness/rig';

/** How long one step of a tab's teardown (a screenshot, the page's errors, closing) may take. */
const TEARDOWN_STEP_MS = 15_000;

/** `work`, or a rejection once `ms` have passed without it settling. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const late = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`gave up after ${ms} ms`)), ms);
	});
	return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export interface EngineTestFixtures {
	/** A fresh tab: a first visit, with nothing stored. */
	tab: EnginePage;
	/** Starts recording what the engine plays; a failed test keeps every recording as a WAV. */
	listen: () => Promise<Recording>;
}

export interface EngineWorkerFixtures {
	engineName: EngineName;
	rig: Rig;
}

export const test = base.extend<EngineTestFixtures, EngineWorkerFixtures>({
	engineName: ['firefox', { option: true, scope: 'worker' }],
	rig: [
		async ({ engineName }, use) => {
			const rig = await startRig(engineName);
			await use(rig);
			await rig.stop();
		},
		{ scope: 'worker', timeout: 90_000 }
	],
	tab: async ({ rig }, use, testInfo) => {
		rig.server.setOffline(false);
		rig.server.resetStats();
		const tab = await rig.engine.newPage(rig.server.url);
		await use(tab);
		// Each step of the teardown has its own limit: a browser stuck after a failure (WebKitGTK once
		// held its screenshot for two minutes) must not hide the failure behind a teardown timeout.
		if (testInfo.status !== testInfo.expectedStatus) {
			const path = testInfo.outputPath('page.png');
			await within(TEARDOWN_STEP_MS, tab.screenshot(path))
				.then(() => testInfo.attachments.push({ name: 'page', path, contentType: 'image/png' }))
				.catch(() => undefined);
			const errors = await within(TEARDOWN_STEP_MS, tab.errors()).catch(() => []);
			if (errors.length > 0) testInfo.annotations.push({ type: 'page errors', description: errors.join('\n') });
		}
		await within(TEARDOWN_STEP_MS, tab.close()).catch(() => undefined);
	},
	listen: async ({ rig }, use, testInfo) => {
		const recordings: Recording[] = [];
		await use(async () => {
			const recording = await rig.pulse.record();
			recordings.push(recording);
			return recording;
		});
		for (const [index, recording] of recordings.entries()) {
			const samples = await recording.stop();
			if (testInfo.status === testInfo.expectedStatus) continue;
			const path = testInfo.outputPath(`recording-${index + 1}.wav`);
			writeFileSync(path, floatWav(samples, recording.rate));
			testInfo.attachments.push({ name: `recording ${index + 1}`, path, contentType: 'audio/wav' });
		}
	}
});

export { expect } from '@playwright/test';
