import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import {
	CHECK_IN_SCALES,
	CheckInStore,
	checkInKey,
	isLowMood,
	type CheckIn
} from '../../src/lib/integration/check-in-store';
import {
	JOURNAL_LIMITS,
	JournalStore,
	journalEntryKey,
	journalVoiceKey,
	newJournalEntry,
	searchEntries,
	type JournalEntry
} from '../../src/lib/integration/journal-store';
import { newPlanSettings, type PlanSettings } from '../../src/lib/integration/plan';
import {
	COMPLETIONS_KEY,
	isDone,
	MAX_COMPLETIONS,
	PLAN_KEY,
	PlanStore,
	type Completion
} from '../../src/lib/integration/plan-store';
import {
	parsePreparationSeed,
	PREPARATION_KEY,
	PreparationStore,
	type Preparation
} from '../../src/lib/integration/preparation-store';
import {
	entriesWithPrefix,
	indexedDbBackend,
	memoryBackend,
	type KeyValueBackend
} from '../../src/lib/storage/key-value';

type Memory = ReturnType<typeof memoryBackend>;

/** A backend whose writes fail as a full disk does; reads and deletes work. */
function fullDisk(memory: Memory): KeyValueBackend {
	const full = async () => {
		throw new DOMException('full', 'QuotaExceededError');
	};
	return { ...memory, set: full, transact: full };
}

/** A backend that fails writes for another reason. */
function brokenWrites(memory: Memory): KeyValueBackend {
	const broken = async () => {
		throw new Error('connection lost');
	};
	return { ...memory, set: broken, transact: broken };
}

/** The smallest backend a store must work with: no transactions, no prefix reads. */
function plainBackend(memory: Memory): KeyValueBackend {
	return { get: memory.get, set: memory.set, delete: memory.delete, entries: memory.entries };
}

const snapshot = (memory: Memory) => JSON.stringify([...memory.data.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));

const voiceNote = (bytes = 32, type = 'audio/webm;codecs=opus') => new Blob([new Uint8Array(bytes).fill(7)], { type });

async function bytesOf(blob: Blob | null | undefined): Promise<number[]> {
	return blob ? [...new Uint8Array(await blob.arrayBuffer())] : [];
}

function entry(overrides: Partial<JournalEntry> = {}): JournalEntry {
	return {
		version: 1,
		id: 'entry-0001',
		createdAt: 1_800_000_000_000,
		updatedAt: 1_800_000_000_000,
		date: '2026-12-07',
		day: 0,
		prompt: 'What stays with you from today?',
		text: 'The light through the window, and my hands warm.',
		voice: null,
		...overrides
	};
}

describe('entriesWithPrefix', () => {
	it('reads only the keys under the prefix, from the memory backend and through the fallback', async () => {
		const memory = memoryBackend({
			'journal-entry:b': 2,
			'journal-entry:a': 1,
			'journal-entryx': 'not under the prefix',
			'journal-voice:a': voiceNote(),
			other: 3
		});
		expect(await entriesWithPrefix(memory, 'journal-entry:')).toEqual([
			['journal-entry:a', 1],
			['journal-entry:b', 2]
		]);
		const plain = plainBackend(memory);
		expect((await entriesWithPrefix(plain, 'journal-entry:')).sort()).toEqual([
			['journal-entry:a', 1],
			['journal-entry:b', 2]
		]);
	});

	it('reads a range of IndexedDB in one transaction, and gives kept bytes back as Blobs', async () => {
		const backend = indexedDbBackend();
		await backend.set('prefix-test:one', { n: 1 });
		await backend.set('prefix-test:two', { n: 2 });
		await backend.set('prefix-tesu', 'after the range');
		await backend.set('prefix-tess', 'before the range');
		// As `blobsAsBytes` keeps a Blob where WebKit refuses one.
		await backend.set('prefix-test:voice', {
			'grounded:blob-bytes': true,
			type: 'audio/webm',
			bytes: new Uint8Array([1, 2, 3]).buffer
		});
		const getAll = vi.spyOn(IDBObjectStore.prototype, 'getAll');
		const getAllKeys = vi.spyOn(IDBObjectStore.prototype, 'getAllKeys');
		try {
			const read = await entriesWithPrefix(backend, 'prefix-test:');
			expect(read.map(([key]) => key)).toEqual(['prefix-test:one', 'prefix-test:two', 'prefix-test:voice']);
			expect(read[0]![1]).toEqual({ n: 1 });
			const voice = read[2]![1];
			expect(voice).toBeInstanceOf(Blob);
			expect(await bytesOf(voice as Blob)).toEqual([1, 2, 3]);
			expect(getAll).toHaveBeenCalledTimes(1);
			expect(getAllKeys).toHaveBeenCalledTimes(1);
			expect(getAll.mock.calls[0]![0]).toBeInstanceOf(IDBKeyRange);
		} finally {
			getAll.mockRestore();
			getAllKeys.mockRestore();
		}
		expect(await entriesWithPrefix(backend, 'nothing-here:')).toEqual([]);
	});

	it('lists journal entries and check-ins from IndexedDB', async () => {
		const backend = indexedDbBackend();
		const journal = new JournalStore(backend);
		expect((await journal.save(entry({ id: 'idb-entry-1' }), voiceNote(8))).ok).toBe(true);
		expect((await journal.list()).map((e) => e.id)).toEqual(['idb-entry-1']);
		expect(await bytesOf(await journal.voice('idb-entry-1'))).toEqual(new Array(8).fill(7));
		const checkIns = new CheckInStore(backend);
		const day = {
			version: 1,
			date: '2026-12-11',
			day: 4,
			mood: 5,
			sleep: 5,
			body: 5,
			connection: 5,
			note: '',
			savedAt: 1
		};
		expect((await checkIns.save(day as CheckIn)).ok).toBe(true);
		expect(await checkIns.list()).toEqual([day]);
	});
});

describe('JournalStore', () => {
	it('saves, lists and reads back an entry', async () => {
		const memory = memoryBackend();
		const store = new JournalStore(memory);
		const first = entry();
		expect(await store.save(first)).toEqual({ ok: true, value: first });
		expect([...memory.data.keys()]).toEqual(['journal-entry:entry-0001']);
		expect(await store.list()).toEqual([first]);
		expect(await store.get('entry-0001')).toEqual(first);
		expect(await store.get('entry-0002')).toBeNull();
		expect(await store.get('../nope')).toBeNull();
		expect(await store.voice('entry-0001')).toBeNull();

		const changed = { ...first, text: 'Changed my mind.', updatedAt: first.updatedAt + 1 };
		expect((await store.save(changed)).ok).toBe(true);
		expect(await store.list()).toEqual([changed]);
	});

	it('makes new entries with ids of the expected form', () => {
		const made = newJournalEntry({ date: '2026-12-08', day: 1, text: 'x' }, 5);
		expect(made.id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
		expect(made).toEqual({ ...made, version: 1, createdAt: 5, updatedAt: 5, prompt: null, voice: null });
		expect(newJournalEntry({ date: '2026-12-08' }).id).not.toBe(made.id);
	});

	it('lists newest first: by date, then by when it was written', async () => {
		const store = new JournalStore(memoryBackend());
		await store.save(entry({ id: 'older-day-a', date: '2026-12-07', createdAt: 30 }));
		await store.save(entry({ id: 'newer-day-a', date: '2026-12-09', createdAt: 10 }));
		await store.save(entry({ id: 'newer-day-b', date: '2026-12-09', createdAt: 20 }));
		await store.save(entry({ id: 'middle-day', date: '2026-12-08', createdAt: 40 }));
		expect((await store.list()).map((e) => e.id)).toEqual(['newer-day-b', 'newer-day-a', 'middle-day', 'older-day-a']);
	});

	it('keeps the voice note apart from the entry, and lists without reading it', async () => {
		const memory = memoryBackend();
		const store = new JournalStore(memory);
		const note = voiceNote(64);
		const saved = await store.save(entry({ text: '', voice: { mime: 'x', bytes: 1, durationSeconds: 4.5 } }), note);
		expect(saved.ok).toBe(true);
		// The type and size come from the Blob itself.
		expect(saved.ok && saved.value.voice).toEqual({ mime: 'audio/webm;codecs=opus', bytes: 64, durationSeconds: 4.5 });
		expect([...memory.data.keys()].sort()).toEqual(['journal-entry:entry-0001', 'journal-voice:entry-0001']);
		expect(memory.data.get(journalVoiceKey('entry-0001'))).toBeInstanceOf(Blob);
		expect(JSON.stringify(memory.data.get(journalEntryKey('entry-0001')))).not.toContain('Blob');

		const entries = vi.spyOn(memory, 'entries');
		const prefixed = vi.spyOn(memory, 'entriesWithPrefix');
		const get = vi.spyOn(memory, 'get');
		const listed = await store.list();
		expect(listed.map((e) => e.id)).toEqual(['entry-0001']);
		expect(entries).not.toHaveBeenCalled();
		expect(get).not.toHaveBeenCalled();
		expect(prefixed).toHaveBeenCalledWith('journal-entry:');

		const read = await store.voice('entry-0001');
		expect(read?.type).toBe('audio/webm;codecs=opus');
		expect(await bytesOf(read)).toEqual(await bytesOf(note));
	});

	it('writes an entry and its voice note in one transaction', async () => {
		const memory = memoryBackend();
		const transact = vi.spyOn(memory, 'transact');
		const set = vi.spyOn(memory, 'set');
		await new JournalStore(memory).save(entry(), voiceNote());
		expect(transact).toHaveBeenCalledTimes(1);
		expect(set).not.toHaveBeenCalled();
		expect(transact.mock.calls[0]![0].set.map(([key]) => key)).toEqual([
			'journal-entry:entry-0001',
			'journal-voice:entry-0001'
		]);
	});

	it('leaves the voice note with undefined, and deletes it with null', async () => {
		const memory = memoryBackend();
		const store = new JournalStore(memory);
		await store.save(entry({ voice: { mime: '', bytes: 1, durationSeconds: 3 } }), voiceNote(16));
		const kept = (await store.get('entry-0001'))!;
		expect((await store.save({ ...kept, text: 'New words' })).ok).toBe(true);
		expect((await store.voice('entry-0001'))?.size).toBe(16);
		expect((await store.get('entry-0001'))?.voice?.bytes).toBe(16);

		const saved = await store.save({ ...kept, text: 'Words only now' }, null);
		expect(saved.ok && saved.value.voice).toBeNull();
		expect(memory.data.has(journalVoiceKey('entry-0001'))).toBe(false);
		expect(await store.voice('entry-0001')).toBeNull();
	});

	it('does the same, one write at a time, on a backend without transactions', async () => {
		const memory = memoryBackend();
		const store = new JournalStore(plainBackend(memory));
		expect((await store.save(entry(), voiceNote(10))).ok).toBe(true);
		expect((await store.voice('entry-0001'))?.size).toBe(10);
		expect((await store.list()).map((e) => e.voice?.bytes)).toEqual([10]);
		expect((await store.save(entry(), null)).ok).toBe(true);
		expect(memory.data.has(journalVoiceKey('entry-0001'))).toBe(false);
		const removed = await store.remove('entry-0001');
		expect(removed.ok).toBe(true);
		expect(memory.data.size).toBe(0);
	});

	it('puts the old voice note back when the entry can’t be written after it, without transactions', async () => {
		const memory = memoryBackend();
		await new JournalStore(memory).save(entry({ text: 'Before' }), voiceNote(10));
		const before = snapshot(memory);
		const plain = plainBackend(memory);
		const failing: KeyValueBackend = {
			...plain,
			set: async (key, value) => {
				if (key.startsWith('journal-entry:')) throw new DOMException('full', 'QuotaExceededError');
				await plain.set(key, value);
			}
		};
		const result = await new JournalStore(failing).save(entry({ text: 'After' }), voiceNote(99));
		expect(result).toEqual({
			ok: false,
			reason:
				'This entry could not be saved because this device is out of storage space. What was saved before is kept.'
		});
		expect(snapshot(memory)).toBe(before);
	});

	it('refuses an entry with neither words nor a voice note, or one too long, in plain words', async () => {
		const memory = memoryBackend();
		const store = new JournalStore(memory);
		expect(await store.save(entry({ text: '   \n ' }))).toEqual({
			ok: false,
			reason: 'Write a few words or record a voice note first.'
		});
		expect(await store.save(entry({ text: 'x'.repeat(JOURNAL_LIMITS.text + 1) }))).toEqual({
			ok: false,
			reason: 'This entry is too long to keep: it can be up to 20,000 characters.'
		});
		expect((await store.save(entry({ text: 'x'.repeat(JOURNAL_LIMITS.text) }))).ok).toBe(true);
		const refused = await store.save(entry({ text: '' }), new Blob([], { type: 'audio/webm' }));
		expect(refused.ok).toBe(false);
		expect((await store.save(entry(), new Blob(['<p>'], { type: 'text/html' }))).ok).toBe(false);
		expect((await store.save(entry({ id: 'short' }))).ok).toBe(false);
		expect((await store.save(entry({ date: '2026-02-30' }))).ok).toBe(false);
		expect((await store.save(entry({ day: 15 }))).ok).toBe(false);
		expect((await store.save(entry({ prompt: 'p'.repeat(JOURNAL_LIMITS.prompt + 1) }))).ok).toBe(false);
	});

	it('skips damaged and foreign values, and leaves them alone', async () => {
		const good = entry({ id: 'good-entry' });
		const damaged: Record<string, unknown> = {
			[journalEntryKey('wrong-type')]: { ...entry({ id: 'wrong-type' }), text: 42 },
			[journalEntryKey('missing-field')]: (({ date: _date, ...rest }) => rest)(entry({ id: 'missing-field' })),
			[journalEntryKey('too-long-1')]: entry({ id: 'too-long-1', text: 'x'.repeat(JOURNAL_LIMITS.text + 1) }),
			[journalEntryKey('nan-times')]: entry({ id: 'nan-times', createdAt: Number.NaN }),
			[journalEntryKey('day-out-of-range')]: entry({ id: 'day-out-of-range', day: -1 }),
			[journalEntryKey('half-a-day')]: entry({ id: 'half-a-day', day: 3.5 }),
			[journalEntryKey('newer-version')]: { ...entry({ id: 'newer-version' }), version: 2 },
			[journalEntryKey('elsewhere')]: entry({ id: 'not-elsewhere' }),
			[journalEntryKey('a-string')]: 'hello',
			[journalEntryKey('a-null')]: null,
			[journalEntryKey('an-array')]: [entry({ id: 'an-array' })],
			[journalEntryKey('empty-one')]: entry({ id: 'empty-one', text: ' ', voice: null }),
			[journalEntryKey('good-entry')]: good,
			[journalVoiceKey('good-entry')]: 'not a Blob',
			[journalVoiceKey('wrong-type')]: new Blob(['x'], { type: 'image/png' })
		};
		const memory = memoryBackend(damaged);
		const before = snapshot(memory);
		const store = new JournalStore(memory);
		expect(await store.list()).toEqual([good]);
		for (const id of ['wrong-type', 'missing-field', 'too-long-1', 'nan-times', 'elsewhere', 'a-string', 'a-null']) {
			expect(await store.get(id)).toBeNull();
		}
		expect(await store.voice('good-entry')).toBeNull();
		expect(await store.voice('wrong-type')).toBeNull();
		expect(snapshot(memory)).toBe(before);
	});

	it('gives an empty journal, not an error, when the store can’t be read', async () => {
		const store = new JournalStore({
			...memoryBackend(),
			entriesWithPrefix: async () => {
				throw new Error('gone');
			},
			get: async () => {
				throw new Error('gone');
			}
		});
		expect(await store.list()).toEqual([]);
		expect(await store.get('entry-0001')).toBeNull();
		expect(await store.voice('entry-0001')).toBeNull();
	});

	it('says so in plain words when the disk is full, and keeps the entry and voice note saved before', async () => {
		const memory = memoryBackend();
		await new JournalStore(memory).save(entry({ text: 'Before' }), voiceNote(10));
		const before = snapshot(memory);
		const store = new JournalStore(fullDisk(memory));
		expect(await store.save(entry({ text: 'After' }), voiceNote(20))).toEqual({
			ok: false,
			reason:
				'This entry could not be saved because this device is out of storage space. What was saved before is kept.'
		});
		expect(await store.save(entry({ text: 'After' }), null)).toEqual({
			ok: false,
			reason:
				'This entry could not be saved because this device is out of storage space. What was saved before is kept.'
		});
		expect(await new JournalStore(brokenWrites(memory)).save(entry({ text: 'After' }))).toEqual({
			ok: false,
			reason: 'This entry could not be saved on this device just now. What was saved before is kept.'
		});
		expect(snapshot(memory)).toBe(before);
		expect((await store.get('entry-0001'))?.text).toBe('Before');
		expect((await store.voice('entry-0001'))?.size).toBe(10);
	});

	it('deletes an entry with its voice note, and Undo brings both back', async () => {
		const memory = memoryBackend({ 'pacer-settings': { version: 1 } });
		const store = new JournalStore(memory);
		const saved = await store.save(entry({ voice: { mime: '', bytes: 1, durationSeconds: 2 } }), voiceNote(12));
		await store.save(entry({ id: 'other-entry' }));
		expect(saved.ok).toBe(true);
		const before = snapshot(memory);

		const removed = await store.remove('entry-0001');
		expect(removed.ok).toBe(true);
		if (!removed.ok) return;
		expect(removed.value.entry).toEqual(saved.ok && saved.value);
		expect(await bytesOf(removed.value.voice)).toEqual(new Array(12).fill(7));
		expect([...memory.data.keys()].sort()).toEqual(['journal-entry:other-entry', 'pacer-settings']);
		expect((await store.list()).map((e) => e.id)).toEqual(['other-entry']);

		expect(await store.restore(removed.value)).toEqual({ ok: true, value: removed.value.entry });
		expect(snapshot(memory)).toBe(before);
		expect(await bytesOf(await store.voice('entry-0001'))).toEqual(new Array(12).fill(7));

		expect(await store.remove('no-such-entry')).toEqual({
			ok: false,
			reason: 'This entry is no longer on this device.'
		});
	});

	it('says so when Undo can’t put the entry back for lack of space', async () => {
		const memory = memoryBackend();
		const store = new JournalStore(memory);
		await store.save(entry());
		const removed = await store.remove('entry-0001');
		if (!removed.ok) throw new Error(removed.reason);
		expect(await new JournalStore(fullDisk(memory)).restore(removed.value)).toEqual({
			ok: false,
			reason:
				'This entry could not be put back because this device is out of storage space. What was saved before is kept.'
		});
		expect(memory.data.size).toBe(0);
	});

	it('says so, and keeps the entry, when deleting fails', async () => {
		const memory = memoryBackend();
		await new JournalStore(memory).save(entry());
		const failing = async () => {
			throw new Error('gone');
		};
		const store = new JournalStore({ ...memory, delete: failing, transact: failing });
		expect(await store.remove('entry-0001')).toEqual({
			ok: false,
			reason: 'This entry could not be deleted from this device just now. Try again.'
		});
		expect(await store.get('entry-0001')).not.toBeNull();
	});
});

describe('searchEntries', () => {
	const entries = [
		entry({ id: 'cafe-entry', text: 'Le CAFÉ, cet été, près de la fenêtre.', prompt: null }),
		entry({ id: 'prompt-only', text: 'Warm hands.', prompt: 'What did your body notice?' }),
		entry({ id: 'plain-entry', text: 'Nothing much today.', prompt: null })
	];

	it('finds every word, whatever the case and accents, in the words or the prompt', () => {
		expect(searchEntries(entries, 'cafe ETE').map((e) => e.id)).toEqual(['cafe-entry']);
		expect(searchEntries(entries, 'fenetre  café').map((e) => e.id)).toEqual(['cafe-entry']);
		expect(searchEntries(entries, 'body warm').map((e) => e.id)).toEqual(['prompt-only']);
		expect(searchEntries(entries, 'warm nothing')).toEqual([]);
		expect(searchEntries(entries, '  ').map((e) => e.id)).toEqual(['cafe-entry', 'prompt-only', 'plain-entry']);
	});

	it('does not find an entry by words it no longer has', () => {
		const changing = entry({ id: 'changing', text: 'apples' });
		expect(searchEntries([changing], 'apples')).toHaveLength(1);
		changing.text = 'pears';
		expect(searchEntries([changing], 'apples')).toEqual([]);
		expect(searchEntries([changing], 'pears')).toHaveLength(1);
	});

	// How fast is the bench's to say (journal_search_ms_2000), as a ratio on a quiet machine; here only
	// that a journal that large is searched whole.
	it('searches 2,000 entries of about 600 characters', () => {
		const words = ['morning', 'élan', 'breath', 'Ocean', 'quiet', 'mother', 'garden', 'tired', 'light', 'grief'];
		const many = Array.from({ length: 2_000 }, (_, index) => {
			let text = '';
			for (let word = index; text.length < 600; word += 7) text += `${words[word % words.length]!} ${word} `;
			return entry({ id: `entry-${String(index).padStart(5, '0')}`, text });
		});
		expect(searchEntries(many, 'elan ocean').length).toBeGreaterThan(100);
		const found = searchEntries(many, 'elan ocean 1999');
		expect(found.map((e) => e.id)).toContain('entry-01999');
		expect(found.every((e) => e.text.includes(' 1999 '))).toBe(true);
	});
});

describe('CheckInStore', () => {
	const day: CheckIn = {
		version: 1,
		date: '2026-12-11',
		day: 4,
		mood: 6,
		sleep: 4,
		body: 7,
		connection: 5,
		note: 'A walk by the river.',
		savedAt: 1_800_000_000_000
	};

	it('saves, lists (oldest day first) and reads back check-ins', async () => {
		const memory = memoryBackend();
		const store = new CheckInStore(memory);
		const later = { ...day, date: '2026-12-12', day: 5 };
		expect(await store.save(later)).toEqual({ ok: true, value: later });
		expect(await store.save(day)).toEqual({ ok: true, value: day });
		expect([...memory.data.keys()].sort()).toEqual(['check-in:2026-12-11', 'check-in:2026-12-12']);
		expect(await store.list()).toEqual([day, later]);
		expect(await store.get('2026-12-11')).toEqual(day);
		expect(await store.get('2026-12-13')).toBeNull();
		expect(await store.get('not a date')).toBeNull();
		expect(await store.remove('2026-12-11')).toEqual({ ok: true, value: undefined });
		expect(await store.list()).toEqual([later]);
	});

	it('keeps one a day: saving again the same day replaces it', async () => {
		const memory = memoryBackend();
		const store = new CheckInStore(memory);
		await store.save(day);
		const again = { ...day, mood: 2, note: 'Later: harder.', savedAt: day.savedAt + 3_600_000 };
		await store.save(again);
		expect(await store.list()).toEqual([again]);
		expect(memory.data.size).toBe(1);
	});

	it('lists by prefix only', async () => {
		const memory = memoryBackend({ [checkInKey(day.date)]: day, 'imported-track-file:abc': voiceNote() });
		const entries = vi.spyOn(memory, 'entries');
		expect(await new CheckInStore(memory).list()).toEqual([day]);
		expect(entries).not.toHaveBeenCalled();
		expect(await new CheckInStore(plainBackend(memory)).list()).toEqual([day]);
	});

	it('refuses what is not a check-in, and skips damaged and foreign values without touching them', async () => {
		const memory = memoryBackend({
			[checkInKey('2026-12-01')]: { ...day, date: '2026-12-01', mood: 11 },
			[checkInKey('2026-12-02')]: { ...day, date: '2026-12-02', sleep: -1 },
			[checkInKey('2026-12-03')]: { ...day, date: '2026-12-03', body: 3.5 },
			[checkInKey('2026-12-04')]: { ...day, date: '2026-12-04', connection: Number.NaN },
			[checkInKey('2026-12-05')]: { ...day, date: '2026-12-05', note: 'x'.repeat(2_001) },
			[checkInKey('2026-12-06')]: { ...day, date: '2026-12-06', mood: '6' },
			[checkInKey('2026-12-07')]: (({ sleep: _sleep, ...rest }) => rest)({ ...day, date: '2026-12-07' }),
			[checkInKey('2026-12-08')]: day,
			[checkInKey('2026-12-09')]: 'fine',
			[checkInKey('2026-12-10')]: null,
			[checkInKey('2026-12-11')]: [day],
			[checkInKey('not-a-date')]: { ...day, date: 'not-a-date' }
		});
		const before = snapshot(memory);
		const store = new CheckInStore(memory);
		expect(await store.list()).toEqual([]);
		expect(await store.get('2026-12-08')).toBeNull();
		expect(await store.get('2026-12-11')).toBeNull();
		expect(snapshot(memory)).toBe(before);

		for (const wrong of [
			{ mood: 11 },
			{ sleep: -1 },
			{ body: 3.5 },
			{ connection: Number.NaN },
			{ day: 15 },
			{ date: '2026-13-01' }
		]) {
			const result = await store.save({ ...day, ...wrong });
			expect(result).toEqual({
				ok: false,
				reason: 'This check-in could not be saved: something in it is not as Grounded expects.'
			});
		}
		expect(await store.save({ ...day, note: 'x'.repeat(2_001) })).toEqual({
			ok: false,
			reason: 'The note is too long to keep: it can be up to 2,000 characters.'
		});
		expect(snapshot(memory)).toBe(before);
		expect((await store.save({ ...day, mood: 0, sleep: 10, note: 'x'.repeat(2_000) })).ok).toBe(true);
	});

	it('says so in plain words when the disk is full, and keeps the check-in saved before', async () => {
		const memory = memoryBackend();
		await new CheckInStore(memory).save(day);
		const store = new CheckInStore(fullDisk(memory));
		expect(await store.save({ ...day, mood: 1 })).toEqual({
			ok: false,
			reason:
				'This check-in could not be saved because this device is out of storage space. What was saved before is kept.'
		});
		expect(await new CheckInStore(brokenWrites(memory)).save({ ...day, mood: 1 })).toEqual({
			ok: false,
			reason: 'This check-in could not be saved on this device just now. What was saved before is kept.'
		});
		expect(await store.get(day.date)).toEqual(day);
	});

	it('offers the support card at the bottom of the mood scale only', () => {
		expect(isLowMood({ ...day, mood: 0 })).toBe(true);
		expect(isLowMood({ ...day, mood: 1 })).toBe(false);
		expect(isLowMood({ ...day, mood: 10, sleep: 0, body: 0, connection: 0 })).toBe(false);
	});

	it('names each scale and its ends gently', () => {
		expect(CHECK_IN_SCALES.map((scale) => [scale.key, scale.label, scale.low, scale.high])).toEqual([
			['mood', 'Mood', 'Very low', 'Very good'],
			['sleep', 'Sleep', 'Hardly slept', 'Slept well'],
			['body', 'Ease in the body', 'Tense, uneasy', 'At ease'],
			['connection', 'Connection', 'Alone, cut off', 'Connected']
		]);
	});
});

describe('PreparationStore', () => {
	const card: Preparation = {
		version: 1,
		intentions: 'To meet the grief gently.',
		safety: '',
		resources: 'My sister, on 0400 000 000.',
		signals: '',
		updatedAt: 1_800_000_000_000,
		seededBy: null
	};

	it('saves and loads the card', async () => {
		const memory = memoryBackend();
		const store = new PreparationStore(memory);
		expect(await store.load()).toBeNull();
		expect(await store.save(card)).toEqual({ ok: true, value: card });
		expect([...memory.data.keys()]).toEqual(['preparation']);
		expect(await store.load()).toEqual(card);
	});

	it('fills only empty parts from a pack, never the client’s own words', async () => {
		const memory = memoryBackend();
		const store = new PreparationStore(memory);
		await store.save(card);
		const seeded = await store.seed(
			{
				intentions: 'Therapist’s intention',
				safety: 'Lie down if it gets strong.',
				resources: 'Call me',
				signals: '  '
			},
			'therapist-0123456789',
			5
		);
		expect(seeded).toEqual({
			ok: true,
			value: { ...card, safety: 'Lie down if it gets strong.', updatedAt: 5, seededBy: 'therapist-0123456789' }
		});
		expect(await store.load()).toEqual(seeded.ok && seeded.value);

		// Nothing left to fill: nothing is written.
		const set = vi.spyOn(memory, 'set');
		const again = await store.seed({ safety: 'Other words', intentions: 'Other' }, 'someone-else-000000', 9);
		expect(again.ok && again.value.safety).toBe('Lie down if it gets strong.');
		expect(again.ok && again.value.seededBy).toBe('therapist-0123456789');
		expect(set).not.toHaveBeenCalled();
	});

	it('starts a card from a pack when there is none', async () => {
		const store = new PreparationStore(memoryBackend());
		const seeded = await store.seed({ signals: 'Tight chest' }, 'therapist-0123456789', 7);
		expect(seeded).toEqual({
			ok: true,
			value: {
				version: 1,
				intentions: '',
				safety: '',
				resources: '',
				signals: 'Tight chest',
				updatedAt: 7,
				seededBy: 'therapist-0123456789'
			}
		});
	});

	it('reads a damaged card as none, never seeds over it, and leaves it until the person saves', async () => {
		for (const damaged of [
			{ ...card, intentions: 42 },
			{ ...card, safety: 'x'.repeat(4_001) },
			{ ...card, updatedAt: Number.NaN },
			(({ signals: _signals, ...rest }) => rest)(card),
			{ ...card, version: 2 },
			'my words',
			null,
			[card]
		]) {
			const memory = memoryBackend({ [PREPARATION_KEY]: damaged });
			const before = snapshot(memory);
			const store = new PreparationStore(memory);
			expect(await store.load()).toBeNull();
			const seeded = await store.seed({ intentions: 'Suggested' }, 'therapist-0123456789');
			expect(seeded.ok).toBe(false);
			expect(!seeded.ok && seeded.reason).toBe(
				'Your preparation card could not be read on this device, so the suggested words were not added to it. It is kept as it was.'
			);
			expect(snapshot(memory)).toBe(before);
			expect((await store.save(card)).ok).toBe(true);
			expect(await store.load()).toEqual(card);
		}
	});

	it('refuses a card with a part too long', async () => {
		const memory = memoryBackend();
		const store = new PreparationStore(memory);
		expect(await store.save({ ...card, signals: 'x'.repeat(4_001) })).toEqual({
			ok: false,
			reason: 'A part of your card is too long to keep: each can be up to 4,000 characters.'
		});
		expect(memory.data.size).toBe(0);
	});

	it('says so in plain words when the disk is full, and keeps the card saved before', async () => {
		const memory = memoryBackend();
		await new PreparationStore(memory).save(card);
		const store = new PreparationStore(fullDisk(memory));
		expect(await store.save({ ...card, intentions: 'Changed' })).toEqual({
			ok: false,
			reason:
				'Your preparation card could not be saved because this device is out of storage space. What was saved before is kept.'
		});
		expect(await store.seed({ safety: 'Suggested' }, 'therapist-0123456789')).toEqual({
			ok: false,
			reason:
				'The suggested words could not be added to your preparation card because this device is out of storage space. What was saved before is kept.'
		});
		expect(await store.load()).toEqual(card);
	});

	it('reads a pack’s seed, refusing one with a wrong part', () => {
		expect(parsePreparationSeed({ intentions: 'a', signals: 'b', extra: 1 })).toEqual({
			ok: true,
			value: { intentions: 'a', signals: 'b' }
		});
		expect(parsePreparationSeed({})).toEqual({ ok: true, value: {} });
		expect(parsePreparationSeed({ safety: 'x'.repeat(4_001) })).toEqual({
			ok: false,
			reason: 'The preparation card in this pack can’t be used: a part of it is longer than 4,000 characters.'
		});
		for (const wrong of [{ safety: 3 }, 'words', null, [], { resources: null }]) {
			expect(parsePreparationSeed(wrong)).toEqual({
				ok: false,
				reason: 'The preparation card in this pack can’t be used: a part of it is missing or of the wrong kind.'
			});
		}
	});
});

describe('PlanStore', () => {
	const settings: PlanSettings = newPlanSettings('2026-12-07T10:00');

	it('saves, loads and clears the plan', async () => {
		const memory = memoryBackend();
		const store = new PlanStore(memory);
		expect(await store.load()).toEqual({ ok: true, value: null });
		expect(await store.save(settings)).toEqual({ ok: true, value: settings });
		expect(await store.load()).toEqual({ ok: true, value: settings });
		await store.markDone('d1-p1', '2026-12-08', 'finished', 1);
		expect(await store.clear()).toEqual({ ok: true, value: undefined });
		expect(memory.data.size).toBe(0);
		expect(await store.load()).toEqual({ ok: true, value: null });
	});

	it('reports a damaged plan and leaves it as it was until a new one is saved', async () => {
		for (const damaged of [
			{ ...settings, sessionAt: 'yesterday' },
			{ ...settings, practiceTimes: [9] },
			(({ edits: _edits, ...rest }) => rest)(settings),
			{ ...settings, version: 2 },
			'a plan',
			null,
			[settings]
		]) {
			const memory = memoryBackend({ [PLAN_KEY]: damaged });
			const before = snapshot(memory);
			const store = new PlanStore(memory);
			const loaded = await store.load();
			expect(loaded.ok).toBe(false);
			expect(!loaded.ok && loaded.reason).toMatch(/^Your plan could not be read\. /);
			expect(snapshot(memory)).toBe(before);
			// Using the app (marking an item done) does not touch it either.
			await store.markDone('d1-p1', '2026-12-08', 'marked', 1);
			expect(memory.data.get(PLAN_KEY)).toEqual(damaged);
			expect((await store.save(settings)).ok).toBe(true);
			expect(await store.load()).toEqual({ ok: true, value: settings });
		}
	});

	it('refuses to save a plan that is not one', async () => {
		const memory = memoryBackend({ [PLAN_KEY]: settings });
		const store = new PlanStore(memory);
		expect(await store.save({ ...settings, sessionAt: '2026-12-07' })).toEqual({
			ok: false,
			reason: 'Your plan could not be saved: something in it is not as expected.'
		});
		expect(await store.load()).toEqual({ ok: true, value: settings });
	});

	it('says so in plain words when the disk is full, and keeps the plan and marks saved before', async () => {
		const memory = memoryBackend();
		await new PlanStore(memory).save(settings);
		await new PlanStore(memory).markDone('d1-p1', '2026-12-08', 'finished', 1);
		const before = snapshot(memory);
		const store = new PlanStore(fullDisk(memory));
		expect(await store.save({ ...settings, sessionAt: '2026-12-08T10:00' })).toEqual({
			ok: false,
			reason: 'Your plan could not be saved because this device is out of storage space. What was saved before is kept.'
		});
		expect(await store.markDone('d1-p2', '2026-12-08', 'marked', 2)).toEqual({
			ok: false,
			reason:
				'This could not be marked done because this device is out of storage space. What was saved before is kept.'
		});
		expect(await new PlanStore(brokenWrites(memory)).save(settings)).toEqual({
			ok: false,
			reason: 'Your plan could not be saved on this device just now. What was saved before is kept.'
		});
		expect(snapshot(memory)).toBe(before);
		expect(await store.load()).toEqual({ ok: true, value: settings });
		expect(await store.completions()).toEqual([{ key: 'd1-p1', date: '2026-12-08', at: 1, how: 'finished' }]);
	});

	it('marks items done and takes marks back', async () => {
		const store = new PlanStore(memoryBackend());
		expect(await store.completions()).toEqual([]);
		await store.markDone('d1-p1', '2026-12-08', 'finished', 10);
		const marked = await store.markDone('d1-p2', '2026-12-08', 'marked', 20);
		expect(marked).toEqual({
			ok: true,
			value: [
				{ key: 'd1-p1', date: '2026-12-08', at: 10, how: 'finished' },
				{ key: 'd1-p2', date: '2026-12-08', at: 20, how: 'marked' }
			]
		});
		// Again: the newer mark replaces the older.
		await store.markDone('d1-p1', '2026-12-08', 'marked', 30);
		expect((await store.completions()).map((c) => `${c.key}@${c.at}:${c.how}`)).toEqual([
			'd1-p2@20:marked',
			'd1-p1@30:marked'
		]);
		const unmarked = await store.unmarkDone('d1-p2', '2026-12-08');
		expect(unmarked.ok && unmarked.value.map((c) => c.key)).toEqual(['d1-p1']);
		expect((await store.unmarkDone('d9-p1', '2026-12-16')).ok).toBe(true);
		expect((await store.markDone('<script>', '2026-12-08', 'marked')).ok).toBe(false);
		expect((await store.markDone('d1-p1', '2026-02-30', 'marked')).ok).toBe(false);
	});

	it('keeps every mark made at once (they are written one after another)', async () => {
		const store = new PlanStore(memoryBackend());
		await Promise.all(
			[1, 2, 3, 4, 5].map((day) =>
				store.markDone(`d${day}-p1`, `2026-12-${String(day + 7).padStart(2, '0')}`, 'marked', day)
			)
		);
		expect((await store.completions()).map((c) => c.key)).toEqual(['d1-p1', 'd2-p1', 'd3-p1', 'd4-p1', 'd5-p1']);
	});

	it('keeps the newest 1,000 marks', async () => {
		const old: Completion[] = Array.from({ length: MAX_COMPLETIONS }, (_, index) => ({
			key: `d${index % 15}-p${index}`,
			date: '2026-12-07',
			at: index,
			how: 'marked'
		}));
		const memory = memoryBackend({ [COMPLETIONS_KEY]: old });
		const store = new PlanStore(memory);
		const marked = await store.markDone('d1-p1', '2026-12-08', 'finished', 5_000);
		expect(marked.ok && marked.value.length).toBe(MAX_COMPLETIONS);
		expect(marked.ok && marked.value[0]!.at).toBe(1);
		expect(marked.ok && marked.value.at(-1)!.key).toBe('d1-p1');
	});

	it('skips damaged and foreign marks', async () => {
		const good: Completion = { key: 'd2-p1', date: '2026-12-09', at: 5, how: 'finished' };
		const memory = memoryBackend({
			[COMPLETIONS_KEY]: [
				good,
				{ ...good, how: 'maybe' },
				{ ...good, at: Number.NaN },
				{ ...good, date: '9 December' },
				{ ...good, key: 42 },
				(({ date: _date, ...rest }) => rest)(good),
				'd2-p1',
				null,
				[good]
			]
		});
		const before = snapshot(memory);
		expect(await new PlanStore(memory).completions()).toEqual([good]);
		expect(snapshot(memory)).toBe(before);
		for (const foreign of ['done', null, { 'd2-p1': true }, 7]) {
			expect(await new PlanStore(memoryBackend({ [COMPLETIONS_KEY]: foreign })).completions()).toEqual([]);
		}
	});

	it('matches an item by key and date, so a mark does not follow a moved session', () => {
		const done: Completion[] = [{ key: 'd1-p1', date: '2026-12-08', at: 1, how: 'marked' }];
		expect(isDone(done, { key: 'd1-p1', date: '2026-12-08' })).toBe(true);
		// The session moved a day later: the same item is now on the 9th.
		expect(isDone(done, { key: 'd1-p1', date: '2026-12-09' })).toBe(false);
		expect(isDone(done, { key: 'd1-p2', date: '2026-12-08' })).toBe(false);
		expect(isDone([], { key: 'd1-p1', date: '2026-12-08' })).toBe(false);
	});
});
