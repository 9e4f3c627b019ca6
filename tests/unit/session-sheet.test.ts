import { describe, expect, it } from 'vitest';
import { CURATED_PLAYLISTS } from '../../src/lib/session/curated-playlists';
import { PLAYLIST_LIMITS, type PhaseKind, type SessionPlaylist } from '../../src/lib/session/playlist';
import { sheetOf, plannedText, whatText, whenText, type SheetRow } from '../../src/lib/session/session-sheet';
import { memoryBackend } from '../../src/lib/storage/key-value';
import { PlaylistStore } from '../../src/lib/storage/playlist-store';
import { SHEET_LINES, SheetState } from '../../src/routes/session/sheet/sheet.svelte';

const curated = (id: string): SessionPlaylist => {
	const playlist = CURATED_PLAYLISTS.find((candidate) => candidate.id === id);
	if (!playlist) throw new Error(`No curated playlist ${id}`);
	return playlist;
};

const playlistOf = (...phases: [name: string, kind: PhaseKind, minutes: number][]): SessionPlaylist => ({
	version: 1,
	id: 'own-test',
	title: 'Test',
	summary: '',
	phases: phases.map(([name, kind, minutes], index) => ({
		id: `phase-${index + 1}`,
		name,
		kind,
		minutes,
		items: [{ kind: 'soundscape', soundscape: 'sea', seed: index }]
	}))
});

/** Each row as the sheet prints it: when, what, planned. */
const printed = (rows: readonly SheetRow[]) => rows.map((row) => [whenText(row), whatText(row), plannedText(row)]);

describe('session sheet', () => {
	it('lays out the full medicine session: arrival before the dose, then each phase from the dose, the last to the end', () => {
		const sheet = sheetOf(curated('full-medicine-session'));
		expect(sheet.title).toBe('Full medicine session');
		expect(sheet.plannedMinutes).toBe(180);
		expect(sheet.doseAtStart).toBe(false);
		expect(printed(sheet.rows)).toEqual([
			['Before the dose', 'Arrival', '15 min'],
			['0 min', 'Dose given', ''],
			['0–25 min', 'Onset', '25 min'],
			['10–15 min', 'Effects usually begin', ''],
			['25–75 min', 'Deepening', '50 min'],
			['45–60 min', 'Effects usually ease', ''],
			['75–120 min', 'Return', '45 min'],
			['From 120 min to the end', 'Grounding', '45 min'],
			['About 180 min (3 h)', 'A session usually ends', '']
		]);
	});

	it('keeps the clock’s facts on each phase row', () => {
		const rows = sheetOf(curated('full-medicine-session')).rows;
		expect(rows[0]).toEqual({
			kind: 'phase',
			index: 0,
			name: 'Arrival',
			phaseKind: 'arrival',
			minutes: 15,
			from: 'before-dose',
			until: { by: 'dose' }
		});
		expect(rows[2]).toEqual({
			kind: 'phase',
			index: 1,
			name: 'Onset',
			phaseKind: 'onset',
			minutes: 25,
			from: 0,
			until: { by: 'plan', to: 25 }
		});
		expect(rows[7]).toMatchObject({ index: 4, from: 120, until: { by: 'end' } });
		expect(rows[3]).toEqual({ kind: 'marker', label: 'Effects usually begin', from: 10, to: 15 });
	});

	it('places a reference point before the first phase that begins after it', () => {
		expect(printed(sheetOf(curated('quiet-home-practice')).rows)).toEqual([
			['Before the dose', 'Settling', '5 min'],
			['0 min', 'Dose given', ''],
			['0–12 min', 'Resting', '12 min'],
			['10–15 min', 'Effects usually begin', ''],
			['From 12 min to the end', 'Grounding', '8 min'],
			['45–60 min', 'Effects usually ease', ''],
			['About 180 min (3 h)', 'A session usually ends', '']
		]);
	});

	it('puts a phase before a reference point that begins at the same minute', () => {
		const sheet = sheetOf(playlistOf(['Arrival', 'arrival', 10], ['Onset', 'onset', 45], ['Return', 'return', 30]));
		expect(printed(sheet.rows).map(([when, what]) => `${when} ${what}`)).toEqual([
			'Before the dose Arrival',
			'0 min Dose given',
			'0–45 min Onset',
			'10–15 min Effects usually begin',
			'From 45 min to the end Return',
			'45–60 min Effects usually ease',
			'About 180 min (3 h) A session usually ends'
		]);
	});

	it('counts from the start of the music when there is no arrival phase to wait for the dose', () => {
		const sheet = sheetOf(curated('closing-and-grounding'));
		expect(sheet.doseAtStart).toBe(true);
		expect(printed(sheet.rows)).toEqual([
			['0 min', 'Dose given', ''],
			['0–12 min', 'Return', '12 min'],
			['10–15 min', 'Effects usually begin', ''],
			['From 12 min to the end', 'Grounding', '18 min'],
			['45–60 min', 'Effects usually ease', ''],
			['About 180 min (3 h)', 'A session usually ends', '']
		]);
	});

	it('lets an arrival phase after the dose wait for the therapist, and leaves the later starts open', () => {
		const sheet = sheetOf(
			playlistOf(
				['Arrival', 'arrival', 15],
				['Onset', 'onset', 20],
				['Pause to talk', 'arrival', 10],
				['Return', 'return', 30],
				['Grounding', 'grounding', 30]
			)
		);
		expect(sheet.rows[4]).toMatchObject({ name: 'Pause to talk', from: 20, until: { by: 'hand' } });
		expect(sheet.rows[5]).toMatchObject({ name: 'Return', from: null, until: { by: 'plan', to: null } });
		expect(printed(sheet.rows)).toEqual([
			['Before the dose', 'Arrival', '15 min'],
			['0 min', 'Dose given', ''],
			['0–20 min', 'Onset', '20 min'],
			['10–15 min', 'Effects usually begin', ''],
			['From 20 min, until you move on', 'Pause to talk', '10 min'],
			['When you move on', 'Return', '30 min'],
			['When you move on to the end', 'Grounding', '30 min'],
			['45–60 min', 'Effects usually ease', ''],
			['About 180 min (3 h)', 'A session usually ends', '']
		]);
	});

	it('says so when two arrival phases wait one after the other', () => {
		const rows = sheetOf(
			playlistOf(['Arrival', 'arrival', 15], ['Settle', 'arrival', 5], ['Talk', 'arrival', 5], ['Rest', 'return', 20])
		).rows;
		expect(rows.filter((row) => row.kind === 'phase').map(whenText)).toEqual([
			'Before the dose',
			'From 0 min, until you move on',
			'When you move on, until you move on again',
			'When you move on to the end'
		]);
	});

	it('gives a one-phase playlist the whole session, with the dose and reference points after it', () => {
		expect(printed(sheetOf(playlistOf(['Only', 'arrival', 30])).rows)).toEqual([
			['From the start to the end', 'Only', '30 min'],
			['0 min', 'Dose given', ''],
			['10–15 min', 'Effects usually begin', ''],
			['45–60 min', 'Effects usually ease', ''],
			['About 180 min (3 h)', 'A session usually ends', '']
		]);
		expect(printed(sheetOf(playlistOf(['Only', 'deepening', 30])).rows).slice(0, 2)).toEqual([
			['0 min', 'Dose given', ''],
			['From 0 min to the end', 'Only', '30 min']
		]);
	});

	it('has at most the longest playlist’s phases, the dose and the reference points as rows', () => {
		const longest = playlistOf(
			...Array.from({ length: PLAYLIST_LIMITS.phases.max }, (_, i): [string, PhaseKind, number] => [
				`Phase ${i + 1}`,
				i === 0 ? 'arrival' : 'deepening',
				20
			])
		);
		const rows = sheetOf(longest).rows;
		expect(rows).toHaveLength(PLAYLIST_LIMITS.phases.max + 1 + 3);
		expect(printed(rows.slice(-2))).toEqual([
			['About 180 min (3 h)', 'A session usually ends', ''],
			['From 200 min to the end', 'Phase 12', '20 min']
		]);
		for (const playlist of CURATED_PLAYLISTS) expect(sheetOf(playlist).rows.length).toBeLessThanOrEqual(rows.length);
	});
});

describe('SheetState', () => {
	it('opens a curated playlist, and leaves the notes the lines the plan does not take', async () => {
		const state = new SheetState(memoryBackend());
		await state.load(new URLSearchParams('?playlist=full-medicine-session'));
		expect(state.status).toBe('ready');
		expect(state.sheet?.title).toBe('Full medicine session');
		expect(state.noteLines).toBe(SHEET_LINES - 9);
	});

	it('opens one of the therapist’s own, and says when the playlist is not there', async () => {
		const backend = memoryBackend();
		const own = { ...playlistOf(['Arrival', 'arrival', 10], ['Rest', 'return', 20]), title: 'Evening' };
		await new PlaylistStore(backend).save(own);
		const state = new SheetState(backend);
		await state.load(new URLSearchParams('?playlist=own-test'));
		expect(state.sheet?.title).toBe('Evening');
		await state.load(new URLSearchParams('?playlist=own-gone'));
		expect(state.status).toBe('missing');
		expect(state.sheet).toBeNull();
		await state.load(new URLSearchParams(''));
		expect(state.status).toBe('missing');
	});

	it('keeps only the latest of two loads', async () => {
		const state = new SheetState(memoryBackend());
		const first = state.load(new URLSearchParams('?playlist=own-slow'));
		const second = state.load(new URLSearchParams('?playlist=quiet-home-practice'));
		await Promise.all([first, second]);
		expect(state.status).toBe('ready');
		expect(state.sheet?.title).toBe('Quiet home practice');
	});

	it('keeps room for notes with the longest plan', async () => {
		const backend = memoryBackend();
		const longest = playlistOf(
			...Array.from({ length: PLAYLIST_LIMITS.phases.max }, (_, i): [string, PhaseKind, number] => [
				`Phase ${i + 1}`,
				'deepening',
				20
			])
		);
		await new PlaylistStore(backend).save(longest);
		const state = new SheetState(backend);
		await state.load(new URLSearchParams(`?playlist=${longest.id}`));
		expect(state.sheet?.rows).toHaveLength(16);
		expect(state.noteLines).toBe(7);
	});
});
