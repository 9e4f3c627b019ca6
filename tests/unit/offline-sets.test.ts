import { existsSync, readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CURATED_TRACKS } from '../../src/lib/music/catalog';
import {
	formatBytes,
	PERSISTENCE_TEXT,
	playlistItems,
	progressText,
	removableItems,
	sizeLabel,
	totalBytes,
	trackItems
} from '../../src/lib/offline/offline-sets';
import { CURATED_PLAYLISTS } from '../../src/lib/session/curated-playlists';

const playlist = (id: string) => CURATED_PLAYLISTS.find((one) => one.id === id)!;
const track = (id: string) => CURATED_TRACKS.find((one) => one.id === id)!;

describe('the files of a playlist', () => {
	it('are its tracks, each once, in order; soundscapes need none', () => {
		const items = playlistItems(playlist('quiet-home-practice'));
		expect(items).toEqual([
			{ url: track('arrival-harbour-first-light').file, bytes: track('arrival-harbour-first-light').bytes },
			{ url: track('return-evening-field').file, bytes: track('return-evening-field').bytes },
			{ url: track('grounding-quiet-rain').file, bytes: track('grounding-quiet-rain').bytes }
		]);
		expect(playlistItems(playlist('full-medicine-session'))).toHaveLength(10);
	});

	it('skip unknown and repeated track ids', () => {
		expect(trackItems(['nope', 'grounding-quiet-rain', 'grounding-quiet-rain'])).toEqual([
			{ url: track('grounding-quiet-rain').file, bytes: track('grounding-quiet-rain').bytes }
		]);
	});

	it('are the files the build ships under static/, at their catalog size (the worker keeps exactly those)', () => {
		const shipped = readdirSync('static/audio/curated').map((name) => `/audio/curated/${name}`);
		expect(shipped.sort()).toEqual(CURATED_TRACKS.map((one) => one.file).sort());
		for (const one of CURATED_TRACKS) {
			expect(existsSync(`static${one.file}`)).toBe(true);
			expect(statSync(`static${one.file}`).size, one.file).toBe(one.bytes);
			// Named for their content: a changed file gets a new name, so a stored copy is never stale.
			expect(one.file).toContain(`.${one.sha256}.`);
		}
	});
});

describe('removing a set', () => {
	it('keeps the files another kept set still needs', () => {
		const closing = playlistItems(playlist('closing-and-grounding'));
		const home = playlistItems(playlist('quiet-home-practice'));
		const removable = removableItems(home, [closing]);
		expect(removable.map((item) => item.url)).toEqual([
			track('arrival-harbour-first-light').file,
			track('return-evening-field').file
		]);
		expect(removableItems(home, [])).toEqual(home);
		expect(removableItems(home, [playlistItems(playlist('full-medicine-session'))])).toEqual([]);
	});
});

describe('figures and words', () => {
	it('sizes a download in whole megabytes, never below one', () => {
		expect(sizeLabel(17_600_000)).toBe('18 MB');
		expect(sizeLabel(5_950_000)).toBe('6 MB');
		expect(sizeLabel(200_000)).toBe('1 MB');
		expect(sizeLabel(totalBytes(playlistItems(playlist('closing-and-grounding'))))).toBe('6 MB');
	});

	it('shows progress as pieces and megabytes', () => {
		expect(progressText({ bytesDone: 7_149_000, bytesTotal: 12_400_000, itemsDone: 3, itemsTotal: 6 })).toBe(
			'3 of 6 pieces · 7.1 of 12.4 MB'
		);
		expect(progressText({ bytesDone: 0, bytesTotal: 2_050_351, itemsDone: 0, itemsTotal: 1 })).toBe(
			'0 of 1 piece · 0.0 of 2.1 MB'
		);
	});

	it('formats sizes in decimal units', () => {
		expect(formatBytes(0)).toBe('0 bytes');
		expect(formatBytes(999)).toBe('999 bytes');
		expect(formatBytes(45_500)).toBe('46 kB');
		expect(formatBytes(19_952_000)).toBe('20.0 MB');
		expect(formatBytes(3_240_000_000)).toBe('3.2 GB');
	});

	it('explains what the browser’s answer means', () => {
		expect(PERSISTENCE_TEXT.granted).toBe('This device will keep these files until you remove them.');
		expect(PERSISTENCE_TEXT.refused).toBe(
			'The browser may clear these files if the device runs short of space or the app isn’t opened for a while (Safari: after 7 days). Open Grounded now and then to keep them.'
		);
	});
});
