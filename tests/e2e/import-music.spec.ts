/**
 * The therapist's own music, as they would bring it in: a batch of good, damaged and non-audio
 * files (the bad ones named with their reason, nothing imported before lost), an M3U8 playlist
 * written on another computer, and removing a track to free its space. Nothing leaves the origin.
 */
import { expect, test, type Page } from '@playwright/test';
import { guardPrivacy as guard } from '../support/privacy-guard';
import { file, wav } from '../support/wav';

/** One second of WAV at 22 050 Hz: 44 header bytes and 44 100 bytes of samples. */
const ONE_SECOND_BYTES = 44_144;

const picker = (page: Page) => page.getByLabel('Choose music files…');
const trackList = (page: Page) => page.getByRole('list', { name: 'Imported tracks' });
const outcome = (page: Page) => page.getByRole('status').filter({ hasText: /Imported|No tracks|Removed/ });

test('a mix of good, damaged and non-audio files: the good are imported, each bad one is named, nothing is lost', async ({
	page,
	context,
	baseURL
}) => {
	const check = await guard(page, context, baseURL!);
	await page.goto('/');
	await page.getByRole('link', { name: /Your music/ }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Your music' })).toBeVisible();
	await expect(page.getByText('No music imported yet.')).toBeVisible();

	// Dropped onto the drop zone, as from a file manager.
	const earlier = [...wav(220)];
	const dropped = await page.evaluateHandle((bytes) => {
		const transfer = new DataTransfer();
		transfer.items.add(new File([new Uint8Array(bytes)], 'earlier.wav', { type: 'audio/wav' }));
		return transfer;
	}, earlier);
	const zone = page.getByRole('group', { name: 'Drop audio files and M3U playlists here' });
	await zone.dispatchEvent('dragover', { dataTransfer: dropped });
	await zone.dispatchEvent('drop', { dataTransfer: dropped });
	await expect(outcome(page)).toContainText('Imported 1 track.');
	await expect(trackList(page).getByRole('listitem')).toHaveCount(1);

	const good = wav(330);
	await picker(page).setInputFiles([
		file('good one.wav', good),
		file('notes.mp3', Buffer.from('Remember to bring the blanket.\n'), 'audio/mpeg'),
		file('broken.wav', good.subarray(0, 30)),
		file('empty.mp3', Buffer.alloc(0), 'audio/mpeg'),
		file('good two.wav', wav(440, 2))
	]);
	await expect(outcome(page)).toContainText('Imported 2 tracks.');
	await expect(page.getByRole('list', { name: 'Files not imported' }).getByRole('listitem')).toHaveText([
		'notes.mp3: this isn’t an audio file.',
		'broken.wav: this file could not be read as audio (it may be damaged or in a format this browser can’t play).',
		'empty.mp3: this file is empty.'
	]);

	const tracks = trackList(page);
	await expect(tracks.getByRole('listitem')).toHaveCount(3);
	await expect(tracks.getByRole('listitem').filter({ hasText: 'earlier' })).toContainText('0:01');
	await expect(tracks.getByRole('listitem').filter({ hasText: 'good one' })).toContainText('44 kB');
	await expect(tracks.getByRole('listitem').filter({ hasText: 'good two' })).toContainText('0:02');
	// 44 144 + 44 144 + 88 244 bytes.
	await expect(page.getByTestId('space-used')).toHaveText('Space used: 177 kB (3 tracks)');

	// Kept on the device: a fresh visit lists the same three.
	await page.reload();
	await expect(trackList(page).getByRole('listitem')).toHaveCount(3);
	await check();
});

test('an M3U8 from another computer becomes a playlist in its order; removing a track frees its space', async ({
	page,
	context,
	baseURL
}) => {
	const check = await guard(page, context, baseURL!);
	await page.goto('/library/');
	// The page takes files once it has listed what is already imported.
	await expect(page.getByTestId('space-used')).toHaveText('Space used: none (0 tracks)');
	const playlist = [
		'#EXTM3U',
		'#EXTINF:1,Someone - Second first',
		'sub\\track02.flac',
		'#EXTINF:1,Someone - First second',
		'../Music/Track01.WAV',
		'../Music/Not here.mp3',
		'http://radio.example.com/stream',
		''
	].join('\r\n');
	await picker(page).setInputFiles([
		file('track01.wav', wav(523)),
		file('Evening.m3u8', Buffer.from(playlist, 'utf8'), 'audio/x-mpegurl'),
		file('Track02.wav', wav(659))
	]);
	await expect(outcome(page)).toContainText('Imported 2 tracks.');
	await expect(outcome(page)).toContainText(
		'Playlist “Evening” made with 2 tracks. 1 of 3 entries had no matching file: Not here.mp3. 1 entry is an online stream: online streams can’t be imported.'
	);
	await expect(page.getByRole('list', { name: 'Evening' }).getByRole('listitem')).toHaveText(['Track02', 'track01']);
	await expect(page.getByTestId('space-used')).toHaveText('Space used: 88 kB (2 tracks)');

	const files = () =>
		page.evaluate(async () => {
			const folder = await (await navigator.storage.getDirectory()).getDirectoryHandle('tracks');
			const sizes: number[] = [];
			for await (const handle of folder.values()) {
				if (handle.kind === 'file') sizes.push((await (handle as FileSystemFileHandle).getFile()).size);
			}
			return sizes;
		});
	expect(await files()).toEqual([ONE_SECOND_BYTES, ONE_SECOND_BYTES]);

	const tracks = trackList(page);
	// By keyboard: the question takes focus on its safe answer, and “Keep it” gives it back.
	await tracks.getByRole('button', { name: 'Remove “track01”' }).focus();
	await page.keyboard.press('Enter');
	await expect(tracks.getByRole('button', { name: 'Keep it' })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(tracks.getByRole('button', { name: 'Remove “track01”' })).toBeFocused();
	await expect(tracks.getByRole('listitem')).toHaveCount(2);
	await tracks.getByRole('button', { name: 'Remove “track01”' }).click();
	await tracks.getByRole('button', { name: 'Yes, remove “track01”' }).click();
	await expect(outcome(page)).toContainText('Removed “track01”.');
	await expect(tracks.getByRole('listitem')).toHaveCount(1);
	await expect(page.getByTestId('space-used')).toHaveText('Space used: 44 kB (1 track)');
	expect(await files()).toEqual([ONE_SECOND_BYTES]);
	await expect(page.getByRole('list', { name: 'Evening' }).getByRole('listitem')).toHaveText(['Track02']);
	await expect(page.getByText('1 track of this playlist was removed.')).toBeVisible();

	// The imported playlist becomes a session playlist of what is left of it, opened in the editor.
	await page.getByRole('button', { name: 'Make a session playlist from “Evening”' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Edit session playlist' })).toBeVisible();
	await expect(page.getByLabel('Title')).toHaveValue('Evening');
	await expect(page.locator('#phase-phase-1 .item-title')).toHaveText(['Track02']);
	await check();
});
