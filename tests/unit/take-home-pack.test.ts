import { zipSync, strToU8 } from 'fflate';
import { indexOf } from '../support/bytes';
import { describe, expect, it } from 'vitest';
import {
	clipPath,
	MANIFEST_PATH,
	PACK_VERSION,
	parseManifest,
	pathProblem,
	trackPath
} from '../../src/lib/take-home/pack-format';
import { BUILT_IN_IDS, OWN_SCRIPT, sampleContents, samplePack, wavBytes } from './take-home-fixtures';
import { openPack, verifiedAudio } from '../../src/lib/take-home/pack-reader';
import { estimatePackBytes, packFileName, sha256Hex } from '../../src/lib/take-home/pack-writer';
import { readEntry, readZipIndex } from '../../src/lib/take-home/zip-reader';

describe('take-home pack: writing and reading', () => {
	it('reads back what was written, with every file fingerprinted in the manifest', async () => {
		const contents = sampleContents();
		const pack = await samplePack(contents);
		const opened = await openPack(pack, 'ana.grounded', BUILT_IN_IDS);
		expect(opened.ok, opened.ok ? '' : opened.reason).toBe(true);
		if (!opened.ok) return;
		expect(opened.value.manifest.version).toBe(PACK_VERSION);
		expect(opened.value.manifest.createdAt).toBe('2026-12-01T10:00:00.000Z');
		// A pack made without a plan or preparation words (as every pack before them) reads them as null.
		expect(opened.value.contents).toEqual({ ...contents, plan: null, preparation: null });
		expect(opened.value.manifest.items.map((item) => item.kind)).toEqual([
			'note',
			'contact',
			'script',
			'script',
			'breathing',
			'playlist'
		]);
		const files = [];
		for await (const file of verifiedAudio(opened.value)) files.push(file);
		expect(files).toHaveLength(1);
		expect(files[0]!.ok && new Uint8Array(await files[0]!.value.blob.arrayBuffer())).toEqual(wavBytes());
	});

	it('stores audio and deflates JSON', async () => {
		const pack = await samplePack();
		const index = await readZipIndex(pack, { maxEntries: 10 });
		expect(index.ok).toBe(true);
		if (!index.ok) return;
		const methods = Object.fromEntries([...index.value].map(([name, entry]) => [name, entry.method]));
		expect(methods).toEqual({
			'pack.json': 8,
			[clipPath(OWN_SCRIPT.id, OWN_SCRIPT.steps[0]!.id)]: 0,
			'manifest.json': 8
		});
	});

	it('estimates the size before making it, within a few kB, never under', async () => {
		const contents = sampleContents();
		const audio = [{ path: contents.clips[0]!.path, blob: new Blob([wavBytes(2) as BlobPart]) }];
		const estimate = estimatePackBytes(contents, audio);
		const made = await samplePack(contents, audio);
		expect(estimate).toBeGreaterThanOrEqual(made.size);
		expect(estimate - made.size).toBeLessThan(8_000);
	});

	it('names the file after the therapist and the day', () => {
		expect(packFileName(sampleContents(), new Date('2026-12-01T10:00:00Z'))).toBe(
			'grounded-take-home-dr-ana-ruiz-2026-12-01.grounded'
		);
	});
});

describe('take-home pack: paths and versions', () => {
	it('accepts only the pack’s own layout', () => {
		expect(pathProblem('manifest.json')).toBeNull();
		expect(pathProblem(clipPath('a', 'b'))).toBeNull();
		expect(pathProblem(trackPath('0123456789abcdef', 'mp3'))).toBeNull();
		expect(pathProblem('../evil.wav')).toMatch(/outside the pack/);
		expect(pathProblem('clips/../../x.wav')).toMatch(/outside the pack/);
		expect(pathProblem('/etc/passwd')).toMatch(/absolute/);
		expect(pathProblem('C:/x')).toMatch(/absolute/);
		expect(pathProblem('clips\\a\\b.wav')).toMatch(/backslash/);
		expect(pathProblem('inner.zip')).toMatch(/another archive/);
		expect(pathProblem('notes.txt')).toMatch(/doesn’t know/);
		expect(pathProblem('')).toMatch(/no name/);
	});

	it('refuses a newer version in plain words, and a foreign file as not a pack', () => {
		const newer = parseManifest({ format: 'grounded-take-home', version: PACK_VERSION + 1 });
		expect(!newer.ok && newer.reason).toMatch(/made by a newer Grounded/);
		const foreign = parseManifest({ name: 'something else' });
		expect(!foreign.ok && foreign.reason).toMatch(/not a Grounded take-home pack/);
	});

	it('reads every version up to its own', () => {
		for (let version = 1; version <= PACK_VERSION; version += 1) {
			const manifest = parseManifest({
				format: 'grounded-take-home',
				version,
				createdAt: '2026-12-01T10:00:00.000Z',
				app: 'Grounded',
				items: [],
				files: [{ path: 'pack.json', bytes: 2, sha256: 'a'.repeat(64) }]
			});
			expect(manifest.ok).toBe(true);
		}
	});
});

describe('take-home pack: refusals', () => {
	const open = (blob: Blob) => openPack(blob, 'bad.grounded', BUILT_IN_IDS);
	const reasonOf = async (blob: Blob) => {
		const opened = await open(blob);
		return opened.ok ? 'opened' : opened.reason;
	};

	it('refuses an empty, a truncated and a non-ZIP file, naming it', async () => {
		expect(await reasonOf(new Blob([]))).toBe('“bad.grounded” can’t be opened. The file is empty.');
		const pack = await samplePack();
		expect(await reasonOf(pack.slice(0, pack.size - 10))).toMatch(
			/^“bad\.grounded” can’t be opened\. The file is damaged/
		);
		expect(await reasonOf(pack.slice(0, Math.floor(pack.size / 2)))).toMatch(/damaged or incomplete/);
		expect(await reasonOf(new Blob(['just some text, not a pack at all']))).toMatch(/damaged or incomplete/);
	});

	it('refuses a ZIP that is not a pack', async () => {
		const zip = zipSync({ 'readme.txt': strToU8('hello') });
		expect(await reasonOf(new Blob([zip as BlobPart]))).toMatch(/doesn’t know/);
		const noManifest = zipSync({ 'pack.json': strToU8('{}') });
		expect(await reasonOf(new Blob([noManifest as BlobPart]))).toMatch(/not a Grounded take-home pack/);
	});

	it('refuses a file whose bytes do not match its fingerprint', async () => {
		const contents = sampleContents();
		const good = wavBytes();
		const pack = await samplePack(contents, [{ path: contents.clips[0]!.path, blob: new Blob([good as BlobPart]) }]);
		const bytes = new Uint8Array(await pack.arrayBuffer());
		// The clip is stored: find its samples in the pack and change one.
		const at = indexOf(bytes, good.subarray(100, 132));
		expect(at).toBeGreaterThan(0);
		bytes[at] = bytes[at]! ^ 0xff;
		const opened = await open(new Blob([bytes]));
		expect(opened.ok).toBe(true);
		if (!opened.ok) return;
		const results = [];
		for await (const file of verifiedAudio(opened.value)) results.push(file);
		expect(results.at(-1)!.ok).toBe(false);
		expect(!results.at(-1)!.ok && (results.at(-1) as { reason: string }).reason).toMatch(
			/does not match its fingerprint/
		);
	});

	it('refuses a manifest that lies about a size, and an inflated part larger than declared', async () => {
		const pack = await samplePack();
		const index = await readZipIndex(pack, { maxEntries: 10 });
		if (!index.ok) throw new Error(index.reason);
		const manifestBytes = await readEntry(pack, index.value.get(MANIFEST_PATH)!, 1 << 20);
		if (!manifestBytes.ok) throw new Error(manifestBytes.reason);
		const manifest = JSON.parse(new TextDecoder().decode(manifestBytes.value));
		manifest.files[1].bytes += 1;
		const contentsEntry = await readEntry(pack, index.value.get('pack.json')!, 1 << 22);
		const clipEntry = await readEntry(pack, index.value.get(manifest.files[1].path)!, 1 << 22);
		if (!contentsEntry.ok || !clipEntry.ok) throw new Error('unreadable');
		const lying = zipSync({
			'pack.json': contentsEntry.value,
			[manifest.files[1].path]: [clipEntry.value, { level: 0 }],
			'manifest.json': strToU8(JSON.stringify(manifest))
		});
		expect(await reasonOf(new Blob([lying as BlobPart]))).toMatch(/is not the size its manifest says/);
	});

	it('refuses a deflated part that inflates past its declared size (a zip bomb)', async () => {
		const bomb = zipSync({ 'manifest.json': new Uint8Array(5_000_000) });
		// The directory and the local header say 100 bytes; the data inflates to 5 MB.
		const bytes = new Uint8Array(bomb);
		const view = new DataView(bytes.buffer);
		view.setUint32(22, 100, true);
		const central = indexOf(bytes, new Uint8Array([0x50, 0x4b, 0x01, 0x02]));
		view.setUint32(central + 24, 100, true);
		expect(await reasonOf(new Blob([bytes]))).toMatch(/larger than it says|damaged/);
	});

	it('refuses duplicate names, nested archives and names that climb out', async () => {
		const nested = zipSync({ 'manifest.json': strToU8('{}'), 'tracks/inner.zip': new Uint8Array(10) });
		expect(await reasonOf(new Blob([nested as BlobPart]))).toMatch(/another archive/);
		const climbing = zipSync({ '../../evil.wav': new Uint8Array(10), 'manifest.json': strToU8('{}') });
		expect(await reasonOf(new Blob([climbing as BlobPart]))).toMatch(/outside the pack/);
		const twice = zipSync({ 'manifest.json': strToU8('{}'), 'manifest.jsoX': strToU8('{}') });
		// Renamed in both headers: two entries of one name.
		const bytes = new Uint8Array(twice);
		for (let at = indexOf(bytes, strToU8('manifest.jsoX')); at >= 0; at = indexOf(bytes, strToU8('manifest.jsoX')))
			bytes.set(strToU8('manifest.json'), at);
		expect(await reasonOf(new Blob([bytes]))).toMatch(/two files named/);
	});

	it('refuses contents that fail their schema, naming the part', async () => {
		const contents = sampleContents({ note: 'x'.repeat(5_000) });
		expect(await reasonOf(await samplePack(contents))).toMatch(/The note is too long/);
		const badScript = sampleContents({ scripts: [{ ...OWN_SCRIPT, steps: [] }] });
		expect(await reasonOf(await samplePack(badScript))).toMatch(/This script can’t be used/);
	});

	it('refuses a newer pack in plain words', async () => {
		const pack = await samplePack();
		const index = await readZipIndex(pack, { maxEntries: 10 });
		if (!index.ok) throw new Error(index.reason);
		const files: Record<string, Uint8Array> = {};
		for (const [name, entry] of index.value) {
			const read = await readEntry(pack, entry, 1 << 22);
			if (read.ok) files[name] = read.value;
		}
		const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
		files['manifest.json'] = strToU8(JSON.stringify({ ...manifest, version: PACK_VERSION + 1 }));
		expect(await reasonOf(new Blob([zipSync(files) as BlobPart]))).toMatch(/made by a newer Grounded/);
	});

	it('fingerprints as SHA-256', async () => {
		expect(await sha256Hex(strToU8('abc') as BufferSource)).toBe(
			'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
		);
	});
});
