import { describe, expect, it } from 'vitest';
import { ImportedTrackStore, importedTrackKey, type NewImportedTrack } from '../../src/lib/library/imported-tracks';
import { formatOfType, TrackSources } from '../../src/lib/library/track-sources';
import { sourceOf as curatedSourceOf } from '../../src/lib/music/catalog';
import { importedItem } from '../../src/lib/session/playlist-edit';
import { memoryBackend } from '../../src/lib/storage/key-value';

const meta = (fields: Partial<NewImportedTrack> = {}): NewImportedTrack => ({
	title: 'Eden',
	artist: 'Hania Rani',
	fileName: 'eden.mp3',
	mime: 'audio/mpeg',
	durationSeconds: 215.5,
	loudnessLufs: -16.2,
	gainDb: -6.8,
	importedAt: 1_700_000_000_000,
	...fields
});

/** Bytes of `size` all set to `fill`, so that each file (and its id) is its own. */
const bytesOf = (fill: number, size = 48): ArrayBuffer => new Uint8Array(size).fill(fill).buffer;

/** A store, sources over it, and the URLs made and revoked, in order. */
function setup() {
	const backend = memoryBackend();
	const store = new ImportedTrackStore({ backend });
	const made: { url: string; blob: Blob }[] = [];
	const revoked: string[] = [];
	const sources = new TrackSources({
		store,
		createUrl: (blob) => {
			const url = `blob:test/${made.length + 1}`;
			made.push({ url, blob });
			return url;
		},
		revokeUrl: (url) => void revoked.push(url)
	});
	const add = async (fill: number, fields: Partial<NewImportedTrack> = {}, size = 48) => {
		const added = await store.add(bytesOf(fill, size), meta(fields));
		if (!added.ok) throw new Error(added.reason);
		return added.value;
	};
	return { backend, store, sources, made, revoked, add };
}

const CURATED_ID = 'arrival-harbour-first-light';

describe('formatOfType', () => {
	it('gives Howler’s format for each type an import accepts, MP3 for any other', () => {
		expect(
			['audio/mpeg', 'audio/wav', 'audio/x-wav', 'audio/flac', 'audio/x-flac', 'audio/mp4', 'AUDIO/MP4'].map(
				formatOfType
			)
		).toEqual(['mp3', 'wav', 'wav', 'flac', 'flac', 'm4a', 'm4a']);
		expect(['audio/aac', 'audio/ogg', 'audio/opus', 'audio/webm', 'audio/x-unknown'].map(formatOfType)).toEqual([
			'aac',
			'ogg',
			'opus',
			'webm',
			'mp3'
		]);
	});
});

describe('TrackSources', () => {
	it('plays an imported track from its file on the device, at the gain measured at import', async () => {
		const { sources, made, add } = setup();
		const track = await add(1);
		expect(track.id).toMatch(/^[0-9a-f]{16}$/);
		const source = await sources.sourceOf(importedItem(track.id), 'onset:0:0');
		expect(source).toEqual({
			kind: 'track',
			key: 'onset:0:0',
			title: 'Eden — Hania Rani',
			src: 'blob:test/1',
			gainDb: -6.8,
			durationSeconds: 215.5,
			openingFade: 0,
			closingFade: 0
		});
		expect(made).toHaveLength(1);
		expect(made[0]!.blob.type).toBe('audio/mpeg');
		expect(made[0]!.blob.size).toBe(48);
		expect(new Uint8Array(await made[0]!.blob.arrayBuffer())).toEqual(new Uint8Array(48).fill(1));
	});

	it('makes one URL per imported track however often it is played', async () => {
		const { sources, made, add } = setup();
		const track = await add(1);
		await sources.load();
		const first = await sources.sourceOf(importedItem(track.id), 'a');
		const second = await sources.sourceOf(importedItem(track.id), 'b');
		expect(first?.kind === 'track' && first.src).toBe('blob:test/1');
		expect(second?.kind === 'track' && second.src).toBe('blob:test/1');
		expect(second?.key).toBe('b');
		expect(made.map((entry) => entry.url)).toEqual(['blob:test/1']);
	});

	it('makes one URL per imported track when it is asked for twice at once', async () => {
		const { sources, made, revoked, add } = setup();
		const track = await add(1);
		const [first, second] = await Promise.all([
			sources.sourceOf(importedItem(track.id), 'a'),
			sources.sourceOf(importedItem(track.id), 'b')
		]);
		sources.dispose();
		// Every URL made is revoked, so no file stays held in memory.
		expect(revoked.sort()).toEqual(made.map((entry) => entry.url).sort());
		expect(made.map((entry) => entry.url)).toEqual(['blob:test/1']);
		expect(first?.kind === 'track' && first.src).toBe('blob:test/1');
		expect(second?.kind === 'track' && second.src).toBe('blob:test/1');
	});

	it('names an imported track by its title alone when the file gave no artist', async () => {
		const { sources, add } = setup();
		const track = await add(2, { title: 'Untitled 7', artist: null });
		expect((await sources.sourceOf(importedItem(track.id), 'k'))?.title).toBe('Untitled 7');
		await sources.load();
		expect(sources.titleOf(importedItem(track.id))).toBe('Untitled 7');
	});

	it('gives the format of an imported track’s URL from its type, and of any other URL from its extension', async () => {
		const { sources, add } = setup();
		const cases = [
			['audio/mpeg', 'mp3'],
			['audio/wav', 'wav'],
			['audio/flac', 'flac'],
			['audio/mp4', 'm4a']
		] as const;
		for (const [i, [mime, format]] of cases.entries()) {
			const track = await add(10 + i, { mime });
			const source = await sources.sourceOf(importedItem(track.id), `k${i}`);
			expect(source?.kind === 'track' && source.src).toBe(`blob:test/${i + 1}`);
			expect(sources.formatOf(`blob:test/${i + 1}`)).toEqual([format]);
		}
		expect(sources.formatOf('/audio/x.mp3')).toEqual(['mp3']);
		expect(sources.formatOf('/audio/curated/rain.3f9a0c1d.ogg')).toEqual(['ogg']);
		expect(sources.formatOf('/audio/x.WAV?v=2')).toEqual(['wav']);
		expect(sources.formatOf('blob:test/99')).toEqual(['mp3']);
	});

	it('gives nothing for an imported track that is not on this device, and makes no URL', async () => {
		const { backend, sources, made, add } = setup();
		expect(await sources.sourceOf(importedItem('0123456789abcdef'), 'k')).toBeUndefined();
		// Details kept but the file gone.
		const track = await add(3);
		backend.data.delete(`imported-track-file:${track.id}`);
		expect(await sources.sourceOf(importedItem(track.id), 'k')).toBeUndefined();
		// Damaged details.
		backend.data.set(importedTrackKey('fedcba9876543210'), { title: 'half a track' });
		expect(await sources.sourceOf(importedItem('fedcba9876543210'), 'k')).toBeUndefined();
		expect(made).toEqual([]);
		await sources.load();
		expect(sources.titleOf(importedItem('0123456789abcdef'))).toBeUndefined();
		expect(sources.durationOf('imported:0123456789abcdef')).toBeUndefined();
	});

	it('plays curated tracks and soundscapes as the catalog gives them, with no URL made', async () => {
		const { sources, made } = setup();
		const item = { kind: 'track', trackId: CURATED_ID } as const;
		const source = await sources.sourceOf(item, 'arrival:0:0');
		expect(source).toEqual(curatedSourceOf(item, 'arrival:0:0'));
		expect(source).toEqual({
			kind: 'track',
			key: 'arrival:0:0',
			title: 'Harbour at First Light',
			src: '/audio/curated/arrival-harbour-first-light.3186f03e0f8878e4.mp3',
			gainDb: 0,
			durationSeconds: 205,
			openingFade: 8.9,
			closingFade: 6.9
		});
		expect(sources.formatOf('/audio/curated/arrival-harbour-first-light.3186f03e0f8878e4.mp3')).toEqual(['mp3']);
		expect(await sources.sourceOf({ kind: 'soundscape', soundscape: 'sea', seed: 4 }, 'g')).toEqual({
			kind: 'soundscape',
			key: 'g',
			title: 'Sea (generated)',
			soundscape: 'sea',
			seed: 4
		});
		expect(await sources.sourceOf({ kind: 'track', trackId: 'no-such-track' }, 'k')).toBeUndefined();
		expect(made).toEqual([]);
		expect(sources.titleOf(item)).toBe('Harbour at First Light');
		expect(sources.titleOf({ kind: 'soundscape', soundscape: 'bowls', seed: 1 })).toBe('Bowls (generated)');
	});

	it('knows the length of curated tracks, and of imported ones once loaded', async () => {
		const { sources, add } = setup();
		const track = await add(4, { durationSeconds: 312.25 });
		expect(sources.durationOf(CURATED_ID)).toBe(205);
		expect(sources.durationOf('no-such-track')).toBeUndefined();
		expect(sources.durationOf(`imported:${track.id}`)).toBeUndefined();
		await sources.load();
		expect(sources.durationOf(`imported:${track.id}`)).toBe(312.25);
		expect(sources.imported.map((entry) => entry.id)).toEqual([track.id]);
	});

	it('lists the imported tracks oldest import first', async () => {
		const { sources, add } = setup();
		const later = await add(5, { title: 'Later', importedAt: 2_000 });
		const earlier = await add(6, { title: 'Earlier', importedAt: 1_000 });
		await sources.load();
		expect(sources.imported.map((entry) => [entry.id, entry.title])).toEqual([
			[earlier.id, 'Earlier'],
			[later.id, 'Later']
		]);
	});

	it('revokes exactly the URLs it made, once, and makes a new one when played again', async () => {
		const { sources, made, revoked, add } = setup();
		const one = await add(7);
		const two = await add(8, { mime: 'audio/flac' });
		await sources.sourceOf(importedItem(one.id), 'a');
		await sources.sourceOf(importedItem(two.id), 'b');
		await sources.sourceOf(importedItem(one.id), 'c');
		await sources.sourceOf({ kind: 'track', trackId: CURATED_ID }, 'd');
		expect(revoked).toEqual([]);
		sources.dispose();
		expect(revoked).toEqual(['blob:test/1', 'blob:test/2']);
		expect(sources.formatOf('blob:test/2')).toEqual(['mp3']);
		sources.dispose();
		expect(revoked).toEqual(['blob:test/1', 'blob:test/2']);
		const again = await sources.sourceOf(importedItem(two.id), 'e');
		expect(again?.kind === 'track' && again.src).toBe('blob:test/3');
		expect(sources.formatOf('blob:test/3')).toEqual(['flac']);
		expect(made.map((entry) => entry.url)).toEqual(['blob:test/1', 'blob:test/2', 'blob:test/3']);
	});
});
