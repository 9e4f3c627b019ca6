/**
 * The pacer while practising, as each engine draws it (docs/pacer-<engine>.png): Chromium, Firefox
 * ESR and WebKitGTK, through the cross-engine harness (tests/engines). Part of `npm run screenshots`.
 */
import { test } from '../tests/engines/fixtures';
import { heading } from '../tests/engines/journeys';

test('the pacer, practising', async ({ tab, rig }) => {
	await tab.setViewport(1100, 820);
	await tab.goto('/breathe/');
	await heading(tab, /Breath/);
	await tab.click({ role: 'button', name: 'Begin' });
	// Past the warm-up, into the first in-breath.
	await new Promise((resolve) => setTimeout(resolve, 3_500));
	await tab.evaluate(() => window.scrollTo(0, 0));
	await tab.screenshot(`docs/pacer-${rig.engine.name}.png`);
});
