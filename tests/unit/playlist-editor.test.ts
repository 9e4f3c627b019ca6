import { describe, expect, it } from 'vitest';
import { ImportedTrackStore } from '../../src/lib/library/imported-tracks';
import { memoryBackend } from '../../src/lib/storage/key-value';
import { PlaylistStore } from '../../src/lib/storage/playlist-store';
import { PlaylistEditorState } from '../../src/routes/playlists/edit/playlist-editor.svelte';

/** A counter for `random`: ids and seeds come out the same on every run. */
function counting(): () => number {
	let n = 0;
	return () => ((n += 7) % 36) / 36;
}

async function importOne(backend: ReturnType<typeof memoryBackend>) {
	const store = new ImportedTrackStore({ backend });
	const added = await store.add(new Uint8Array([1, 2, 3, 4]).buffer, {
		title: 'Blue hour',
		artist: null,
		fileName: 'Blue hour.wav',
		mime: 'audio/wav',
		durationSeconds: 125,
		loudnessLufs: -18,
		gainDb: -5,
		importedAt: 1
	});
	if (!added.ok) throw new Error(added.reason);
	return added.value.id;
}

describe('PlaylistEditorState', () => {
	it('starts a new playlist with imported music offered first, and saves it after its fields are right', async () => {
		const backend = memoryBackend();
		const importedId = await importOne(backend);
		const editor = new PlaylistEditorState({ backend, random: counting() });
		await editor.load(new URLSearchParams('new'));
		expect(editor.status).toBe('editing');
		expect(editor.isNew).toBe(true);
		expect(editor.unsaved).toBe(true);
		expect(editor.draft.id).toMatch(/^own-[0-9a-z]{8}$/);
		const arrival = editor.draft.phases[0]!;
		expect(editor.suggestedChoice(arrival)).toBe(`track:imported:${importedId}`);
		expect(editor.choices[0]).toEqual({
			value: `track:imported:${importedId}`,
			label: 'Blue hour (2:05)',
			group: 'imported'
		});

		expect(editor.addItem('arrival', `track:imported:${importedId}`)).toBe(true);
		expect(editor.titleOf(editor.draft.phases[0]!.items[1]!)).toBe('Blue hour');
		expect(editor.trackSecondsOf(editor.draft.phases[0]!)).toBe(125);
		expect(editor.moveItem('arrival', 1, 0)).toBe(true);
		expect(editor.announcement).toBe('Moved to position 1 of 2 in Arrival.');
		expect(editor.draft.phases[0]!.items[0]).toEqual({ kind: 'track', trackId: `imported:${importedId}` });

		editor.setTitle('');
		editor.setPhase('onset', { minutes: 0 });
		expect(await editor.save()).toBe(false);
		expect(editor.message).toBe('The playlist was not saved: some fields need changing (marked below).');
		expect(editor.errors.title).toBe('Give the playlist a title.');
		expect(editor.errors.byPhase.onset).toEqual({ minutes: 'The planned length must be from 1 to 240 minutes.' });
		expect(await new PlaylistStore(backend).listOwn()).toEqual([]);

		editor.setTitle('  Evening  ');
		editor.setPhase('onset', { minutes: 20 });
		expect(await editor.save()).toBe(true);
		expect(editor.unsaved).toBe(false);
		expect(editor.notice).toBe('“Evening” saved.');
		const stored = await new PlaylistStore(backend).get(editor.draft.id);
		expect(stored?.title).toBe('Evening');
		expect(stored?.phases[1]!.minutes).toBe(20);
		editor.dispose();
	});

	it('puts back a removed item, then a removed phase, where they were', async () => {
		const editor = new PlaylistEditorState({ backend: memoryBackend(), random: counting() });
		await editor.load(new URLSearchParams('new'));
		editor.addItem('onset', 'soundscape:rain');
		editor.removeItem('onset', 0);
		expect(editor.draft.phases[1]!.items.map((item) => item.kind === 'soundscape' && item.soundscape)).toEqual([
			'rain'
		]);
		expect(editor.undoRemove()).toBe('onset');
		expect(editor.draft.phases[1]!.items.map((item) => item.kind === 'soundscape' && item.soundscape)).toEqual([
			'slow-pads',
			'rain'
		]);
		editor.removePhase('deepening');
		expect(editor.draft.phases.map((phase) => phase.id)).toEqual(['arrival', 'onset', 'return', 'grounding']);
		expect(editor.undoRemove()).toBe('deepening');
		expect(editor.draft.phases.map((phase) => phase.id)).toEqual([
			'arrival',
			'onset',
			'deepening',
			'return',
			'grounding'
		]);
		expect(editor.undoRemove()).toBeUndefined();
	});

	it('will not open a curated playlist or one that is not on the device', async () => {
		const editor = new PlaylistEditorState({ backend: memoryBackend() });
		await editor.load(new URLSearchParams('playlist=full-medicine-session'));
		expect(editor.status).toBe('missing');
		await editor.load(new URLSearchParams('playlist=own-gone1234'));
		expect(editor.status).toBe('missing');
	});

	it('names a track that is no longer on the device', async () => {
		const editor = new PlaylistEditorState({ backend: memoryBackend() });
		await editor.load(new URLSearchParams('new'));
		expect(editor.titleOf({ kind: 'track', trackId: 'imported:00000000000000ff' })).toBe(
			'A track that is no longer on this device (it will be passed over)'
		);
		expect(editor.durationOf({ kind: 'track', trackId: 'imported:00000000000000ff' })).toBeUndefined();
	});
});
