/**
 * A take-home pack's plan for the days after and its words for the preparation card: written,
 * read, installed with the practices named as the client's device names them, refused in plain
 * words when wrong, and absent from older packs without harm.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { BUILTIN_SCRIPTS } from '../../src/lib/grounding/builtin-scripts';
import { parsePlanTemplate, type PlanTemplate } from '../../src/lib/integration/plan';
import {
	emptyPreparation,
	parsePreparationSeed,
	PreparationStore,
	PREPARATION_KEY
} from '../../src/lib/integration/preparation-store';
import { ImportedTrackStore, keyValueTrackFiles, LEVELLING } from '../../src/lib/library/imported-tracks';
import { memoryBackend, type KeyValueBackend } from '../../src/lib/storage/key-value';
import { ScriptStore } from '../../src/lib/storage/script-store';
import { PlaylistStore } from '../../src/lib/storage/playlist-store';
import { importedItem, newPlaylist } from '../../src/lib/session/playlist-edit';
import type { PackContents } from '../../src/lib/take-home/pack-format';
import { installPack, planInstall } from '../../src/lib/take-home/pack-install';
import { openPack, type OpenedPack } from '../../src/lib/take-home/pack-reader';
import { writePack } from '../../src/lib/take-home/pack-writer';
import { parseTakeHomeRecord, takeHomeKey } from '../../src/lib/take-home/take-home-store';
import { TakeHomeBuilder } from '../../src/routes/take-home/take-home.svelte';
import { decodeWavOnly as decode, plentyOfSpace as plenty, storesOn } from '../support/pack-fuzz';
import { BUILT_IN_IDS, BUILT_IN_TITLES, OWN_SCRIPT, sampleContents, samplePack } from './take-home-fixtures';

const SENDER = 'therapist-0123456789';
const BUILT_IN = BUILTIN_SCRIPTS[1]!.id;

const samplePlan = (overrides: Partial<PlanTemplate> = {}): PlanTemplate => ({
	version: 1,
	sessionAt: '2026-12-07T09:00',
	nextSessionAt: '2026-12-10T16:00',
	rules: [
		{
			fromDay: 1,
			toDay: 3,
			perDay: 2,
			practices: [
				{ kind: 'script', id: OWN_SCRIPT.id },
				{ kind: 'breathing', from: null }
			]
		},
		{ fromDay: 4, toDay: 14, perDay: 1, practices: [{ kind: 'script', id: BUILT_IN }] }
	],
	checkIns: { fromDay: 4, toDay: 14 },
	...overrides
});

const withPlan = (overrides: Partial<PackContents> = {}): PackContents =>
	sampleContents({
		plan: samplePlan(),
		preparation: { intentions: 'To meet the grief with kindness.', signals: 'A raised hand: slow down.' },
		...overrides
	});

async function opened(blob: Blob): Promise<OpenedPack> {
	const result = await openPack(blob, 'ana.grounded', BUILT_IN_IDS);
	if (!result.ok) throw new Error(result.reason);
	return result.value;
}

async function install(backend: KeyValueBackend, blob: Blob) {
	const stores = storesOn(backend);
	const plan = await planInstall(await opened(blob), stores);
	return installPack(plan, stores, { decode, estimate: plenty, now: () => 1_000 });
}

const reasonOf = async (blob: Blob): Promise<string> => {
	const result = await openPack(blob, 'bad.grounded', BUILT_IN_IDS);
	return result.ok ? 'opened' : result.reason;
};

describe('a pack’s plan and preparation words', () => {
	it('travel through write → read → install, with the plan’s practices named as this device names them', async () => {
		const backend = memoryBackend();
		// The client already has a script of the pack script's id, so the pack's is kept under a new one.
		await new ScriptStore(backend).save({ ...OWN_SCRIPT, title: 'The client’s own' });
		const contents = withPlan();
		const blob = await samplePack(contents);

		const read = await opened(blob);
		expect(read.contents.plan).toEqual(contents.plan);
		expect(read.contents.preparation).toEqual(contents.preparation);
		// Neither is a manifest item: an older reader refuses kinds it doesn't know.
		expect(read.manifest.items.map((item) => item.kind)).toEqual([
			'note',
			'contact',
			'script',
			'script',
			'breathing',
			'playlist'
		]);

		const result = await install(backend, blob);
		expect(result.ok, result.ok ? '' : result.reason).toBe(true);
		if (!result.ok) return;
		expect(result.value.notes).toEqual([]);
		const record = await storesOn(backend).takeHome.get(SENDER);
		const keptAs = record!.renamed![OWN_SCRIPT.id]!;
		expect(keptAs).toMatch(new RegExp(`^${OWN_SCRIPT.id}-`));
		expect(record?.plan).toEqual({
			...samplePlan(),
			rules: [
				{
					fromDay: 1,
					toDay: 3,
					perDay: 2,
					practices: [
						{ kind: 'script', id: keptAs },
						{ kind: 'breathing', from: SENDER }
					]
				},
				{ fromDay: 4, toDay: 14, perDay: 1, practices: [{ kind: 'script', id: BUILT_IN }] }
			]
		});
		expect(record?.preparation).toEqual(contents.preparation);
		expect(result.value.record).toEqual(record);

		const card = await new PreparationStore(backend).load();
		expect(card).toMatchObject({
			intentions: 'To meet the grief with kindness.',
			safety: '',
			resources: '',
			signals: 'A raised hand: slow down.',
			seededBy: SENDER
		});
	});

	it('fills only the empty parts of a card the client already has', async () => {
		const backend = memoryBackend();
		const preparation = new PreparationStore(backend);
		await preparation.save({ ...emptyPreparation(5), intentions: 'My own words.', resources: '   ' });
		const result = await install(
			backend,
			await samplePack(
				withPlan({ preparation: { intentions: 'Theirs.', safety: 'A warm room.', resources: 'My sister.' } })
			)
		);
		expect(result.ok && result.value.notes).toEqual([]);
		expect(await preparation.load()).toMatchObject({
			intentions: 'My own words.',
			safety: 'A warm room.',
			resources: 'My sister.',
			signals: '',
			seededBy: SENDER
		});
	});

	it('doesn’t bring the same words again in a newer pack, so a part the client emptied stays empty', async () => {
		const backend = memoryBackend();
		await install(backend, await samplePack(withPlan()));
		const preparation = new PreparationStore(backend);
		const card = (await preparation.load())!;
		await preparation.save({ ...card, signals: '' });
		const newer = await writePack(withPlan({ note: 'A new note.', clips: [] }), [], {
			createdAt: new Date('2026-12-03T10:00:00Z'),
			builtInTitles: BUILT_IN_TITLES
		});
		expect((await install(backend, newer)).ok).toBe(true);
		expect((await preparation.load())?.signals).toBe('');
	});

	it('installs the pack when the card can’t take the words, and says so in a note', async () => {
		const backend = memoryBackend();
		// A card this Grounded can't read (a newer one's, or damaged) is never overwritten.
		await backend.set(PREPARATION_KEY, { version: 2, words: 'kept' });
		const result = await install(backend, await samplePack(withPlan()));
		expect(result.ok, result.ok ? '' : result.reason).toBe(true);
		if (!result.ok) return;
		expect(result.value.changed).toBe(true);
		expect(result.value.notes).toEqual([
			'Your preparation card could not be read on this device, so the suggested words were not added to it. It is kept as it was.'
		]);
		expect((await storesOn(backend).takeHome.get(SENDER))?.plan).not.toBeNull();
		expect(await backend.get(PREPARATION_KEY)).toEqual({ version: 2, words: 'kept' });
	});

	it('installs an older pack, without the fields, with no plan and the card untouched', async () => {
		const backend = memoryBackend();
		const older = sampleContents();
		expect('plan' in older || 'preparation' in older).toBe(false);
		const result = await install(backend, await samplePack(older));
		expect(result.ok, result.ok ? '' : result.reason).toBe(true);
		const record = await storesOn(backend).takeHome.get(SENDER);
		expect(record?.plan).toBeNull();
		expect(record?.preparation).toBeNull();
		expect(await backend.get(PREPARATION_KEY)).toBeUndefined();
	});

	it('a newer pack without a plan takes the sender’s plan away', async () => {
		const backend = memoryBackend();
		await install(backend, await samplePack(withPlan()));
		const newer = await writePack(sampleContents({ clips: [] }), [], {
			createdAt: new Date('2026-12-03T10:00:00Z'),
			builtInTitles: BUILT_IN_TITLES
		});
		expect((await install(backend, newer)).ok).toBe(true);
		expect((await storesOn(backend).takeHome.get(SENDER))?.plan).toBeNull();
	});
});

describe('a pack’s plan and preparation words: refusals', () => {
	it('refuses a plan whose rule ends before it begins, installing nothing', async () => {
		const backend = memoryBackend();
		const plan = samplePlan({ rules: [{ fromDay: 5, toDay: 2, perDay: 1, practices: [] }] });
		const blob = await samplePack(withPlan({ plan }));
		expect(await reasonOf(blob)).toBe(
			'“bad.grounded” can’t be opened. The plan can’t be used. A rule of the plan ends before it begins.'
		);
		expect(backend.data.size).toBe(0);
	});

	it('refuses a plan that suggests a script the pack doesn’t hold', async () => {
		const plan = samplePlan({
			rules: [{ fromDay: 1, toDay: 3, perDay: 2, practices: [{ kind: 'script', id: 'not-here' }] }]
		});
		expect(await reasonOf(await samplePack(withPlan({ plan })))).toBe(
			'“bad.grounded” can’t be opened. The plan can’t be used. It suggests a script that isn’t in this pack (“not-here”).'
		);
		// A built-in script is the pack's only when the pack lists it.
		const unlisted = samplePlan({
			rules: [{ fromDay: 1, toDay: 3, perDay: 2, practices: [{ kind: 'script', id: BUILTIN_SCRIPTS[2]!.id }] }]
		});
		expect(await reasonOf(await samplePack(withPlan({ plan: unlisted })))).toMatch(
			/It suggests a script that isn’t in this pack/
		);
	});

	it('refuses a plan that suggests a breathing practice the pack doesn’t hold', async () => {
		expect(await reasonOf(await samplePack(withPlan({ breathing: null })))).toBe(
			'“bad.grounded” can’t be opened. The plan can’t be used. It suggests the breathing practice, but this pack holds none.'
		);
		const elsewhere = samplePlan({
			rules: [{ fromDay: 1, toDay: 3, perDay: 1, practices: [{ kind: 'breathing', from: 'someone-else' }] }]
		});
		expect(await reasonOf(await samplePack(withPlan({ plan: elsewhere })))).toMatch(
			/The plan can’t be used\. It suggests a breathing practice from somewhere other than this pack\./
		);
	});

	it('refuses a plan from a newer Grounded, and preparation words that are too long, in plain words', async () => {
		const newer = { ...samplePlan(), version: 2 } as unknown as PlanTemplate;
		expect(await reasonOf(await samplePack(withPlan({ plan: newer })))).toMatch(
			/The plan can’t be used\. This plan was made by a newer Grounded\./
		);
		const long = withPlan({ preparation: { safety: 'x'.repeat(4_001) } });
		expect(await reasonOf(await samplePack(long))).toMatch(
			/The preparation card in this pack can’t be used: a part of it is longer than 4,000 characters\./
		);
	});
});

describe('older and newer readers', () => {
	it('a version 1 reader ignores fields of pack.json it doesn’t know, as an older one ignores the plan', async () => {
		// What an older Grounded does with `plan` and `preparation`: its v.object drops unknown keys.
		const older = v.object({ note: v.nullable(v.string()) });
		expect(v.parse(older, { note: 'hi', plan: samplePlan(), preparation: { safety: 'x' } })).toEqual({ note: 'hi' });
		// And this reader, with a field from a Grounded newer than it.
		const newer = { ...withPlan(), somethingNewer: { kind: 'future' } } as PackContents;
		const read = await opened(await samplePack(newer));
		expect(read.contents.plan).toEqual(samplePlan());
		expect('somethingNewer' in read.contents).toBe(false);
	});

	it('reads a stored record from before plans as having none, and keeps a record whose plan is damaged (the plan is refused where it is used)', () => {
		const key = takeHomeKey(SENDER);
		const before = {
			version: 1,
			from: { id: SENDER, name: 'Dr. Ana Ruiz', contact: '', supportLine: '' },
			clientName: null,
			note: 'Go gently.',
			createdAt: '2026-12-01T10:00:00.000Z',
			installedAt: 1,
			scriptIds: [],
			builtInScriptIds: [],
			playlistIds: [],
			trackIds: [],
			breathing: null
		};
		expect(parseTakeHomeRecord(key, before)).toMatchObject({ note: 'Go gently.', plan: null, preparation: null });
		const damaged = parseTakeHomeRecord(key, {
			...before,
			plan: { version: 1, rules: 'every day' },
			preparation: { safety: 42 }
		});
		// Kept as it came, so the record stays; where the plan is used it is read through its schema.
		expect(damaged).toMatchObject({ note: 'Go gently.' });
		expect(parsePlanTemplate(damaged!.plan).ok).toBe(false);
		expect(parsePreparationSeed(damaged!.preparation).ok).toBe(false);
	});
});

describe('the therapist’s page', () => {
	async function builder() {
		const backend = memoryBackend();
		const page = new TakeHomeBuilder({
			backend,
			tracks: new ImportedTrackStore({ backend, files: keyValueTrackFiles(backend) })
		});
		await page.load();
		return page;
	}

	it('leaves the plan and the card out until they are set', async () => {
		const page = await builder();
		page.toggleScript(BUILT_IN);
		const contents = page.contents(SENDER);
		expect('plan' in contents).toBe(false);
		expect('preparation' in contents).toBe(false);
	});

	it('makes a plan and card words that a pack carries and a reader accepts', async () => {
		const page = await builder();
		page.toggleScript(BUILT_IN);
		page.includePlan = true;
		page.sessionDate = '2026-12-07';
		page.sessionTime = '09:00';
		page.perDay.first = 3;
		page.togglePlanPractice('first', 'breathing');
		page.togglePlanPractice('later', `script:${BUILT_IN}`);
		page.checkInFromDay = 5;
		page.preparation.intentions = '  Kindness.  ';
		expect(page.problem).toBe('');
		expect(page.planChoices.map((choice) => choice.key)).toEqual([`script:${BUILT_IN}`, 'breathing']);
		const contents = page.contents(SENDER);
		expect(contents.plan).toEqual({
			version: 1,
			sessionAt: '2026-12-07T09:00',
			nextSessionAt: null,
			rules: [
				{ fromDay: 1, toDay: 3, perDay: 3, practices: [{ kind: 'breathing', from: null }] },
				{ fromDay: 4, toDay: 14, perDay: 1, practices: [{ kind: 'script', id: BUILT_IN }] }
			],
			checkIns: { fromDay: 5, toDay: 14 }
		});
		expect(contents.preparation).toEqual({ intentions: 'Kindness.' });
		const read = await opened(
			await writePack(contents, [], { createdAt: new Date('2026-12-01T10:00:00Z'), builtInTitles: BUILT_IN_TITLES })
		);
		expect(read.contents.plan).toEqual(contents.plan);

		// A practice taken out of the pack is taken out of the plan too.
		page.includeBreathing = false;
		expect(page.contents(SENDER).plan?.rules[0]?.practices).toEqual([]);
	});

	it('sends each imported track’s true peak and levelling rule, so the client’s device keeps its gain', async () => {
		const backend = memoryBackend();
		const tracks = new ImportedTrackStore({ backend, files: keyValueTrackFiles(backend) });
		const meta = { title: 'Rain', artist: null, fileName: 'rain.wav', durationSeconds: 60, mime: 'audio/wav' };
		const rain = await tracks.add(new Uint8Array([1, 2, 3]).buffer, {
			...meta,
			loudnessLufs: -30,
			truePeakDb: -9.5,
			gainDb: 7,
			levelling: LEVELLING,
			importedAt: 1
		});
		// Imported under the first rule: nothing to send, so the client's device levels it again.
		const earlier = await tracks.add(new Uint8Array([4, 5, 6]).buffer, {
			...meta,
			title: 'Old',
			loudnessLufs: -8,
			gainDb: -12,
			importedAt: 2
		});
		if (!rain.ok || !earlier.ok) throw new Error('tracks not added');
		const playlist = newPlaylist('own-evening');
		playlist.phases[0]!.items = [importedItem(rain.value.id), importedItem(earlier.value.id)];
		await new PlaylistStore(backend).save(playlist);
		const page = new TakeHomeBuilder({ backend, tracks });
		await page.load();
		page.togglePlaylist('own-evening');
		const sent = page.contents(SENDER).tracks;
		expect(sent).toHaveLength(2);
		expect(sent.find((track) => track.title === 'Rain')).toMatchObject({ truePeakDb: -9.5, levelling: LEVELLING });
		const old = sent.find((track) => track.title === 'Old')!;
		expect('truePeakDb' in old || 'levelling' in old).toBe(false);
	});

	it('says what is missing from the plan’s dates in plain words', async () => {
		const page = await builder();
		page.includePlan = true;
		expect(page.problem).toBe('');
		page.sessionDate = '2026-12-07';
		expect(page.problem).toBe('Give the time of the session as well as its date.');
		page.sessionTime = '09:00';
		page.nextSessionTime = '10:00';
		expect(page.problem).toBe('Give the date of the next integration session as well as its time.');
		page.nextSessionDate = '2026-12-06';
		expect(page.problem).toBe('The next integration session is set before this one.');
		page.nextSessionDate = '2026-12-10';
		page.checkInFromDay = 15;
		expect(page.problem).toBe('Check-ins begin on a day from 1 to 14.');
		page.suggestCheckIns = false;
		expect(page.problem).toBe('');
	});
});
