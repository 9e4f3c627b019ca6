import { strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { BUILTIN_SCRIPTS } from '../../src/lib/grounding/builtin-scripts';
import { duplicateScript } from '../../src/lib/grounding/script';
import { ImportedTrackStore, keyValueTrackFiles } from '../../src/lib/library/imported-tracks';
import { memoryBackend, type KeyValueBackend } from '../../src/lib/storage/key-value';
import { PlaylistStore } from '../../src/lib/storage/playlist-store';
import { ScriptStore } from '../../src/lib/storage/script-store';
import { trackPath, type PackContents } from '../../src/lib/take-home/pack-format';
import { installPack, planInstall, type InstallStores } from '../../src/lib/take-home/pack-install';
import { openPack, type OpenedPack } from '../../src/lib/take-home/pack-reader';
import { sha256Hex, writePack } from '../../src/lib/take-home/pack-writer';
import { TakeHomeStore } from '../../src/lib/take-home/take-home-store';
import { VoiceClipStore } from '../../src/lib/voice/clip-store';
import { BUILT_IN_IDS, BUILT_IN_TITLES, OWN_SCRIPT, sampleContents, samplePack, wavBytes } from './take-home-fixtures';

function storesOn(backend: KeyValueBackend): InstallStores {
	return {
		scripts: new ScriptStore(backend),
		playlists: new PlaylistStore(backend),
		tracks: new ImportedTrackStore({ backend, files: keyValueTrackFiles(backend) }),
		takeHome: new TakeHomeStore(backend)
	};
}

/** Every WAV "decodes"; anything else does not, like a browser's decodeAudioData. */
const decode = async (bytes: ArrayBuffer) => {
	if (new TextDecoder().decode(new Uint8Array(bytes, 0, 4)) !== 'RIFF') throw new Error('EncodingError');
};
const plenty = async () => ({ quota: 1e10, usage: 0 });

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

/** A pack with a track included, to test the file store too. */
async function packWithTrack(createdAt = '2026-12-01T10:00:00Z'): Promise<{ blob: Blob; contents: PackContents }> {
	const audio = wavBytes(0.5, 8000, 220);
	const id = (await sha256Hex(audio as BufferSource)).slice(0, 16);
	const base = sampleContents();
	const contents = sampleContents({
		tracks: [
			{
				id,
				title: 'Low Tide',
				artist: null,
				fileName: 'low-tide.wav',
				durationSeconds: 0.5,
				loudnessLufs: -23,
				gainDb: 0,
				mime: 'audio/wav',
				path: trackPath(id, 'wav')
			}
		]
	});
	const blob = await writePack(
		contents,
		[
			{ path: base.clips[0]!.path, blob: new Blob([wavBytes() as BlobPart]) },
			{ path: trackPath(id, 'wav'), blob: new Blob([audio as BlobPart]) }
		],
		{ createdAt: new Date(createdAt), builtInTitles: BUILT_IN_TITLES }
	);
	return { blob, contents };
}

describe('installing a take-home pack', () => {
	it('previews everything as new, then puts it where the player, console and library find it', async () => {
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
			'playlist:new',
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
			/A recording of “Arriving, in my voice” does not play\. Nothing was changed\./
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
		expect(!result.ok && result.reason).toMatch(/There isn’t enough storage space .* Nothing was changed\./);
		expect(backend.data.size).toBe(0);
	});
});

describe('take-home pack fuzz', () => {
	it('500 mutated packs: never an uncaught error, never a partial write', async () => {
		const { blob } = await packWithTrack();
		const good = new Uint8Array(await blob.arrayBuffer());
		let seed = 12345;
		const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		const mutations = [
			(b: Uint8Array) => {
				const c = b.slice();
				for (let n = 0; n < 1 + Math.floor(random() * 8); n += 1) {
					const at = Math.floor(random() * c.length);
					c[at] = c[at]! ^ (1 << Math.floor(random() * 8));
				}
				return c;
			},
			(b: Uint8Array) => b.slice(0, Math.floor(random() * b.length)),
			(b: Uint8Array) => b.slice(Math.floor(random() * 200)),
			(b: Uint8Array) => {
				// A size field in the directory or a local header told a lie.
				const c = b.slice();
				const view = new DataView(c.buffer);
				const at = Math.floor(random() * (c.length - 4));
				view.setUint32(at, Math.floor(random() * 2 ** 32), true);
				return c;
			},
			(b: Uint8Array) => {
				// An entry renamed: a character of a name swapped for another.
				const c = b.slice();
				const names = ['pack.json', 'manifest.json', 'clips/', 'tracks/'];
				const name = strToU8(names[Math.floor(random() * names.length)]!);
				for (let i = 0; i + name.length <= c.length; i += 1) {
					if (name.every((byte, j) => c[i + j] === byte) && random() < 0.5) {
						c[i + Math.floor(random() * name.length)] = '../\\/.xA'.charCodeAt(Math.floor(random() * 8));
					}
				}
				return c;
			}
		];
		let uncaught = 0;
		let partial = 0;
		let installed = 0;
		const cases = 500;
		for (let n = 0; n < cases; n += 1) {
			const mutated = mutations[n % mutations.length]!(good);
			const backend = memoryBackend();
			try {
				const open = await openPack(new Blob([mutated as BlobPart]), 'fuzz.grounded', BUILT_IN_IDS);
				if (open.ok) {
					const stores = storesOn(backend);
					const plan = await planInstall(open.value, stores);
					const result = await installPack(plan, stores, { decode, estimate: plenty });
					if (result.ok) installed += 1;
					// All or nothing: either the record and its items are all there, or the store is empty.
					const keys = [...backend.data.keys()];
					const complete = result.ok && keys.some((k) => k.startsWith('take-home:'));
					if (!result.ok && keys.length > 0) partial += 1;
					if (result.ok && !complete) partial += 1;
				} else if (backend.data.size > 0) partial += 1;
			} catch (error) {
				uncaught += 1;
				console.error(error);
			}
		}
		console.log(
			`pack fuzz: ${cases} cases, ${uncaught} uncaught, ${partial} partial writes, ${installed} still installable`
		);
		expect(uncaught).toBe(0);
		expect(partial).toBe(0);
	}, 120_000);
});
