/**
 * The therapist's own session playlist, as they would make one before a session: two tracks of
 * their own imported, a new playlist with them in the first phase (reordered by keyboard and by
 * drag, a soundscape removed, undone and removed again), bad fields refused, a phase removed and
 * put back, saved and still there after a reload; then, with the network cut, played in the session
 * console, where the imported track sounds at the output and the next one follows; a curated playlist duplicated to
 * adapt; and a delete undone, then done. Nothing leaves the origin.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { blockPeaks, installAudioTap, readTap, waitForSoundingContext } from '../support/audio-tap';
import { goOffline, waitUntilControlled } from '../support/offline-network';
import { guardPrivacy } from '../support/privacy-guard';
import { file, wav } from '../support/wav';

test.describe.configure({ timeout: 150_000 });

/** A phase of a new playlist; its id is its kind. */
const phase = (page: Page, kind: string) => page.locator(`#phase-${kind}`);

/** The names of the items of a phase, in order. */
const itemNames = (phaseCard: Locator) => phaseCard.locator('.item-title').allTextContents();

async function peakDb(page: Page, id: number, from: number, to: number): Promise<number> {
	const blocks = await blockPeaks(page, id, from, to);
	expect(blocks.length).toBeGreaterThan(0);
	return 20 * Math.log10(Math.max(1e-9, ...blocks.map((block) => block.peak)));
}

test('an own playlist of imported music: made, reordered, checked, saved, played in a session, duplicated, deleted with Undo', async ({
	page,
	context,
	baseURL
}) => {
	const check = await guardPrivacy(page, context, baseURL!);
	await installAudioTap(page);

	await page.goto('/library/');
	await expect(page.getByTestId('space-used')).toHaveText('Space used: none (0 tracks)');
	await page
		.getByLabel('Choose music files…')
		.setInputFiles([file('Blue hour.wav', wav(440, 40)), file('Low tide.wav', wav(330, 40))]);
	await expect(page.getByRole('status').filter({ hasText: 'Imported' })).toContainText('Imported 2 tracks.');

	await page.goto('/');
	await page.getByRole('link', { name: /Session playlists/ }).click();
	await expect(page.getByText('None yet.')).toBeVisible();
	await page.getByRole('link', { name: 'New playlist' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'New session playlist' })).toBeVisible();
	await page.getByLabel('Title').fill('Evening session');

	// The first phase: its soundscape, then both imported tracks.
	const arrival = phase(page, 'arrival');
	await expect(arrival.getByLabel('Add to Arrival')).toContainText('Blue hour (0:40)');
	await arrival.getByLabel('Add to Arrival').selectOption({ label: 'Blue hour (0:40)' });
	await arrival.getByRole('button', { name: 'Add', exact: true }).click();
	await arrival.getByLabel('Add to Arrival').selectOption({ label: 'Low tide (0:40)' });
	await arrival.getByRole('button', { name: 'Add', exact: true }).click();
	expect(await itemNames(arrival)).toEqual(['Warm drone (generated)', 'Blue hour', 'Low tide']);

	// By keyboard: Alt+↑ on a track's control moves it up, and focus stays with it.
	await arrival.getByRole('button', { name: 'Up (“Low tide”)' }).focus();
	await page.keyboard.press('Alt+ArrowUp');
	expect(await itemNames(arrival)).toEqual(['Warm drone (generated)', 'Low tide', 'Blue hour']);
	await expect(page.locator('#item-arrival-1')).toBeFocused();

	// By drag: Blue hour's handle to the top of the list.
	const handle = arrival.getByRole('button', { name: 'Move “Blue hour”: drag, or press Alt+Up or Alt+Down' });
	const from = (await handle.boundingBox())!;
	const top = (await page.locator('#item-arrival-0').boundingBox())!;
	await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
	await page.mouse.down();
	await page.mouse.move(from.x + from.width / 2, from.y - 10, { steps: 4 });
	await page.mouse.move(from.x + from.width / 2, top.y + 4, { steps: 8 });
	await page.mouse.up();
	expect(await itemNames(arrival)).toEqual(['Blue hour', 'Warm drone (generated)', 'Low tide']);

	// The soundscape removed, put back where it was, and removed again.
	await arrival.getByRole('button', { name: 'Remove “Warm drone (generated)” from Arrival' }).click();
	await expect(page.locator('#undo-remove')).toBeFocused();
	await page.locator('#undo-remove').click();
	expect(await itemNames(arrival)).toEqual(['Blue hour', 'Warm drone (generated)', 'Low tide']);
	await arrival.getByRole('button', { name: 'Remove “Warm drone (generated)” from Arrival' }).click();
	expect(await itemNames(arrival)).toEqual(['Blue hour', 'Low tide']);
	await expect(
		arrival.getByText('Tracks: 1:20 of 15 minutes; a soundscape that suits the phase fills the rest.')
	).toBeVisible();

	// Bad fields are refused at the field, and nothing is saved.
	await arrival.getByLabel('Planned minutes').fill('0');
	await page.getByLabel('Title').fill(' ');
	await page.getByRole('button', { name: 'Save playlist' }).click();
	await expect(page.getByRole('alert')).toHaveText(
		'The playlist was not saved: some fields need changing (marked below).'
	);
	await expect(page.getByText('Give the playlist a title.')).toBeVisible();
	await expect(arrival.getByText('The planned length must be from 1 to 240 minutes.')).toBeVisible();
	await expect(page.getByLabel('Title')).toBeFocused();
	await page.getByLabel('Title').fill('Evening session');
	await arrival.getByLabel('Planned minutes').fill('2');

	// A phase removed and put back in its place.
	await phase(page, 'grounding').getByRole('button', { name: 'Remove phase 5' }).click();
	await expect(page.getByText('Phase “Grounding” removed.')).toBeVisible();
	await page.locator('#undo-remove').click();
	await expect(phase(page, 'grounding')).toBeVisible();

	await page.getByRole('button', { name: 'Save playlist' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'saved' })).toHaveText('“Evening session” saved.');
	await expect(page).toHaveURL(/\/playlists\/edit\/\?playlist=own-[0-9a-z]{8}$/);
	await page.reload();
	await expect(page.getByLabel('Title')).toHaveValue('Evening session');
	expect(await itemNames(phase(page, 'arrival'))).toEqual(['Blue hour', 'Low tide']);
	await expect(phase(page, 'arrival').getByLabel('Planned minutes')).toHaveValue('2');

	// In the session console with the network cut (page and service worker): the playlist is
	// chosen, and the imported track plays from the device.
	await waitUntilControlled(page);
	const cut = await goOffline(context);
	await page.reload();
	await expect(page.getByLabel('Title')).toHaveValue('Evening session');
	await page.getByRole('link', { name: 'Use in a session' }).click();
	await expect(page.getByRole('radio', { name: /Evening session/ })).toBeChecked();
	await page.getByRole('button', { name: 'Start the music' }).click();
	const id = await waitForSoundingContext(page, [], 15_000);
	await expect(page.getByText(/Playing: Blue hour/)).toBeVisible();
	await page.waitForTimeout(5_000);
	let now = (await readTap(page, id)).currentTime;
	// Played at the level of the curated music: the 440 Hz tone of amplitude 0.3 (peak −10.5 dBFS,
	// −14.1 LUFS) brought to −23 LUFS by the gain measured at import (−8.9 dB), at the console's
	// volume of 0.8 (−3.9 dB): peaks at −23.3 dBFS.
	const level = await peakDb(page, id, now - 2, now - 0.5);
	expect(level).toBeGreaterThan(-24.8);
	expect(level).toBeLessThan(-21.8);
	await page.keyboard.press('ArrowRight');
	await expect(page.getByText(/Playing: Low tide/)).toBeVisible();
	await page.waitForTimeout(8_000);
	now = (await readTap(page, id)).currentTime;
	expect(await peakDb(page, id, now - 2, now - 0.5)).toBeGreaterThan(-30);
	await page.getByRole('button', { name: 'Fade out and end' }).click();
	// Page loads try the network first (then the worker's copy answers); code and audio never do.
	expect(cut.reachedNetwork.filter((url) => !new URL(url).pathname.endsWith('/'))).toEqual([]);
	await cut.restore();

	// A curated playlist duplicated to adapt; then the own playlist deleted, undone, deleted.
	await page.goto('/playlists/');
	await page.getByRole('button', { name: 'Duplicate to adapt “Closing and grounding”' }).click();
	await expect(page.getByLabel('Title')).toHaveValue('Closing and grounding (my version)');
	await page.getByRole('link', { name: '← All session playlists' }).click();
	const own = page.getByRole('region', { name: 'Your playlists' });
	await expect(own.getByRole('heading', { level: 3 })).toHaveText([
		'Closing and grounding (my version)',
		'Evening session'
	]);
	await own.getByRole('button', { name: 'Delete “Evening session”' }).click();
	await expect(page.getByRole('button', { name: 'Undo deleting “Evening session”' })).toBeFocused();
	await page.getByRole('button', { name: 'Undo deleting “Evening session”' }).click();
	await expect(own.getByRole('heading', { name: 'Evening session' })).toBeFocused();
	await own.getByRole('button', { name: 'Delete “Evening session”' }).click();
	// Leaving within the undo window carries the delete out.
	await page.reload();
	await expect(own.getByRole('heading', { level: 3 })).toHaveText(['Closing and grounding (my version)']);
	await check();
});
