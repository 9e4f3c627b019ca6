/**
 * Puts an opened take-home pack on this device: first a plan for the preview (what is new, what
 * is already here, what would be replaced or removed), then, on the person's confirm, the install.
 *
 * The install is all or nothing. It checks the space, reads each audio file by slicing the pack,
 * verifies it (pack-reader.ts) and checks that it decodes. Track files, which are large, are
 * written as they are verified; everything else (scripts, voice clips, playlists, track details
 * and the sender's record) is written in one key-value transaction at the end. If anything fails,
 * the track files this install wrote are removed and the transaction never happened: the device
 * is as it was.
 *
 * A sender's newer pack replaces that sender's items and nothing else. A script or playlist whose
 * id meets one made by someone else (the client's own, or another therapist's) is kept beside it
 * under a new id. Journal, progress and settings are never touched.
 *
 * A pack's plan for the days after is kept on the sender's record, with its practices named as
 * they are on this device (a script by the id it is kept under, the breathing practice by the
 * sender's id). Its words for the preparation card fill only the parts the client left empty,
 * after the transaction: a card that can't take them leaves the install done, with a note saying so.
 *
 * @example
 * const plan = await planInstall(opened.value, stores);
 * show(plan.lines); // [{ kind: 'script', title: 'Arriving', state: 'new' }, …]
 * const done = await installPack(plan, stores, { onProgress });
 * if (!done.ok) show(done.reason); // nothing was changed
 * else show(done.value.notes); // [] or ['The suggested words could not be added to your preparation card …']
 */
import type { Result } from '../result';
import { isQuotaError, type KeyValueChange } from '../storage/key-value';
import type { ScriptStore } from '../storage/script-store';
import type { PlaylistStore } from '../storage/playlist-store';
import type { ImportedTrackStore } from '../library/imported-tracks';
import { VOICE_CLIP_PREFIX, voiceClipKey, type StoredClip } from '../voice/clip-store';
import type { GroundingScript } from '../grounding/script';
import type { SessionPlaylist } from '../session/playlist';
import type { PlanTemplate, PracticeRef } from '../integration/plan';
import { PreparationStore } from '../integration/preparation-store';
import { CONTENTS_PATH, type PackItemKind } from './pack-format';
import { verifiedAudio, type OpenedPack } from './pack-reader';
import { takeHomeKey, type TakeHomeRecord, type TakeHomeStore } from './take-home-store';

export interface InstallStores {
	readonly scripts: ScriptStore;
	readonly playlists: PlaylistStore;
	readonly tracks: ImportedTrackStore;
	readonly takeHome: TakeHomeStore;
}

export type LineState = 'new' | 'same' | 'updated' | 'removed' | 'not-included';

export interface PlanLine {
	readonly kind: PackItemKind;
	readonly title: string;
	readonly state: LineState;
	/** A few words more, where the state alone would leave a question. */
	readonly detail?: string;
}

export interface InstallPlan {
	readonly pack: OpenedPack;
	readonly previous: TakeHomeRecord | null;
	/** new: nothing from this sender yet; update: a newer pack; same: this pack again; older: one before what is here. */
	readonly status: 'new' | 'update' | 'same' | 'older';
	readonly lines: readonly PlanLine[];
	/** Bytes of audio this install would add. */
	readonly bytesToStore: number;
	/** Pack id → the id it is kept under (itself, or a new one where it met someone else's). */
	readonly scriptIds: ReadonlyMap<string, string>;
	readonly playlistIds: ReadonlyMap<string, string>;
}

export interface InstallOptions {
	/** Proves a file plays here (see `playableHere`, the default). Rejects when it can't. */
	readonly decode?: (file: Blob, mime: string) => Promise<unknown>;
	/** navigator.storage.estimate by default; undefined where the browser has none. */
	readonly estimate?: () => Promise<{ quota?: number; usage?: number }>;
	readonly onProgress?: (progress: { bytesDone: number; bytesTotal: number; current: string }) => void;
	readonly now?: () => number;
}

export interface InstallOutcome {
	readonly changed: boolean;
	readonly record: TakeHomeRecord;
	/**
	 * What didn't go as hoped though the pack is installed, in plain words to show: today only the
	 * preparation card that couldn't take the suggested words. Empty when all went well.
	 */
	readonly notes: readonly string[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * A pack's plan as this device names its practices: a script by the id it is kept under here
 * (`renamed`, where it met someone else's), the pack's breathing practice by its sender's id.
 */
export function planOnDevice(
	plan: PlanTemplate,
	renamed: Readonly<Record<string, string>>,
	senderId: string
): PlanTemplate {
	const onDevice = (ref: PracticeRef): PracticeRef =>
		ref.kind === 'script' ? { kind: 'script', id: renamed[ref.id] ?? ref.id } : { kind: 'breathing', from: senderId };
	return {
		...plan,
		rules: plan.rules.map((rule) => ({ ...rule, practices: rule.practices.map(onDevice) })),
		checkIns: plan.checkIns ? { ...plan.checkIns } : null
	};
}

/** An id not yet taken, made from `id`. */
function freeId(id: string, taken: (id: string) => Promise<boolean>): Promise<string> {
	const attempt = async (n: number): Promise<string> => {
		const candidate = `${id.slice(0, 50)}-${n.toString(36)}`;
		return (await taken(candidate)) ? attempt(n + 1) : candidate;
	};
	return attempt(2);
}

export async function planInstall(pack: OpenedPack, stores: InstallStores): Promise<InstallPlan> {
	const { contents, manifest } = pack;
	const previous = await stores.takeHome.get(contents.from.id);
	const status: InstallPlan['status'] = !previous
		? 'new'
		: manifest.createdAt === previous.createdAt
			? 'same'
			: manifest.createdAt < previous.createdAt
				? 'older'
				: 'update';
	const lines: PlanLine[] = [];
	const renamed = previous?.renamed ?? {};

	const idsFor = async <T extends { id: string; title: string }>(
		items: readonly T[],
		kind: 'script' | 'playlist',
		owned: readonly string[],
		store: { get(id: string): Promise<T | null>; isShipped(id: string): boolean }
	): Promise<Map<string, string>> => {
		const ids = new Map<string, string>();
		const taken = async (id: string) => (await store.get(id)) !== null || [...ids.values()].includes(id);
		for (const item of items) {
			// One that ships with every Grounded (a curated playlist) is named, not copied.
			if (store.isShipped(item.id)) {
				ids.set(item.id, item.id);
				lines.push({ kind, title: item.title, state: 'same', detail: 'it comes with Grounded' });
				continue;
			}
			const keptAs = renamed[item.id] ?? item.id;
			const here = await store.get(keptAs);
			if (here && owned.includes(keptAs)) {
				ids.set(item.id, keptAs);
				const changed = !same({ ...here, id: item.id }, { ...item, ...(kind === 'script' ? { builtIn: false } : {}) });
				lines.push({ kind, title: item.title, state: changed ? 'updated' : 'same' });
			} else if (here) {
				ids.set(item.id, await freeId(item.id, taken));
				lines.push({ kind, title: item.title, state: 'new', detail: 'kept beside the one of that name already here' });
			} else {
				ids.set(item.id, keptAs);
				lines.push({ kind, title: item.title, state: 'new' });
			}
		}
		for (const id of owned) {
			if ([...ids.values()].includes(id)) continue;
			const gone = await store.get(id);
			if (gone) lines.push({ kind, title: gone.title, state: 'removed', detail: 'no longer in the pack' });
		}
		return ids;
	};

	const text = (kind: PackItemKind, title: string, now: string | null, before: string | null | undefined) => {
		if (now === null && before) lines.push({ kind, title, state: 'removed' });
		else if (now !== null)
			lines.push({
				kind,
				title,
				state: before === undefined || before === null ? 'new' : before === now ? 'same' : 'updated'
			});
	};
	text('note', 'A note from your therapist', contents.note, previous?.note);
	const contact = [contents.from.name, contents.from.contact, contents.from.supportLine].join('\n').trim() || null;
	const contactBefore = previous
		? [previous.from.name, previous.from.contact, previous.from.supportLine].join('\n').trim() || null
		: undefined;
	text('contact', contents.from.name || 'How to reach your therapist', contact, contactBefore);

	for (const id of contents.builtInScriptIds) {
		const title = (await stores.scripts.get(id))?.title ?? id;
		lines.push({ kind: 'script', title, state: previous?.builtInScriptIds.includes(id) ? 'same' : 'new' });
	}
	const scriptIds = await idsFor(contents.scripts, 'script', previous?.scriptIds ?? [], stores.scripts);
	if (contents.breathing || previous?.breathing) {
		const now = contents.breathing;
		const before = previous?.breathing ?? null;
		lines.push({
			kind: 'breathing',
			title: (now ?? before)!.title,
			state: !now ? 'removed' : !before ? 'new' : same(now, before) ? 'same' : 'updated'
		});
	}
	const playlistIds = await idsFor(contents.playlists, 'playlist', previous?.playlistIds ?? [], stores.playlists);

	let bytesToStore = 0;
	const sizes = new Map(manifest.files.map((file) => [file.path, file.bytes]));
	for (const track of contents.tracks) {
		const here = await stores.tracks.get(track.id);
		if (here) lines.push({ kind: 'track', title: track.title, state: 'same' });
		else if (track.path === null)
			lines.push({ kind: 'track', title: track.title, state: 'not-included', detail: 'its audio is not in the pack' });
		else {
			lines.push({ kind: 'track', title: track.title, state: 'new' });
			bytesToStore += sizes.get(track.path) ?? 0;
		}
	}
	for (const clip of contents.clips) bytesToStore += sizes.get(clip.path) ?? 0;
	return { pack, previous, status, lines, bytesToStore, scriptIds, playlistIds };
}

/** Files up to this size are decoded whole to prove they play; larger ones by their start. */
const WHOLE_DECODE_BYTES = 24_000_000;
/** How much of a large file's start is decoded: many frames of any common format. */
const PREFIX_DECODE_BYTES = 1 << 20;

/**
 * Proves a file plays here without decoding an hour of music into memory: decoding a whole
 * 81-minute MP3 grew Chromium's renderer by about 3.7 GB (bench/take-home.bench.ts), which would
 * end the page on an iPhone. Small files (every voice clip) are decoded whole; a large one by its
 * first megabyte (MP3, Ogg, FLAC, WAV and ADTS are frames from the start), else by a media
 * element reading its header (an MP4 whose index sits at the end).
 */
async function playableHere(file: Blob, mime: string): Promise<unknown> {
	const decode = async (part: Blob) => new OfflineAudioContext(1, 1, 8_000).decodeAudioData(await part.arrayBuffer());
	if (file.size <= WHOLE_DECODE_BYTES) return decode(file);
	try {
		return await decode(file.slice(0, PREFIX_DECODE_BYTES));
	} catch {
		return mediaElementReads(file.slice(0, file.size, mime));
	}
}

function mediaElementReads(blob: Blob): Promise<void> {
	return new Promise((resolve, reject) => {
		const url = URL.createObjectURL(blob);
		const element = new Audio();
		const done = (ok: boolean) => {
			element.removeAttribute('src');
			element.load();
			URL.revokeObjectURL(url);
			if (ok) resolve();
			else reject(new Error('The file does not play here.'));
		};
		element.preload = 'metadata';
		element.onloadedmetadata = () => done(Number.isFinite(element.duration) && element.duration > 0);
		element.onerror = () => done(false);
		element.src = url;
	});
}

async function defaultEstimate(): Promise<{ quota?: number; usage?: number }> {
	const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
	return typeof storage?.estimate === 'function' ? storage.estimate() : {};
}

const megabytes = (bytes: number): string =>
	`${(bytes / 1_000_000).toLocaleString('en', { maximumFractionDigits: bytes < 10_000_000 ? 1 : 0 })} MB`;

export async function installPack(
	plan: InstallPlan,
	stores: InstallStores,
	options: InstallOptions = {}
): Promise<Result<InstallOutcome>> {
	const { pack, previous } = plan;
	const { contents, manifest, fileName } = pack;
	const sender = contents.from.name || 'this therapist';
	if (plan.status === 'same' && previous) return { ok: true, value: { changed: false, record: previous, notes: [] } };
	if (plan.status === 'older') {
		return {
			ok: false,
			reason: `A newer pack from ${sender} is already on this device, so “${fileName}” was not opened. Nothing on this device was changed.`
		};
	}
	const backend = stores.takeHome.backend;
	if (!backend.transact)
		return { ok: false, reason: 'Packs can’t be stored on this device. Nothing on this device was changed.' };

	const estimate = await (options.estimate ?? defaultEstimate)().catch(
		() => ({}) as { quota?: number; usage?: number }
	);
	if (estimate.quota !== undefined && estimate.usage !== undefined) {
		const free = estimate.quota - estimate.usage;
		// A little room beyond the audio: the JSON parts, and the browser's own bookkeeping.
		if (free < plan.bytesToStore + 2_000_000) {
			return {
				ok: false,
				reason: `“${fileName}” needs about ${megabytes(plan.bytesToStore)} of space and this device has ${megabytes(Math.max(0, free))} free for Grounded. Nothing on this device was changed.`
			};
		}
	}

	const decode = options.decode ?? playableHere;
	const now = options.now?.() ?? Date.now();
	const written: string[] = [];
	const undo = async (): Promise<void> => {
		for (const id of written) await stores.tracks.discardFile(id);
	};
	const refuse = async (reason: string): Promise<Result<InstallOutcome>> => {
		await undo();
		return { ok: false, reason: `${reason} Nothing on this device was changed.` };
	};

	const sets: [string, unknown][] = [];
	const clipsByPath = new Map(contents.clips.map((clip) => [clip.path, clip]));
	const tracksByPath = new Map(contents.tracks.filter((t) => t.path !== null).map((t) => [t.path!, t]));
	const declared = new Map(manifest.files.map((file) => [file.path, file]));
	const total = manifest.files.filter((f) => f.path !== CONTENTS_PATH).reduce((sum, f) => sum + f.bytes, 0);
	let done = 0;
	let record: TakeHomeRecord;
	try {
		for await (const file of verifiedAudio(pack)) {
			if (!file.ok) return await refuse(file.reason);
			const { path, blob } = file.value;
			options.onProgress?.({ bytesDone: done, bytesTotal: total, current: path });
			const clip = clipsByPath.get(path);
			const track = tracksByPath.get(path);
			if (clip) {
				// A clip is small (a step's words): held, to be written with everything else at the end.
				const bytes = await blob.arrayBuffer();
				const ok = await decode(new Blob([bytes]), 'audio/wav').then(
					() => true,
					() => false
				);
				const script = contents.scripts.find((s) => s.id === clip.scriptId)!;
				if (!ok) return await refuse(`“${fileName}” can’t be opened. A recording of “${script.title}” does not play.`);
				const scriptId = plan.scriptIds.get(clip.scriptId)!;
				const stored: StoredClip = {
					version: 1,
					scriptId,
					stepId: clip.stepId,
					wav: new Blob([bytes], { type: 'audio/wav' }),
					durationSeconds: clip.durationSeconds,
					gainDb: clip.gainDb,
					recordedAt: clip.recordedAt
				};
				sets.push([voiceClipKey(scriptId, clip.stepId), stored]);
			} else if (track) {
				// A track's id is the start of its SHA-256, which the reader has just checked.
				if (declared.get(path)!.sha256.slice(0, 16) !== track.id)
					return await refuse(`“${fileName}” can’t be opened. The track “${track.title}” is not the file it names.`);
				if (!(await stores.tracks.get(track.id))) {
					const ok = await decode(blob, track.mime).then(
						() => true,
						() => false
					);
					if (!ok) return await refuse(`“${fileName}” can’t be opened. The track “${track.title}” does not play.`);
					if (await stores.tracks.keepFile(track.id, blob, track.mime)) written.push(track.id);
					const entry = stores.tracks.entryOf({
						version: 1,
						id: track.id,
						title: track.title,
						artist: track.artist,
						fileName: track.fileName,
						bytes: blob.size,
						durationSeconds: track.durationSeconds,
						loudnessLufs: track.loudnessLufs,
						gainDb: track.gainDb,
						// Without them (a pack made before they travelled) the track is levelled again here.
						...(track.truePeakDb === undefined ? {} : { truePeakDb: track.truePeakDb }),
						...(track.levelling === undefined ? {} : { levelling: track.levelling }),
						mime: track.mime,
						importedAt: now
					});
					if (!entry)
						return await refuse(`“${fileName}” can’t be opened. The details of “${track.title}” are damaged.`);
					sets.push(entry);
				}
			}
			done += blob.size;
			options.onProgress?.({ bytesDone: done, bytesTotal: total, current: path });
		}

		for (const script of contents.scripts) {
			const entry = stores.scripts.entryOf({ ...script, id: plan.scriptIds.get(script.id)! } as GroundingScript);
			if (!entry.ok) return await refuse(`“${fileName}” can’t be opened. ${entry.reason}`);
			sets.push(entry.value);
		}
		for (const playlist of contents.playlists) {
			if (stores.playlists.isShipped(playlist.id)) continue;
			const entry = stores.playlists.entryOf({
				...playlist,
				id: plan.playlistIds.get(playlist.id)!
			} as SessionPlaylist);
			if (!entry.ok) return await refuse(`“${fileName}” can’t be opened. ${entry.reason}`);
			sets.push(entry.value);
		}

		const renamed: Record<string, string> = {};
		for (const [from, to] of [...plan.scriptIds, ...plan.playlistIds]) if (from !== to) renamed[from] = to;
		// Scripts only: a playlist may share a script's id, and a plan names no playlists.
		const scriptsRenamed = Object.fromEntries([...plan.scriptIds].filter(([from, to]) => from !== to));
		record = {
			version: 1,
			from: contents.from,
			clientName: contents.clientName,
			note: contents.note,
			createdAt: manifest.createdAt,
			installedAt: now,
			scriptIds: [...plan.scriptIds.values()],
			builtInScriptIds: contents.builtInScriptIds,
			playlistIds: [...plan.playlistIds.values()],
			trackIds: [...new Set([...(previous?.trackIds ?? []), ...contents.tracks.map((t) => t.id)])],
			renamed,
			breathing: contents.breathing,
			plan: contents.plan ? planOnDevice(contents.plan, scriptsRenamed, contents.from.id) : null,
			preparation: contents.preparation ?? null
		};
		sets.push([takeHomeKey(contents.from.id), record]);

		// What the sender's previous pack put here and this one doesn't hold goes, with every voice clip
		// of the sender's scripts that this pack doesn't bring again.
		const setKeys = new Set(sets.map(([key]) => key));
		const deletes: string[] = [];
		for (const id of previous?.scriptIds ?? []) {
			if (!record.scriptIds.includes(id)) deletes.push(stores.scripts.keyOf(id));
		}
		for (const id of previous?.playlistIds ?? []) {
			if (!record.playlistIds.includes(id) && !stores.playlists.isShipped(id)) deletes.push(stores.playlists.keyOf(id));
		}
		const senderScripts = new Set([...(previous?.scriptIds ?? []), ...record.scriptIds]);
		for (const [key] of await backend.entries()) {
			if (!key.startsWith(VOICE_CLIP_PREFIX) || setKeys.has(key)) continue;
			const scriptId = [...senderScripts].find((id) => key.startsWith(voiceClipKey(id, '')));
			if (scriptId) deletes.push(key);
		}
		const change: KeyValueChange = { set: sets, delete: deletes.filter((key) => !setKeys.has(key)) };
		await backend.transact(change);
	} catch (error) {
		return refuse(
			isQuotaError(error)
				? `There isn’t enough storage space on this device for “${fileName}”.`
				: `“${fileName}” could not be stored on this device just now.`
		);
	}
	options.onProgress?.({ bytesDone: total, bytesTotal: total, current: '' });
	const notes: string[] = [];
	// Words the sender's previous pack already brought are not brought again: a part the client
	// emptied since stays empty.
	if (contents.preparation && !same(contents.preparation, previous?.preparation ?? null)) {
		// After the transaction, on purpose: the card is the client's own, and a card that can't take
		// the words (damaged, or a full disk) is no reason to undo what the pack put here.
		const seeded = await new PreparationStore(backend).seed(contents.preparation, contents.from.id, now).catch(() => ({
			ok: false as const,
			reason: 'The suggested words could not be added to your preparation card.'
		}));
		if (!seeded.ok) notes.push(seeded.reason);
	}
	return { ok: true, value: { changed: true, record, notes } };
}
