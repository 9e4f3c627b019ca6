/**
 * Mutated take-home packs, for the unit test's fuzz (tests/unit/take-home-install.test.ts) and the
 * bench's (bench/take-home.bench.ts): the same mutations, the same all-or-nothing check.
 *
 * Each case damages a good pack one way (bytes flipped, the file cut short or missing its start, a
 * size field made up, a name changed), then opens it and, where it opens, plans and installs it
 * into fresh in-memory stores. A case counts as uncaught when anything throws, and as a partial
 * write when a refused pack left anything in the store or an accepted one left no sender record.
 *
 * @example
 * const outcome = await fuzzPacks(new Uint8Array(await pack.arrayBuffer()), { cases: 500, builtInIds });
 * expect(outcome.uncaught).toBe(0);
 */
import { strToU8 } from 'fflate';
import { ImportedTrackStore, keyValueTrackFiles } from '../../src/lib/library/imported-tracks';
import { memoryBackend, type KeyValueBackend } from '../../src/lib/storage/key-value';
import { PlaylistStore } from '../../src/lib/storage/playlist-store';
import { ScriptStore } from '../../src/lib/storage/script-store';
import { installPack, planInstall, type InstallStores } from '../../src/lib/take-home/pack-install';
import { openPack } from '../../src/lib/take-home/pack-reader';
import { TakeHomeStore } from '../../src/lib/take-home/take-home-store';

/** The stores an install writes to, all on one backend, track files included. */
export function storesOn(backend: KeyValueBackend): InstallStores {
	return {
		scripts: new ScriptStore(backend),
		playlists: new PlaylistStore(backend),
		tracks: new ImportedTrackStore({ backend, files: keyValueTrackFiles(backend) }),
		takeHome: new TakeHomeStore(backend)
	};
}

/** Every WAV "decodes"; anything else does not, like a browser's decodeAudioData. */
export async function decodeWavOnly(file: Blob): Promise<void> {
	if (new TextDecoder().decode(new Uint8Array(await file.slice(0, 4).arrayBuffer())) !== 'RIFF')
		throw new Error('EncodingError');
}

/** A storage estimate with room for anything. */
export async function plentyOfSpace(): Promise<{ quota: number; usage: number }> {
	return { quota: 1e10, usage: 0 };
}

/** A linear congruential generator: the same seed gives the same cases on every run. */
export function seededRandom(seed: number): () => number {
	let state = seed;
	return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

export type Mutation = (pack: Uint8Array) => Uint8Array;

/** The ways a case damages a pack, each drawing from `random`. */
export function packMutations(random: () => number): readonly Mutation[] {
	return [
		(b) => {
			const c = b.slice();
			for (let n = 0; n < 1 + Math.floor(random() * 8); n += 1) {
				const at = Math.floor(random() * c.length);
				c[at] = c[at]! ^ (1 << Math.floor(random() * 8));
			}
			return c;
		},
		(b) => b.slice(0, Math.floor(random() * b.length)),
		(b) => b.slice(Math.floor(random() * 200)),
		(b) => {
			// A size field in the directory or a local header told a lie.
			const c = b.slice();
			const view = new DataView(c.buffer);
			const at = Math.floor(random() * (c.length - 4));
			view.setUint32(at, Math.floor(random() * 2 ** 32), true);
			return c;
		},
		(b) => {
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
}

export interface FuzzOptions {
	readonly cases: number;
	readonly builtInIds: ReadonlySet<string>;
	readonly seed?: number;
	/** Told of each uncaught error, to show it. */
	readonly onUncaught?: (error: unknown) => void;
}

export interface FuzzOutcome {
	readonly cases: number;
	/** Cases where opening, planning or installing threw. */
	readonly uncaught: number;
	/** Cases where a refused pack left something stored, or an accepted one left no sender record. */
	readonly partialWrites: number;
	/** Damaged packs that still opened and installed (a flipped bit in audio the fake decode accepts, say). */
	readonly installed: number;
	/** Damaged packs refused when opened. */
	readonly refusedAtOpen: number;
}

/** Runs `cases` mutations of `good`, the mutations in turn, into fresh in-memory stores each time. */
export async function fuzzPacks(good: Uint8Array, options: FuzzOptions): Promise<FuzzOutcome> {
	const mutations = packMutations(seededRandom(options.seed ?? 12345));
	let uncaught = 0;
	let partialWrites = 0;
	let installed = 0;
	let refusedAtOpen = 0;
	for (let n = 0; n < options.cases; n += 1) {
		const mutated = mutations[n % mutations.length]!(good);
		const backend = memoryBackend();
		try {
			const open = await openPack(new Blob([mutated as BlobPart]), 'fuzz.grounded', options.builtInIds);
			if (open.ok) {
				const stores = storesOn(backend);
				const plan = await planInstall(open.value, stores);
				const result = await installPack(plan, stores, { decode: decodeWavOnly, estimate: plentyOfSpace });
				if (result.ok) installed += 1;
				// All or nothing: either the record and its items are all there, or the store is empty.
				const keys = [...backend.data.keys()];
				if (!result.ok && keys.length > 0) partialWrites += 1;
				if (result.ok && !keys.some((key) => key.startsWith('take-home:'))) partialWrites += 1;
			} else {
				refusedAtOpen += 1;
				if (backend.data.size > 0) partialWrites += 1;
			}
		} catch (error) {
			uncaught += 1;
			options.onUncaught?.(error);
		}
	}
	return { cases: options.cases, uncaught, partialWrites, installed, refusedAtOpen };
}
