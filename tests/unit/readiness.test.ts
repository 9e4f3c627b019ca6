import { describe, expect, it } from 'vitest';
import {
	readinessLines,
	readinessSummary,
	type LineId,
	type ReadinessFacts,
	type ReadinessLine
} from '../../src/lib/session/readiness';
import { memoryBackend } from '../../src/lib/storage/key-value';
import { OUTPUT_CHOICE_KEY, OutputChoiceStore } from '../../src/lib/storage/output-choice';

const ALL_WELL: ReadinessFacts = {
	downloads: { kind: 'on-device' },
	missingImported: 0,
	storage: 'granted',
	screen: 'stays-awake',
	power: { kind: 'known', charging: true, level: 0.9 },
	output: {
		kind: 'choosable',
		devices: [
			{ id: '', label: 'The system’s speaker' },
			{ id: 'room', label: 'Room speaker' }
		],
		chosenId: 'room',
		missing: null
	},
	testSound: 'played',
	doneByHand: new Set<LineId>(['notifications', 'do-not-disturb', 'door-sign'])
};

function lineOf(lines: readonly ReadinessLine[], id: LineId): ReadinessLine {
	const found = lines.find((line) => line.id === id);
	if (!found) throw new Error(`no line ${id}`);
	return found;
}

describe('the pre-session check', () => {
	it('passes at a glance when all is well', () => {
		const lines = readinessLines(ALL_WELL);
		expect(lines.map((line) => line.id)).toEqual([
			'downloads',
			'storage',
			'screen',
			'power',
			'output',
			'test-sound',
			'notifications',
			'do-not-disturb',
			'door-sign'
		]);
		expect(lines.every((line) => line.state === 'ok' || line.state === 'done-by-hand')).toBe(true);
		expect(readinessSummary(lines)).toEqual({ settled: true, open: 0, text: 'Ready for the room.' });
		expect(lineOf(lines, 'output').detail).toBe('Playing from “Room speaker”.');
	});

	it('offers one tap for music not on the device, naming what is missing', () => {
		const lines = readinessLines({
			...ALL_WELL,
			downloads: { kind: 'missing', itemsCached: 3, itemsTotal: 10, missingSize: '14 MB', message: '', waiting: false }
		});
		const downloads = lineOf(lines, 'downloads');
		expect(downloads.state).toBe('attention');
		expect(downloads.action).toBe('finish-downloading');
		expect(downloads.actionLabel).toBe('Finish downloading (14 MB)');
		expect(downloads.detail).toContain('3 of 10 pieces are on this device.');
		expect(readinessSummary(lines).text).toBe('1 line to look at. You can still start.');
	});

	it('names the therapist’s own pieces no longer on the device, which no download brings back', () => {
		const downloads = lineOf(readinessLines({ ...ALL_WELL, missingImported: 2 }), 'downloads');
		expect(downloads).toMatchObject({
			state: 'attention',
			action: 'edit-playlist',
			actionLabel: 'Change the playlist'
		});
		expect(downloads.detail).toBe(
			'2 of your own pieces in this playlist are no longer in “Your music” on this device: the session passes over them. Import them again, or change the playlist.'
		);
		const both = lineOf(
			readinessLines({
				...ALL_WELL,
				missingImported: 1,
				downloads: { kind: 'missing', itemsCached: 0, itemsTotal: 4, missingSize: '8 MB', message: '', waiting: false }
			}),
			'downloads'
		);
		expect(both.detail).toMatch(
			/^One of your own pieces .* is no longer .* Some of Grounded’s pieces are not downloaded yet either\.$/
		);
	});

	it('shows a download in progress as being checked, with its progress and a way to cancel', () => {
		const downloads = lineOf(
			readinessLines({
				...ALL_WELL,
				downloads: { kind: 'downloading', progress: '3 of 10 pieces · 6.0 of 20.0 MB', retrying: null }
			}),
			'downloads'
		);
		expect(downloads).toMatchObject({ state: 'checking', action: 'cancel-download' });
		expect(downloads.detail).toBe('3 of 10 pieces · 6.0 of 20.0 MB');
	});

	it('asks for storage that is not kept, and asks again after a refusal', () => {
		expect(lineOf(readinessLines({ ...ALL_WELL, storage: 'unknown' }), 'storage')).toMatchObject({
			state: 'attention',
			action: 'ask-storage',
			actionLabel: 'Ask to keep it'
		});
		expect(lineOf(readinessLines({ ...ALL_WELL, storage: 'refused' }), 'storage').actionLabel).toBe('Ask again');
	});

	it('leaves what an app cannot fix to the therapist’s own tick', () => {
		const open = new Set<LineId>();
		const facts = { ...ALL_WELL, screen: 'unsupported', power: { kind: 'unknown' }, doneByHand: open } as const;
		for (const id of ['screen', 'power', 'notifications', 'do-not-disturb', 'door-sign'] as const) {
			expect(lineOf(readinessLines(facts), id)).toMatchObject({ state: 'attention', action: 'mark-done' });
		}
		expect(readinessSummary(readinessLines(facts)).open).toBe(5);
		const ticked = readinessLines({ ...facts, doneByHand: new Set<LineId>(['screen', 'power']) });
		expect(lineOf(ticked, 'screen').state).toBe('done-by-hand');
		// Still a tick: it can be taken back.
		expect(lineOf(ticked, 'power').action).toBe('mark-done');
	});

	it('reads the battery: plugged in and charged is fine; on battery, or charging from low, wants a look', () => {
		const power = (charging: boolean, level: number) =>
			lineOf(readinessLines({ ...ALL_WELL, power: { kind: 'known', charging, level } }), 'power');
		expect(power(true, 0.8)).toMatchObject({ state: 'ok', detail: 'Plugged in, 80% charged.' });
		expect(power(false, 0.95)).toMatchObject({ state: 'attention' });
		expect(power(false, 0.95).detail).toBe('On battery, 95%. Plug in for a session of about three hours.');
		expect(power(true, 0.12).state).toBe('attention');
	});

	it('says when the system chooses the speaker, and when the chosen one is missing', () => {
		expect(lineOf(readinessLines({ ...ALL_WELL, output: { kind: 'system' } }), 'output')).toMatchObject({
			state: 'ok',
			action: 'none'
		});
		expect(lineOf(readinessLines({ ...ALL_WELL, output: { kind: 'system' } }), 'output').detail).toMatch(
			/^The system chooses the speaker/
		);
		const missing = lineOf(
			readinessLines({
				...ALL_WELL,
				output: {
					kind: 'choosable',
					devices: ALL_WELL.output.kind === 'choosable' ? ALL_WELL.output.devices : [],
					chosenId: '',
					missing: 'Room speaker'
				}
			}),
			'output'
		);
		expect(missing.state).toBe('attention');
		expect(missing.detail).toBe(
			'“Room speaker”, chosen before, is not connected: the system’s speaker plays instead. Playing from the system’s speaker.'
		);
		const unnamed = lineOf(
			readinessLines({ ...ALL_WELL, output: { kind: 'choosable', devices: [], chosenId: '', missing: null } }),
			'output'
		);
		expect(unnamed).toMatchObject({ state: 'ok', action: 'list-outputs' });
	});

	it('wants the test sound heard before the session, and says when it failed', () => {
		expect(lineOf(readinessLines({ ...ALL_WELL, testSound: 'not-played' }), 'test-sound')).toMatchObject({
			state: 'attention',
			actionLabel: 'Play a test sound'
		});
		expect(lineOf(readinessLines({ ...ALL_WELL, testSound: 'playing' }), 'test-sound').action).toBe('none');
		expect(lineOf(readinessLines({ ...ALL_WELL, testSound: 'failed' }), 'test-sound').actionLabel).toBe('Try again');
	});

	it('is not settled while anything is still being checked', () => {
		const lines = readinessLines({ ...ALL_WELL, downloads: { kind: 'checking' }, output: { kind: 'checking' } });
		expect(readinessSummary(lines)).toEqual({ settled: false, open: 0, text: 'Checking…' });
	});
});

describe('the chosen speaker, kept on the device', () => {
	it('round-trips, and reads anything else as no choice', async () => {
		const backend = memoryBackend();
		const store = new OutputChoiceStore(backend);
		expect(await store.load()).toBeNull();
		expect((await store.save({ deviceId: 'abc', label: 'Room speaker' })).ok).toBe(true);
		expect(await store.load()).toEqual({ deviceId: 'abc', label: 'Room speaker' });
		for (const bad of [{ version: 2, deviceId: 'a', label: 'b' }, { version: 1, deviceId: 4 }, 'abc', null]) {
			await backend.set(OUTPUT_CHOICE_KEY, bad);
			expect(await store.load()).toBeNull();
		}
	});

	it('keeps the earlier choice when the device is full, and says so', async () => {
		const backend = memoryBackend();
		const store = new OutputChoiceStore(backend);
		await store.save({ deviceId: 'abc', label: 'Room speaker' });
		const full = {
			...backend,
			set: async () => {
				throw new DOMException('full', 'QuotaExceededError');
			}
		};
		const saved = await new OutputChoiceStore(full).save({ deviceId: 'def', label: 'Laptop' });
		expect(saved).toEqual({
			ok: false,
			reason:
				'The speaker you chose could not be saved because this device is out of storage space. The copy saved before is kept.'
		});
		expect(await store.load()).toEqual({ deviceId: 'abc', label: 'Room speaker' });
	});
});
