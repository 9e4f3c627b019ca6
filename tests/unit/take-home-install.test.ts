import { describe, expect, it } from 'vitest';
import { LEVELLING, needsLevelling } from '../../src/lib/library/imported-tracks';
import { CURATED_PLAYLISTS } from '../../src/lib/session/curated-playlists';
import { BUILTIN_SCRIPTS } from '../../src/lib/grounding/builtin-scripts';
import { duplicateScript } from '../../src/lib/grounding/script';
import { memoryBackend, type KeyValueBackend } from '../../src/lib/storage/key-value';
import { ScriptStore } from '../../src/lib/storage/script-store';
import { installPack, planInstall } from '../../src/lib/take-home/pack-install';
import { openPack, type OpenedPack } from '../../src/lib/take-home/pack-reader';
import { writePack } from '../../src/lib/take-home/pack-writer';
import { VoiceClipStore } from '../../src/lib/voice/clip-store';
import { decodeWavOnly as decode, fuzzPacks, plentyOfSpace as plenty, storesOn } from '../support/pack-fuzz';
import {
	BUILT_IN_IDS,
	BUILT_IN_TITLES,
	OWN_SCRIPT,
	packWithTrack,
	sampleContents,
	samplePack,
	wavBytes
} from './take-home-fixtures';

async function opened(blob: Blob, name = 'ana.grounded'): Promise<OpenedPack> {
	const result = await openPack(blob, name, BUILT_IN_IDS);
	if (!result.ok) throw new Error(result.reason);
	return result.value;
}

async function install(backend: KeyValueBackend, blob: Blob, options = {}) {
	const stores = storesOn(backend);
	const plan = await planInstall(await opened(blob), stores);
	return { plan, result: await installPack(plan, stores, { decode, estimate: plenty, ...options }) };
}

const snapshot = (backend: ReturnType<typeof memoryBackend>) => JSON.stringify([...backend.data.entries()].sort());

describe('installing a take-home pack', () => {
	it('previews everything as new (a curated playlist as coming with Grounded), then puts it where the player, console and library find it', async () => {
		const backend = memoryBackend();
		const { blob } = await packWithTrack();
		const { plan, result } = await install(backend, blob);
		expect(plan.status).toBe('new');
		expect(plan.lines.map((line) => `${line.kind}:${line.state}`)).toEqual([
			'note:new',
			'contact:new',
			`script:new`,
			'script:new',
			'breathing:new',
			'playlist:same',
			'track:new'
		]);
		expect(result.ok, result.ok ? '' : result.reason).toBe(true);
		const stores = storesOn(backend);
		expect((await stores.scripts.get(OWN_SCRIPT.id))?.title).toBe(OWN_SCRIPT.title);
		const clip = await new VoiceClipStore(backend).get(OWN_SCRIPT.id, OWN_SCRIPT.steps[0]!.id);
		expect(clip && new Uint8Array(await clip.wav.arrayBuffer())).toEqual(wavBytes());
		expect((await stores.tracks.list()).map((t) => t.title)).toEqual(['Low Tide']);
		expect(await stores.tracks.fileOf((await stores.tracks.list())[0]!.id)).not.toBeNull();
		const record = await stores.takeHome.get('therapist-0123456789');
		expect(record?.note).toBe('Go gently this week.');
		expect(record?.breathing?.title).toBe('Evening breathing');
		// The curated playlist is named in the record, not copied among the client's own.
		expect(await stores.playlists.listOwn()).toEqual([]);
		expect(record?.playlistIds).toEqual([CURATED_PLAYLISTS[0]!.id]);
	});

	it('keeps the level a track travelled with, and levels again one from a pack made before levels travelled', async () => {
		const carried = memoryBackend();
		await install(
			carried,
			(await packWithTrack(undefined, { truePeakDb: -3.5, gainDb: -2, levelling: LEVELLING })).blob
		);
		const [kept] = await storesOn(carried).tracks.list();
		expect(kept).toMatchObject({ truePeakDb: -3.5, gainDb: -2, levelling: LEVELLING });
		expect(needsLevelling(kept!)).toBe(false);

		const older = memoryBackend();
		await install(older, (await packWithTrack()).blob);
		const [plain] = await storesOn(older).tracks.list();
		expect(plain).not.toHaveProperty('truePeakDb');
		expect(plain).not.toHaveProperty('levelling');
		expect(needsLevelling(plain!)).toBe(true);

		// A reader passes over details it doesn't know, as one from before these did.
		const newer = await packWithTrack(undefined, { levelling: LEVELLING, ...{ loudnessRange: 7 } });
		const read = await opened(newer.blob);
		expect(read.contents.tracks[0]).not.toHaveProperty('loudnessRange');
		expect(read.contents.tracks[0]!.levelling).toBe(LEVELLING);
	});

	it('changes nothing when the same pack is opened again', async () => {
		const backend = memoryBackend();
		const { blob } = await packWithTrack();
		await install(backend, blob);
		const before = snapshot(backend);
		const again = await install(backend, blob);
		expect(again.plan.status).toBe('same');
		expect(again.plan.lines.every((line) => line.state === 'same')).toBe(true);
		expect(again.result.ok && again.result.value.changed).toBe(false);
		expect(snapshot(backend)).toBe(before);
	});

	it('updates the sender’s items from a newer pack and keeps what the client made', async () => {
		const backend = memoryBackend();
		await install(backend, await samplePack());
		// The client's own things: a script of their own, and a journal entry.
		const mine = duplicateScript(BUILTIN_SCRIPTS[2]!, 'my-own', 'Mine');
		await new ScriptStore(backend).save(mine);
		await backend.set('journal-entry:1', { text: 'I felt the floor.' });
		const newer = sampleContents({
			note: 'A new note.',
			scripts: [{ ...OWN_SCRIPT, title: 'Arriving, again' }],
			clips: [],
			playlists: []
		});
		const blob = await writePack(newer, [], {
			createdAt: new Date('2026-12-03T10:00:00Z'),
			builtInTitles: BUILT_IN_TITLES
		});
		const { plan, result } = await install(backend, blob);
		expect(plan.status).toBe('update');
		expect(plan.lines.filter((l) => l.state !== 'same').map((l) => `${l.kind}:${l.state}`)).toEqual([
			'note:updated',
			'script:updated',
			'playlist:removed'
		]);
		expect(result.ok).toBe(true);
		const stores = storesOn(backend);
		expect((await stores.scripts.get(OWN_SCRIPT.id))?.title).toBe('Arriving, again');
		// The recording of the step the new pack no longer brings is gone with it.
		expect(await new VoiceClipStore(backend).listFor(OWN_SCRIPT.id)).toEqual([]);
		expect(await stores.playlists.listOwn()).toEqual([]);
		expect(await stores.scripts.get('my-own')).toEqual(mine);
		expect(await backend.get('journal-entry:1')).toEqual({ text: 'I felt the floor.' });
	});

	it('refuses an older pack from the same sender, changing nothing', async () => {
		const backend = memoryBackend();
		const later = await writePack(sampleContents({ clips: [] }), [], {
			createdAt: new Date('2026-12-04T10:00:00Z'),
			builtInTitles: BUILT_IN_TITLES
		});
		await install(backend, later);
		const before = snapshot(backend);
		const { result } = await install(backend, await samplePack());
		expect(!result.ok && result.reason).toMatch(/A newer pack from Dr\. Ana Ruiz is already on this device/);
		expect(snapshot(backend)).toBe(before);
	});

	it('keeps a pack’s script beside someone else’s of the same id, under a new id', async () => {
		const backend = memoryBackend();
		const clients = { ...OWN_SCRIPT, title: 'The client’s own' };
		await new ScriptStore(backend).save(clients);
		const { plan, result } = await install(backend, await samplePack());
		expect(plan.lines.find((l) => l.kind === 'script' && l.title === OWN_SCRIPT.title)?.detail).toMatch(/kept beside/);
		expect(result.ok).toBe(true);
		const stores = storesOn(backend);
		expect(await stores.scripts.get(OWN_SCRIPT.id)).toEqual(clients);
		const keptAs = plan.scriptIds.get(OWN_SCRIPT.id)!;
		expect(keptAs).not.toBe(OWN_SCRIPT.id);
		expect((await stores.scripts.get(keptAs))?.title).toBe(OWN_SCRIPT.title);
		expect(await new VoiceClipStore(backend).get(keptAs, OWN_SCRIPT.steps[0]!.id)).not.toBeNull();
	});

	it('stores nothing when a recording does not decode', async () => {
		const backend = memoryBackend();
		const contents = sampleContents();
		const blob = await writePack(contents, [{ path: contents.clips[0]!.path, blob: new Blob(['not audio at all']) }], {
			createdAt: new Date('2026-12-01T10:00:00Z'),
			builtInTitles: BUILT_IN_TITLES
		});
		const { result } = await install(backend, blob);
		expect(!result.ok && result.reason).toMatch(
			/A recording of “Arriving, in my voice” does not play\. Nothing on this device was changed\./
		);
		expect(backend.data.size).toBe(0);
	});

	it('says when there is not enough space, before writing anything', async () => {
		const backend = memoryBackend();
		const { blob } = await packWithTrack();
		const { result } = await install(backend, blob, { estimate: async () => ({ quota: 1_000_000, usage: 900_000 }) });
		expect(!result.ok && result.reason).toMatch(/needs about .* MB of space and this device has 0\.1 MB free/);
		expect(backend.data.size).toBe(0);
	});

	it('takes back the track files it wrote when the final write fails', async () => {
		const backend = memoryBackend();
		const full: KeyValueBackend = {
			...backend,
			transact: async () => {
				throw new DOMException('full', 'QuotaExceededError');
			}
		};
		const { blob } = await packWithTrack();
		const { result } = await install(full, blob);
		expect(!result.ok && result.reason).toMatch(
			/There isn’t enough storage space .* Nothing on this device was changed\./
		);
		expect(backend.data.size).toBe(0);
	});
});

describe('take-home pack fuzz', () => {
	it('500 mutated packs: never an uncaught error, never a partial write', async () => {
		const { blob } = await packWithTrack();
		const outcome = await fuzzPacks(new Uint8Array(await blob.arrayBuffer()), {
			cases: 500,
			builtInIds: BUILT_IN_IDS,
			onUncaught: (error) => console.error(error)
		});
		console.log(
			`pack fuzz: ${outcome.cases} cases, ${outcome.uncaught} uncaught, ${outcome.partialWrites} partial writes, ${outcome.installed} still installable`
		);
		expect(outcome.uncaught).toBe(0);
		expect(outcome.partialWrites).toBe(0);
	}, 120_000);
});
