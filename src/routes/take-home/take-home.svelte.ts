/**
 * The therapist's take-home page: what goes home with the client, its size before anything is
 * made, the pack made with progress, then shared (the system sheet, in the tap) or downloaded.
 * All reading goes through the stores; the pack through src/lib/take-home.
 *
 * @example
 * const builder = new TakeHomeBuilder();
 * onMount(() => void builder.load());
 * builder.toggleScript(id); builder.note = 'Go gently.';
 * await builder.make(); // builder.file, ready to share in the next tap
 */
import * as v from 'valibot';
import { DEFAULT_SETTINGS, parseStoredSettings, type PacerSettings } from '$lib/breath/settings';
import type { GroundingScript } from '$lib/grounding/script';
import { ImportedTrackStore, type ImportedTrack } from '$lib/library/imported-tracks';
import { downloadFile } from '$lib/platform/download';
import { canShareFile, shareFile } from '$lib/platform/share';
import type { SessionPlaylist } from '$lib/session/playlist';
import { indexedDbBackend, StoredValue, type KeyValueBackend } from '$lib/storage/key-value';
import { PlaylistStore } from '$lib/storage/playlist-store';
import { ScriptStore } from '$lib/storage/script-store';
import {
	clipPath,
	PACK_LIMITS,
	PACK_MIME,
	trackPath,
	type PackContents,
	type PackTrack
} from '$lib/take-home/pack-format';
import { estimatePackBytes, packFileName, writePack, type PackAudio } from '$lib/take-home/pack-writer';
import { practiceFromSettings } from '$lib/take-home/practice';
import { TakeHomeStore } from '$lib/take-home/take-home-store';
import { VoiceClipStore, type StoredClip } from '$lib/voice/clip-store';
import { SETTINGS_KEY } from '../breathe/pacer.svelte';

/** Kept between packs: who the therapist is and how to reach them. Never the client's name. */
const DETAILS_KEY = 'take-home-details';
const detailsSchema = v.object({ name: v.string(), contact: v.string(), supportLine: v.string() });
type Details = v.InferOutput<typeof detailsSchema>;
const parseDetails = (raw: unknown): Details => {
	const parsed = v.safeParse(detailsSchema, raw);
	return parsed.success ? parsed.output : { name: '', contact: '', supportLine: '' };
};

const EXTENSIONS: Record<string, string> = {
	'audio/mpeg': 'mp3',
	'audio/mp4': 'm4a',
	'audio/aac': 'aac',
	'audio/ogg': 'ogg',
	'audio/opus': 'opus',
	'audio/flac': 'flac',
	'audio/wav': 'wav',
	'audio/x-wav': 'wav',
	'audio/webm': 'webm'
};

export interface ScriptChoice {
	readonly script: GroundingScript;
	/** The step clips recorded for it: they travel with it. */
	readonly clips: readonly StoredClip[];
	readonly clipBytes: number;
}

export interface PlaylistChoice {
	readonly playlist: SessionPlaylist;
	/** Its imported tracks that are on this device. */
	readonly imported: readonly ImportedTrack[];
}

export interface TakeHomeOptions {
	backend?: KeyValueBackend;
	tracks?: ImportedTrackStore;
}

export class TakeHomeBuilder {
	status: 'loading' | 'ready' | 'making' | 'made' = $state('loading');
	scripts: ScriptChoice[] = $state([]);
	playlists: PlaylistChoice[] = $state([]);
	chosenScripts: string[] = $state([]);
	chosenPlaylists: string[] = $state([]);
	includeBreathing = $state(true);
	breathingTitle = $state('Your breathing practice');
	breathing: PacerSettings = $state(DEFAULT_SETTINGS);
	includeImportedAudio = $state(false);
	note = $state('');
	name = $state('');
	contact = $state('');
	supportLine = $state('');
	clientName = $state('');
	/** 0–1 while the pack is made. */
	progress = $state(0);
	message = $state('');
	/** The pack, once made; cleared when a choice changes. */
	file: File | null = $state(null);
	shared: 'shared' | 'cancelled' | 'failed' | null = $state(null);

	readonly #backend: KeyValueBackend;
	readonly #scripts: ScriptStore;
	readonly #playlists: PlaylistStore;
	readonly #clips: VoiceClipStore;
	readonly #tracks: ImportedTrackStore;
	readonly #takeHome: TakeHomeStore;
	readonly #details: StoredValue<Details>;

	constructor(options: TakeHomeOptions = {}) {
		this.#backend = options.backend ?? indexedDbBackend();
		this.#scripts = new ScriptStore(this.#backend);
		this.#playlists = new PlaylistStore(this.#backend);
		this.#clips = new VoiceClipStore(this.#backend);
		this.#tracks = options.tracks ?? new ImportedTrackStore({ backend: this.#backend });
		this.#takeHome = new TakeHomeStore(this.#backend);
		this.#details = new StoredValue(this.#backend, DETAILS_KEY, parseDetails, 'Your details');
	}

	async load(): Promise<void> {
		const [scripts, playlists, tracks, details, pacer] = await Promise.all([
			this.#scripts.listAll(),
			this.#playlists.listAll(),
			this.#tracks.list(),
			this.#details.load(),
			new StoredValue(this.#backend, SETTINGS_KEY, parseStoredSettings).load()
		]);
		this.scripts = await Promise.all(
			scripts.map(async (script) => {
				// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local worked out once, never state
				const stepIds = new Set(script.steps.map((step) => step.id));
				const clips = script.builtIn
					? []
					: (await this.#clips.listFor(script.id)).filter((clip) => stepIds.has(clip.stepId));
				return { script, clips, clipBytes: clips.reduce((sum, clip) => sum + clip.wav.size, 0) };
			})
		);
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local worked out once, never state
		const byId = new Map(tracks.map((track) => [track.id, track]));
		this.playlists = playlists.map((playlist) => ({
			playlist,
			imported: [
				// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local worked out once, never state
				...new Map(
					playlist.phases
						.flatMap((phase) => phase.items)
						.flatMap((item) => (item.kind === 'track' && byId.has(item.trackId) ? [byId.get(item.trackId)!] : []))
						.map((track) => [track.id, track])
				).values()
			]
		}));
		this.name = details.name;
		this.contact = details.contact;
		this.supportLine = details.supportLine;
		this.breathing = pacer;
		this.status = 'ready';
	}

	toggleScript(id: string): void {
		this.chosenScripts = this.chosenScripts.includes(id)
			? this.chosenScripts.filter((chosen) => chosen !== id)
			: [...this.chosenScripts, id];
		this.changed();
	}

	togglePlaylist(id: string): void {
		this.chosenPlaylists = this.chosenPlaylists.includes(id)
			? this.chosenPlaylists.filter((chosen) => chosen !== id)
			: [...this.chosenPlaylists, id];
		this.changed();
	}

	/** A choice changed: a pack made before no longer matches it. */
	changed(): void {
		if (this.status === 'made') this.status = 'ready';
		this.file = null;
		this.shared = null;
		this.message = '';
	}

	/** Imported tracks of the chosen playlists, each once. */
	get importedTracks(): ImportedTrack[] {
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local worked out once, never state
		const tracks = new Map<string, ImportedTrack>();
		for (const choice of this.playlists)
			if (this.chosenPlaylists.includes(choice.playlist.id)) for (const t of choice.imported) tracks.set(t.id, t);
		return [...tracks.values()];
	}

	get importedBytes(): number {
		return this.importedTracks.reduce((sum, track) => sum + track.bytes, 0);
	}

	/** What is missing before a pack can be made, in words; empty when it can be. */
	get problem(): string {
		if (this.note.length > PACK_LIMITS.note) return `The note can be at most ${PACK_LIMITS.note} characters.`;
		if (this.includeBreathing && !this.breathingTitle.trim()) return 'Give the breathing practice a title.';
		const nothing =
			this.chosenScripts.length === 0 &&
			this.chosenPlaylists.length === 0 &&
			!this.includeBreathing &&
			!this.note.trim();
		return nothing ? 'Choose at least one thing to send home, or write a note.' : '';
	}

	contents(senderId: string): PackContents {
		const chosen = this.scripts.filter((choice) => this.chosenScripts.includes(choice.script.id));
		const own = chosen.filter((choice) => !choice.script.builtIn);
		const tracks: PackTrack[] = this.importedTracks.map((track) => ({
			id: track.id,
			title: track.title,
			artist: track.artist,
			fileName: track.fileName,
			durationSeconds: track.durationSeconds,
			loudnessLufs: track.loudnessLufs,
			gainDb: track.gainDb,
			mime: track.mime,
			path: this.includeImportedAudio ? trackPath(track.id, EXTENSIONS[track.mime] ?? 'audio') : null
		}));
		return {
			from: {
				id: senderId,
				name: this.name.trim(),
				contact: this.contact.trim(),
				supportLine: this.supportLine.trim()
			},
			clientName: this.clientName.trim() || null,
			note: this.note.trim() || null,
			scripts: own.map((choice) => $state.snapshot(choice.script) as GroundingScript),
			builtInScriptIds: chosen.filter((choice) => choice.script.builtIn).map((choice) => choice.script.id),
			clips: own.flatMap((choice) =>
				choice.clips.map((clip) => ({
					scriptId: clip.scriptId,
					stepId: clip.stepId,
					path: clipPath(clip.scriptId, clip.stepId),
					durationSeconds: clip.durationSeconds,
					gainDb: clip.gainDb,
					recordedAt: clip.recordedAt
				}))
			),
			breathing: this.includeBreathing
				? practiceFromSettings($state.snapshot(this.breathing) as PacerSettings, this.breathingTitle)
				: null,
			playlists: this.playlists
				.filter((choice) => this.chosenPlaylists.includes(choice.playlist.id))
				.map((choice) => $state.snapshot(choice.playlist) as SessionPlaylist),
			tracks
		};
	}

	/** Audio to put in the pack, read only when the pack is made. */
	#audio(contents: PackContents): { path: string; blob: Blob | null; size: number; trackId?: string }[] {
		const clips = this.scripts.flatMap((choice) => choice.clips);
		return [
			...contents.clips.map((clip) => {
				const stored = clips.find((c) => c.scriptId === clip.scriptId && c.stepId === clip.stepId)!;
				return { path: clip.path, blob: stored.wav, size: stored.wav.size };
			}),
			...contents.tracks
				.filter((track) => track.path !== null)
				.map((track) => ({
					path: track.path!,
					blob: null,
					size: this.importedTracks.find((t) => t.id === track.id)?.bytes ?? 0,
					trackId: track.id
				}))
		];
	}

	/** The pack's size before anything is made. */
	get estimatedBytes(): number {
		const contents = this.contents('0123456789abcdef');
		return estimatePackBytes(
			contents,
			this.#audio(contents).map((a) => ({ path: a.path, blob: { size: a.size } }))
		);
	}

	async make(): Promise<void> {
		if (this.problem || this.status === 'making') return;
		this.status = 'making';
		this.progress = 0;
		this.message = '';
		this.file = null;
		void this.#details.save({
			name: this.name.trim(),
			contact: this.contact.trim(),
			supportLine: this.supportLine.trim()
		});
		try {
			const senderId = await this.#takeHome.senderId();
			const contents = this.contents(senderId);
			const audio: PackAudio[] = [];
			for (const part of this.#audio(contents)) {
				const blob = part.blob ?? (part.trackId ? await this.#tracks.fileOf(part.trackId) : null);
				if (!blob) {
					this.status = 'ready';
					this.message = 'A track’s audio could not be read from this device. Import it again, or leave the audio out.';
					return;
				}
				audio.push({ path: part.path, blob });
			}
			// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local worked out once, never state
			const createdAt = new Date();
			const blob = await writePack(contents, audio, {
				createdAt,
				// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local worked out once, never state
				builtInTitles: new Map(this.scripts.map((choice) => [choice.script.id, choice.script.title])),
				onProgress: ({ bytesDone, bytesTotal }) => (this.progress = bytesTotal > 0 ? bytesDone / bytesTotal : 1)
			});
			this.file = new File([blob], packFileName(contents, createdAt), { type: PACK_MIME });
			this.status = 'made';
		} catch {
			this.status = 'ready';
			this.message = 'The pack could not be made just now. Nothing was sent anywhere. Try again.';
		}
	}

	get canShare(): boolean {
		return this.file !== null && canShareFile(this.file);
	}

	/** Call directly in the tap: the share sheet needs it. */
	async share(): Promise<void> {
		if (!this.file) return;
		this.shared = await shareFile(this.file);
		if (this.shared === 'failed') this.download();
	}

	download(): void {
		if (this.file) downloadFile(this.file);
	}
}
