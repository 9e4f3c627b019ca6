/**
 * Bench, take-home packs, in real Chromium. Writes bench-results/take-home.json; `npm run bench`
 * prints it.
 *
 * A pack of about 150 MB (three MP3s of about 50 MB each, made by joining the shipped curated MP3s
 * end to end, whose frames follow each other validly, 81 minutes each; and six 30-second voice
 * clips, 24 kHz 16-bit WAVs as the recorder keeps them) is made with writePack, then opened,
 * planned and installed with the app's own stores (IndexedDB through the default backend, track
 * files in the origin private file system) and the default decode check (decodeAudioData in an
 * OfflineAudioContext). What it stored is deleted at the end. Playwright's browser context is a
 * fresh, ephemeral one, so the stores are Chromium's real ones kept in memory rather than on disk.
 *
 * - pack_build_mb_per_s, pack_import_mb_per_s (and pack_import_s): the pack's size (MB = 10^6
 *   bytes) over the time writePack took, and over openPack + planInstall + installPack
 *   (performance.now()). pack_import_read_verify_s, pack_import_decode_check_and_write_s and
 *   pack_import_transaction_s split the install by its progress reports: reading each file from
 *   the pack with its size and SHA-256 checked; decoding it once and, for a track, writing its
 *   file; the one transaction at the end. pack_tracks_minutes: how much music the decode check
 *   decodes.
 * - pack_import_heap_growth_mb: the most the page's JS memory grew while importing: V8's heap in
 *   use plus the ArrayBuffers' backing stores (DevTools Runtime.getHeapUsage), read every 20 ms
 *   and at each progress report, against a reading just before (after forced GC; needs
 *   --js-flags=--expose-gc). Audio bytes live in ArrayBuffers, so the heap alone would miss them;
 *   the two parts are printed too. Garbage not yet collected counts: it is held all the same.
 *   pack_largest_entry_mb is the largest file in the pack, for the goal: growth under the largest
 *   entry plus 32 MB.
 * - pack_import_renderer_memory_growth_mb: the most the renderer processes' resident memory grew
 *   while importing (bench/process-memory.ts, read from Node every 20 ms or so). This holds what
 *   the JS heap does not: the samples decodeAudioData makes.
 * - pack_fuzz_cases, pack_fuzz_uncaught, pack_fuzz_partial_writes: the unit test's fuzz
 *   (tests/support/pack-fuzz.ts) over a small pack in this browser, with in-memory stores and a
 *   fake decode: damaged packs that threw, and that left something half-stored (goal 0 for both).
 */
import { it } from 'vitest';
import { cdp, commands } from 'vitest/browser';
import type { GroundingScript } from '../src/lib/grounding/script';
import type { Result } from '../src/lib/result';
import { ImportedTrackStore } from '../src/lib/library/imported-tracks';
import { CURATED_TRACKS } from '../src/lib/music/catalog';
import type { SessionPlaylist } from '../src/lib/session/playlist';
import { importedItem } from '../src/lib/session/playlist-edit';
import { indexedDbBackend } from '../src/lib/storage/key-value';
import { PlaylistStore } from '../src/lib/storage/playlist-store';
import { ScriptStore } from '../src/lib/storage/script-store';
import { clipPath, trackPath, type PackContents, type PackTrack } from '../src/lib/take-home/pack-format';
import { installPack, planInstall, type InstallOutcome, type InstallStores } from '../src/lib/take-home/pack-install';
import { openPack } from '../src/lib/take-home/pack-reader';
import { sha256Hex, writePack, type PackAudio } from '../src/lib/take-home/pack-writer';
import { TakeHomeStore } from '../src/lib/take-home/take-home-store';
import { fuzzPacks } from '../tests/support/pack-fuzz';
import { BUILT_IN_IDS, BUILT_IN_TITLES, packWithTrack, wavBytes } from '../tests/unit/take-home-fixtures';

declare module 'vitest/browser' {
	interface BrowserCommands {
		/** bench/process-memory.ts: the renderer processes' resident memory in bytes; null outside Chromium on Linux. */
		rendererMemory: () => Promise<number | null>;
	}
}

/** Each long track is shipped MP3s joined until it is at least this large. */
const TRACK_BYTES = 48_000_000;
const TRACKS = 3;
const CLIPS = 6;
const CLIP_SECONDS = 30;
const CLIP_RATE = 24_000;
const FUZZ_CASES = 500;
/** How often the heap is read while importing, besides at each progress report. */
const HEAP_EVERY_MS = 20;

const SENDER_ID = 'bench-take-home-sender';
const SCRIPT_ID = 'bench-take-home-script';
const PLAYLIST_ID = 'own-bench-take-home';

const MB = 1e6;
const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface HeapUsage {
	readonly usedSize: number;
	/** Bytes held by ArrayBuffers, outside the V8 heap (where this Chromium reports them). */
	readonly backingStorageSize?: number;
}

async function heapUsage(): Promise<{ heap: number; buffers: number }> {
	const usage = (await cdp().send('Runtime.getHeapUsage')) as HeapUsage;
	if (usage.backingStorageSize === undefined) throw new Error('This Chromium does not report ArrayBuffer memory.');
	return { heap: usage.usedSize, buffers: usage.backingStorageSize };
}

async function settledHeapUsage(): Promise<{ heap: number; buffers: number }> {
	const gc = (globalThis as { gc?: () => void }).gc;
	if (!gc) throw new Error('Run Chromium with --js-flags=--expose-gc to measure the heap.');
	for (let i = 0; i < 3; i += 1) {
		gc();
		await sleep(50);
	}
	return heapUsage();
}

/** Reads the page's memory until stopped and keeps the largest readings. */
class MemoryPeak {
	total = 0;
	heap = 0;
	buffers = 0;
	renderer = 0;
	#running = true;
	readonly #loop: Promise<void>;

	constructor() {
		this.#loop = (async () => {
			while (this.#running) {
				await Promise.all([this.sample(), this.#sampleRenderer()]);
				await sleep(HEAP_EVERY_MS);
			}
		})();
	}

	async sample(): Promise<void> {
		const { heap, buffers } = await heapUsage();
		this.heap = Math.max(this.heap, heap);
		this.buffers = Math.max(this.buffers, buffers);
		this.total = Math.max(this.total, heap + buffers);
	}

	async #sampleRenderer(): Promise<void> {
		this.renderer = Math.max(this.renderer, await rendererBytes());
	}

	async stop(): Promise<void> {
		this.#running = false;
		await this.#loop;
	}
}

async function rendererBytes(): Promise<number> {
	const bytes = await commands.rendererMemory();
	if (bytes === null) throw new Error('The renderer’s memory can be read only in Chromium on Linux.');
	return bytes;
}

/**
 * Where an install's time goes, from its progress reports: each file is reported once verified
 * (read from the pack, its size and SHA-256 checked) and once checked by decoding and, for a track,
 * written; the last report comes after the one transaction.
 */
class InstallPhases {
	readAndVerify = 0;
	decodeAndWrite = 0;
	transaction = 0;
	#mark = 0;
	#verified = false;

	/** Just before the install begins. */
	start(): void {
		this.#mark = performance.now();
	}

	report(current: string): void {
		const now = performance.now();
		if (current === '') this.transaction += now - this.#mark;
		else if (this.#verified) this.decodeAndWrite += now - this.#mark;
		else this.readAndVerify += now - this.#mark;
		this.#verified = current !== '' && !this.#verified;
		this.#mark = now;
	}
}

/** A long MP3: the shipped ones joined end to end, starting at a different one for each track. */
function longMp3(curated: readonly ArrayBuffer[], index: number): { blob: Blob; seconds: number } {
	const parts: ArrayBuffer[] = [];
	let bytes = 0;
	let seconds = 0;
	for (let n = index * 3; bytes < TRACK_BYTES; n += 1) {
		const i = n % curated.length;
		parts.push(curated[i]!);
		bytes += curated[i]!.byteLength;
		seconds += CURATED_TRACKS[i]!.durationSeconds;
	}
	return { blob: new Blob(parts, { type: 'audio/mpeg' }), seconds };
}

async function benchPack(): Promise<{ contents: PackContents; audio: PackAudio[] }> {
	const curated = await Promise.all(
		CURATED_TRACKS.map(async (track) => {
			const response = await fetch(track.file);
			if (!response.ok) throw new Error(`${track.file}: ${response.status}`);
			return response.arrayBuffer();
		})
	);
	const audio: PackAudio[] = [];
	const tracks: PackTrack[] = [];
	for (let n = 0; n < TRACKS; n += 1) {
		const { blob, seconds } = longMp3(curated, n);
		const id = (await sha256Hex(await blob.arrayBuffer())).slice(0, 16);
		const path = trackPath(id, 'mp3');
		audio.push({ path, blob });
		tracks.push({
			id,
			title: `Long track ${n + 1}`,
			artist: null,
			fileName: `long-track-${n + 1}.mp3`,
			durationSeconds: seconds,
			loudnessLufs: -23,
			gainDb: 0,
			mime: 'audio/mpeg',
			path
		});
	}
	const script: GroundingScript = {
		version: 1,
		id: SCRIPT_ID,
		title: 'Bench: arriving, in my voice',
		summary: '',
		builtIn: false,
		steps: Array.from({ length: CLIPS }, (_, i) => ({
			id: `step-${i + 1}`,
			text: `Step ${i + 1}: notice the breath.`,
			timing: { kind: 'timed', seconds: CLIP_SECONDS },
			breath: null,
			chime: i === 0,
			background: null
		}))
	};
	const clips = script.steps.map((step, i) => {
		const path = clipPath(script.id, step.id);
		audio.push({ path, blob: new Blob([wavBytes(CLIP_SECONDS, CLIP_RATE, 180 + 20 * i) as BlobPart]) });
		return { scriptId: script.id, stepId: step.id, path, durationSeconds: CLIP_SECONDS, gainDb: 0, recordedAt: 1 };
	});
	const playlist: SessionPlaylist = {
		version: 1,
		id: PLAYLIST_ID,
		title: 'Bench: long tracks',
		summary: '',
		phases: [{ id: 'all', name: 'All', kind: 'deepening', minutes: 240, items: tracks.map((t) => importedItem(t.id)) }]
	};
	const contents: PackContents = {
		from: { id: SENDER_ID, name: 'Bench', contact: '', supportLine: '' },
		clientName: null,
		note: 'A pack for the bench.',
		scripts: [script],
		builtInScriptIds: [],
		clips,
		breathing: null,
		playlists: [playlist],
		tracks
	};
	return { contents, audio };
}

/**
 * Removes what the import stored: the track files, and every key it added (`keep` are the keys
 * there before); or, with no `keep`, whatever an earlier run may have left: the bench's own ids
 * are in every key it stores (scripts, clips, playlists, the sender's record, tracks by their ids).
 */
async function removeStored(stores: InstallStores, trackIds: readonly string[], keep?: ReadonlySet<string>) {
	for (const id of trackIds) {
		const removed = await stores.tracks.remove(id);
		if (!removed.ok) throw new Error(removed.reason);
	}
	const ours = [SENDER_ID, SCRIPT_ID, PLAYLIST_ID, ...trackIds];
	const backend = indexedDbBackend();
	const isOurs = (key: string) => (keep ? !keep.has(key) : ours.some((id) => key.includes(id)));
	for (const [key] of await backend.entries()) if (isOurs(key)) await backend.delete(key);
	const left = (await backend.entries()).filter(([key]) => isOurs(key));
	if (left.length > 0) throw new Error(`The bench left ${left.length} stored values behind.`);
}

async function buildAndImport() {
	const { contents, audio } = await benchPack();
	const trackIds = contents.tracks.map((t) => t.id);
	const stores: InstallStores = {
		scripts: new ScriptStore(),
		playlists: new PlaylistStore(),
		tracks: new ImportedTrackStore(),
		takeHome: new TakeHomeStore()
	};
	const backend = indexedDbBackend();
	// Whatever an earlier run left (its ids are the same) would make the install skip its tracks.
	await removeStored(stores, trackIds);
	const keysBefore = new Set((await backend.entries()).map(([key]) => key));
	const usageBefore = (await navigator.storage.estimate()).usage ?? 0;

	try {
		const buildStart = performance.now();
		const pack = await writePack(contents, audio, { createdAt: new Date(), builtInTitles: BUILT_IN_TITLES });
		const buildMs = performance.now() - buildStart;

		const before = await settledHeapUsage();
		const rendererBefore = await rendererBytes();
		const peak = new MemoryPeak();
		const phases = new InstallPhases();
		const importStart = performance.now();
		let installed: Result<InstallOutcome>;
		try {
			const opened = await openPack(pack, 'bench.grounded', BUILT_IN_IDS);
			if (!opened.ok) throw new Error(opened.reason);
			const plan = await planInstall(opened.value, stores);
			phases.start();
			installed = await installPack(plan, stores, {
				onProgress: ({ current }) => {
					phases.report(current);
					void peak.sample(); // the timer's readings go on beside it; a missed one costs nothing
				}
			});
		} finally {
			await peak.stop();
		}
		const importMs = performance.now() - importStart;

		if (!installed.ok) throw new Error(installed.reason);
		const kept = await stores.tracks.list();
		for (const track of contents.tracks) {
			const file = await stores.tracks.fileOf(track.id);
			if (!kept.some((t) => t.id === track.id) || file?.size !== audio.find((a) => a.path === track.path)?.blob.size)
				throw new Error(`${track.title} was not stored whole.`);
		}
		const clipsKept = (await backend.entries()).filter(([key]) => key.startsWith(`voice-clip:${SCRIPT_ID}:`));
		if (clipsKept.length !== CLIPS) throw new Error(`${clipsKept.length} of ${CLIPS} clips were stored.`);
		return {
			packMb: pack.size / MB,
			largestMb: Math.max(...audio.map((a) => a.blob.size)) / MB,
			buildMs,
			importMs,
			audioSeconds: contents.tracks.reduce((sum, t) => sum + t.durationSeconds, 0),
			growth: {
				total: (peak.total - before.heap - before.buffers) / MB,
				heap: (peak.heap - before.heap) / MB,
				buffers: (peak.buffers - before.buffers) / MB,
				renderer: (peak.renderer - rendererBefore) / MB
			},
			phases,
			usageBeforeMb: usageBefore / MB
		};
	} finally {
		await removeStored(stores, trackIds, keysBefore);
	}
}

async function storageUsageMb(): Promise<{ usage: number; quota: number; details: unknown }> {
	const estimate = await navigator.storage.estimate();
	// Chromium's own addition: usage by kind of storage.
	const details = (estimate as { usageDetails?: unknown }).usageDetails;
	return { usage: (estimate.usage ?? 0) / MB, quota: (estimate.quota ?? 0) / MB, details };
}

it('builds and imports a 150 MB take-home pack, and fuzzes a small one', async () => {
	const small = await packWithTrack();
	const fuzz = await fuzzPacks(new Uint8Array(await small.blob.arrayBuffer()), {
		cases: FUZZ_CASES,
		builtInIds: BUILT_IN_IDS,
		onUncaught: (error) => console.error(error)
	});

	const big = await buildAndImport();
	const figures = {
		pack_mb: round(big.packMb),
		pack_largest_entry_mb: round(big.largestMb),
		pack_build_mb_per_s: round(big.packMb / (big.buildMs / 1000)),
		pack_import_mb_per_s: round(big.packMb / (big.importMs / 1000)),
		pack_import_s: round(big.importMs / 1000, 2),
		pack_import_heap_growth_mb: round(big.growth.total),
		pack_import_heap_growth_v8_heap_mb: round(big.growth.heap),
		pack_import_heap_growth_array_buffers_mb: round(big.growth.buffers),
		pack_import_renderer_memory_growth_mb: round(big.growth.renderer),
		pack_import_read_verify_s: round(big.phases.readAndVerify / 1000, 2),
		pack_import_decode_check_and_write_s: round(big.phases.decodeAndWrite / 1000, 2),
		pack_import_transaction_s: round(big.phases.transaction / 1000, 3),
		pack_tracks_minutes: round(big.audioSeconds / 60),
		pack_fuzz_cases: fuzz.cases,
		pack_fuzz_uncaught: fuzz.uncaught,
		pack_fuzz_partial_writes: fuzz.partialWrites
	};
	// Not figures: whether the clean-up gave the space back, and the quota the install was checked against.
	const after = await storageUsageMb();
	console.log(
		JSON.stringify({
			usageBeforeMb: big.usageBeforeMb,
			usageAfterMb: after.usage,
			quotaMb: after.quota,
			after: after.details
		})
	);
	await commands.writeFile('bench-results/take-home.json', JSON.stringify(figures, null, 2));
});
