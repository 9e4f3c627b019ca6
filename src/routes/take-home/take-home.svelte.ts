/**
 * The therapist's take-home page: what goes home with the client, its size before anything is
 * made, the pack made with progress, then shared (the system sheet, in the tap) or downloaded.
 * All reading goes through the stores; the pack through src/lib/take-home.
 *
 * @example
 * const builder = new TakeHomeBuilder();
 * onMount(() => void builder.load());
 * builder.toggleScript(id); builder.note = 'Go gently.';
 * builder.includePlan = true; builder.togglePlanPractice('first', 'breathing');
 * await builder.make(); // builder.file, ready to share in the next tap
 */
import * as v from 'valibot';
import { importedIdOf } from '$lib/session/playlist-edit';
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
import {
	DEFAULT_CHECK_INS,
	DEFAULT_RULES,
	isLocalDateTime,
	MAX_PRACTICES_PER_DAY,
	PLAN_DAYS,
	type LocalDateTime,
	type PlanRule,
	type PlanTemplate,
	type PracticeRef
} from '$lib/integration/plan';
import { PREPARATION_FIELDS, type PreparationField, type PreparationSeed } from '$lib/integration/preparation-store';
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

/** The two stretches of the plan a therapist sets: the first 72 hours, then to the end of two weeks. */
export type PlanPeriod = 'first' | 'later';

/** Where each stretch begins and ends, in days after the session. */
export const PLAN_PERIODS: Readonly<Record<PlanPeriod, { fromDay: number; toDay: number }>> = {
	first: { fromDay: 1, toDay: 3 },
	later: { fromDay: 4, toDay: PLAN_DAYS }
};

/** Practices a day, from none to as many as a plan's day holds. */
export const PER_DAY_CHOICES: readonly number[] = Array.from({ length: MAX_PRACTICES_PER_DAY + 1 }, (_, n) => n);

/** A practice in the pack the plan can suggest; `key` is "breathing" or "script:<id>". */
export interface PlanPracticeChoice {
	readonly key: string;
	readonly ref: PracticeRef;
	readonly title: string;
	readonly detail: string;
}

const BREATHING_KEY = 'breathing';
const scriptKey = (id: string): string => `script:${id}`;

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
	/** Off by default: a pack without a plan is as it was before plans. */
	includePlan = $state(false);
	/** The session's date ("2026-12-07") and time ("09:00") on the wall clock; both or neither. */
	sessionDate = $state('');
	sessionTime = $state('');
	nextSessionDate = $state('');
	nextSessionTime = $state('');
	/** Practices a day in each stretch; Grounded's own rules to begin with. */
	perDay: Record<PlanPeriod, number> = $state({
		first: DEFAULT_RULES[0]!.perDay,
		later: DEFAULT_RULES[1]!.perDay
	});
	/** The practices of each stretch, by choice key; none chosen: all the pack's, in turn. */
	planPractices: Record<PlanPeriod, string[]> = $state({ first: [], later: [] });
	suggestCheckIns = $state(true);
	checkInFromDay: number = $state(DEFAULT_CHECK_INS.fromDay);
	/** Words for the client's preparation card; a part left empty is not sent. */
	preparation: Record<PreparationField, string> = $state({ intentions: '', safety: '', resources: '', signals: '' });
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
						.flatMap((item) => {
							// A playlist names an imported track as `imported:<id>`; the store keeps it under `<id>`.
							const track = item.kind === 'track' ? byId.get(importedIdOf(item.trackId) ?? '') : undefined;
							return track ? [track] : [];
						})
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

	togglePlanPractice(period: PlanPeriod, key: string): void {
		const chosen = this.planPractices[period];
		this.planPractices[period] = chosen.includes(key) ? chosen.filter((k) => k !== key) : [...chosen, key];
		this.changed();
	}

	/** What the plan can suggest: the scripts chosen for the pack and its breathing practice. */
	get planChoices(): PlanPracticeChoice[] {
		const choices: PlanPracticeChoice[] = this.scripts
			.filter((choice) => this.chosenScripts.includes(choice.script.id))
			.map((choice) => ({
				key: scriptKey(choice.script.id),
				ref: { kind: 'script', id: choice.script.id },
				title: choice.script.title,
				detail: 'Grounding script'
			}));
		if (this.includeBreathing)
			choices.push({
				key: BREATHING_KEY,
				// In a pack, "from: null" is the pack's own breathing practice.
				ref: { kind: 'breathing', from: null },
				title: this.breathingTitle.trim() || 'The breathing practice',
				detail: 'Breathing practice'
			});
		return choices;
	}

	/** The plan as it goes into the pack, or null when none is included. */
	get planTemplate(): PlanTemplate | null {
		if (!this.includePlan) return null;
		const choices = this.planChoices;
		const rule = (period: PlanPeriod): PlanRule => ({
			...PLAN_PERIODS[period],
			perDay: this.perDay[period],
			// A practice chosen, then taken out of the pack, is not suggested.
			practices: choices.filter((choice) => this.planPractices[period].includes(choice.key)).map((choice) => choice.ref)
		});
		return {
			version: 1,
			sessionAt: localDateTime(this.sessionDate, this.sessionTime),
			nextSessionAt: localDateTime(this.nextSessionDate, this.nextSessionTime),
			rules: [rule('first'), rule('later')],
			checkIns: this.suggestCheckIns ? { fromDay: this.checkInFromDay, toDay: PLAN_DAYS } : null
		};
	}

	/** The words for the preparation card as they go into the pack, or null when none is written. */
	get preparationSeed(): PreparationSeed | null {
		const seed: PreparationSeed = {};
		for (const field of PREPARATION_FIELDS) {
			const words = this.preparation[field].trim();
			if (words) seed[field] = words;
		}
		return Object.keys(seed).length > 0 ? seed : null;
	}

	/** What is wrong with the plan, in words; empty when nothing is (or there is no plan). */
	get planProblem(): string {
		if (!this.includePlan) return '';
		const session = dateTimeProblem(this.sessionDate, this.sessionTime, 'the session');
		if (session) return session;
		const next = dateTimeProblem(this.nextSessionDate, this.nextSessionTime, 'the next integration session');
		if (next) return next;
		const at = localDateTime(this.sessionDate, this.sessionTime);
		const nextAt = localDateTime(this.nextSessionDate, this.nextSessionTime);
		if (at && nextAt && nextAt <= at) return 'The next integration session is set before this one.';
		const day = this.checkInFromDay;
		if (this.suggestCheckIns && !(Number.isInteger(day) && day >= 1 && day <= PLAN_DAYS))
			return `Check-ins begin on a day from 1 to ${PLAN_DAYS}.`;
		return '';
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
		if (this.planProblem) return this.planProblem;
		const nothing =
			this.chosenScripts.length === 0 &&
			this.chosenPlaylists.length === 0 &&
			!this.includeBreathing &&
			!this.note.trim() &&
			!this.includePlan &&
			!this.preparationSeed;
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
			// With these the client's device keeps the gain as measured here, rather than levelling again.
			...(track.truePeakDb === undefined ? {} : { truePeakDb: track.truePeakDb }),
			...(track.levelling === undefined ? {} : { levelling: track.levelling }),
			mime: track.mime,
			path: this.includeImportedAudio ? trackPath(track.id, EXTENSIONS[track.mime] ?? 'audio') : null
		}));
		const plan = this.planTemplate;
		const preparation = this.preparationSeed;
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
			tracks,
			// Left out, not null, when unused: the pack is then as packs were before plans.
			...(plan ? { plan } : {}),
			...(preparation ? { preparation } : {})
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

/** A date and time from the page's two inputs, or null when either is empty or not a real one. */
function localDateTime(date: string, time: string): LocalDateTime | null {
	const at = `${date}T${time.slice(0, 5)}`;
	return date && time && isLocalDateTime(at) ? at : null;
}

function dateTimeProblem(date: string, time: string, what: string): string {
	if (!date && !time) return '';
	if (!date) return `Give the date of ${what} as well as its time.`;
	if (!time) return `Give the time of ${what} as well as its date.`;
	return localDateTime(date, time) ? '' : `The date of ${what} is not one Grounded can read.`;
}
