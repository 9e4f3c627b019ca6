/**
 * The therapist's own music, as they would bring it in: a batch of good, damaged and non-audio
 * files (the bad ones named with their reason, nothing imported before lost), each levelled to the
 * curated music (a loud master cut all the way, a quiet file with high peaks boosted only as far
 * as they allow, an earlier import levelled again under today's rule), an M3U8 playlist written on
 * another computer, and removing a track to free its space. Nothing leaves the origin.
 */
import { expect, test, type Page } from '@playwright/test';
import { TARGET_LUFS, TRUE_PEAK_CEILING_DBTP } from '../../src/lib/library/import-audio';
import { LEVELLING } from '../../src/lib/library/imported-tracks';
import { guardPrivacy as guard } from '../support/privacy-guard';
import { file, pcmWav, wav } from '../support/wav';

/** One second of WAV at 22 050 Hz: 44 header bytes and 44 100 bytes of samples. */
const ONE_SECOND_BYTES = 44_144;

const picker = (page: Page) => page.getByLabel('Choose music files…');
const trackList = (page: Page) => page.getByRole('list', { name: 'Imported tracks' });
const outcome = (page: Page) => page.getByRole('status').filter({ hasText: /Imported|No tracks|Removed/ });

const PCM_RATE = 44_100;

/**
 * A mono 16-bit WAV at 44.1 kHz: a 1 kHz sine at `lufs` (a mono sine reads 3.01 dB below its
 * peak, and K-weighting leaves 1 kHz as it is), with, when `burstDb` is given, a smooth 2 kHz
 * burst peaking there once a second. The burst is low enough in pitch for its true peak to be its
 * sample peak.
 */
function levelWav(lufs: number, seconds: number, burstDb?: number): Buffer {
	const amplitude = 10 ** ((lufs + 3.01) / 20);
	const burst = burstDb === undefined ? 0 : 10 ** (burstDb / 20);
	const burstFrames = 32;
	// The burst's crest falls on its middle sample.
	const phase = Math.PI / 2 - (2 * Math.PI * 2000 * (burstFrames / 2)) / PCM_RATE;
	const samples = new Float32Array(seconds * PCM_RATE);
	for (let i = 0; i < samples.length; i += 1) {
		const at = (i % PCM_RATE) - PCM_RATE / 2;
		const inBurst = burst > 0 && at >= 0 && at < burstFrames;
		const window = 0.5 - 0.5 * Math.cos((2 * Math.PI * at) / burstFrames);
		samples[i] = inBurst
			? burst * window * Math.sin((2 * Math.PI * 2000 * at) / PCM_RATE + phase)
			: amplitude * Math.sin((2 * Math.PI * 1000 * i) / PCM_RATE);
	}
	return pcmWav(samples, PCM_RATE);
}

interface StoredLevel {
	loudnessLufs: number | null;
	truePeakDb?: number | null;
	gainDb: number;
	levelling?: number;
}

/** What the library keeps of each imported track's level, by title, read from IndexedDB as the app stored it. */
function storedLevels(page: Page): Promise<Record<string, StoredLevel>> {
	return page.evaluate(
		() =>
			new Promise<Record<string, StoredLevel>>((resolve, reject) => {
				const open = indexedDB.open('grounded');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const db = open.result;
					const request = db
						.transaction('keyval')
						.objectStore('keyval')
						.getAll(IDBKeyRange.bound('imported-track:', 'imported-track:\uffff'));
					request.onsuccess = () => {
						db.close();
						const byTitle: Record<string, StoredLevel> = {};
						for (const track of request.result as (StoredLevel & { title: string })[]) byTitle[track.title] = track;
						resolve(byTitle);
					};
					request.onerror = () => reject(request.error);
				};
			})
	);
}

/** Rewrites a kept track's details as the first levelling rule saved them: no rule number, no true peak, `gainDb`. */
function keepAsFirstRule(page: Page, title: string, gainDb: number): Promise<void> {
	return page.evaluate(
		({ title, gainDb }) =>
			new Promise<void>((resolve, reject) => {
				const open = indexedDB.open('grounded');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const db = open.result;
					const tx = db.transaction('keyval', 'readwrite');
					const store = tx.objectStore('keyval');
					const cursor = store.openCursor(IDBKeyRange.bound('imported-track:', 'imported-track:\uffff'));
					cursor.onsuccess = () => {
						const at = cursor.result;
						if (!at) return;
						const record = { ...(at.value as Record<string, unknown>) };
						if (record.title === title) {
							delete record.levelling;
							delete record.truePeakDb;
							at.update({ ...record, gainDb });
						}
						at.continue();
					};
					tx.oncomplete = () => {
						db.close();
						resolve();
					};
					tx.onerror = () => reject(tx.error);
				};
			}),
		{ title, gainDb }
	);
}

/** Init script: every line the “Imported tracks” status shows, as it appears, however briefly. */
function recordStatusLines() {
	const seen: string[] = [];
	(window as unknown as { __statusLines: string[] }).__statusLines = seen;
	new MutationObserver(() => {
		for (const line of document.querySelectorAll('[role="status"] p')) {
			const text = line.textContent?.trim() ?? '';
			if (text && !seen.includes(text)) seen.push(text);
		}
	}).observe(document, { childList: true, subtree: true, characterData: true });
}

test('a mix of good, damaged and non-audio files: the good are imported, each bad one is named, nothing is lost; each is levelled, and an earlier import is levelled again', async ({
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

	// Levelled to the curated music's −23 LUFS: a master at −8 LUFS comes all the way down; a quiet
	// file with bursts peaking at −2 dBFS goes up only as far as keeps them at −1 dBTP.
	await picker(page).setInputFiles([
		file('loud master.wav', levelWav(-8, 3)),
		file('quiet with peaks.wav', levelWav(-35, 3, -2)),
		file('very loud master.wav', levelWav(-5, 3))
	]);
	await expect(outcome(page)).toContainText('Imported 3 tracks.');
	const levels = await storedLevels(page);
	const loud = levels['loud master']!;
	expect(Math.abs(loud.loudnessLufs! - -8)).toBeLessThan(0.2);
	expect(Math.abs(loud.gainDb - (TARGET_LUFS - -8))).toBeLessThan(0.2);
	const peaky = levels['quiet with peaks']!;
	// The bursts add about 2 dB to the tone's −35 LUFS: it wants some +10 dB, and gets +1.
	expect(peaky.loudnessLufs!).toBeLessThan(-32);
	expect(Math.abs(peaky.truePeakDb! - -2)).toBeLessThan(0.1);
	expect(peaky.gainDb).toBeCloseTo(TRUE_PEAK_CEILING_DBTP - peaky.truePeakDb!, 6);
	expect(peaky.gainDb).toBeLessThan(TARGET_LUFS - peaky.loudnessLufs! - 8);
	expect(Object.values(levels).map((level) => level.levelling)).toEqual(new Array(6).fill(LEVELLING));

	// An earlier import, kept as the first rule saved it: a master at −5 LUFS whose cut stopped at 12 dB.
	await keepAsFirstRule(page, 'very loud master', -12);
	await page.addInitScript(recordStatusLines);
	await page.reload();
	await expect(page.getByText('Levelled 1 earlier import again to sit with the curated music.')).toBeVisible();
	const lines = await page.evaluate(() => (window as unknown as { __statusLines: string[] }).__statusLines);
	expect(lines).toContain('Levelling 1 of 1 earlier import…');
	const again = (await storedLevels(page))['very loud master']!;
	expect(again.levelling).toBe(LEVELLING);
	expect(Math.abs(again.gainDb - (TARGET_LUFS - -5))).toBeLessThan(0.2);
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
