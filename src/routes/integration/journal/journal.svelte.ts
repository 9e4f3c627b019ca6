/**
 * The journal page's state: the entries (newest first, shown a page at a time so that a long
 * journal opens at once), search over all of them, the entry being written or changed with its
 * voice note, Undo after a delete, and the exports. The entries and voice notes are kept by
 * JournalStore; the microphone by VoiceRecorder; playback by ClipPlayer.
 *
 * @example
 * const journal = new JournalState();
 * onMount(() => void journal.load(location.search));
 * journal.shown; // the entries to list, filtered by `query`
 */
import type { Seconds } from '$lib/units';
import { daysBetween, dateOf, deviceClock, PLAN_DAYS, wallClockOf, type LocalDate } from '$lib/integration/plan';
import { PlanStore } from '$lib/integration/plan-store';
import { asksToWrite, planItemOf, type PlanItemRef } from '$lib/integration/plan-link';
import { promptOfTheDay } from '$lib/integration/prompts';
import {
	JournalStore,
	newJournalEntry,
	searchEntries,
	type JournalEntry,
	type RemovedEntry
} from '$lib/integration/journal-store';
// The recorder and the player (howler) are loaded on the first tap that needs them, not with the
// page: a long journal paints sooner with less code to start.
import type { VoiceRecorder } from '$lib/voice/recorder';
import type { ClipPlayer } from '$lib/voice/clip-player';
import type { Result } from '$lib/result';

/** Entries listed at first (more than a screen holds; fewer paint sooner), then more on "Show earlier entries". */
export const PAGE_SIZE = 20;

export type VoiceStatus = 'none' | 'opening' | 'recording' | 'stopping' | 'taken';

export interface Draft {
	/** The entry being changed, or null for a new one. */
	editing: JournalEntry | null;
	date: LocalDate;
	prompt: string | null;
	text: string;
	/** A new voice note, recorded now. */
	voice: Blob | null;
	voiceSeconds: Seconds;
	/** The changed entry's own voice note is to be removed. */
	dropVoice: boolean;
}

export class JournalState {
	status: 'loading' | 'ready' = $state('loading');
	entries: JournalEntry[] = $state.raw([]);
	query = $state('');
	limit = $state(PAGE_SIZE);
	draft: Draft | null = $state(null);
	voiceStatus: VoiceStatus = $state('none');
	elapsed: Seconds = $state(0);
	message = $state('');
	/** A line for screen readers and sighted people alike: saved, deleted, exported. */
	notice = $state('');
	removed: RemovedEntry | null = $state.raw(null);
	/** The entry whose voice note is playing. */
	listening: string | null = $state(null);
	exporting: string | null = $state(null);
	/** The plan's session date, to link entries to the plan's days. */
	sessionDate: LocalDate | null = $state(null);

	readonly found: JournalEntry[] = $derived(this.query.trim() ? searchEntries(this.entries, this.query) : this.entries);
	readonly shown: JournalEntry[] = $derived(this.found.slice(0, this.limit));

	readonly #store: JournalStore;
	readonly #plan: PlanStore;
	#planItem: PlanItemRef | null = null;
	#recorder: VoiceRecorder | undefined;
	#player: ClipPlayer | undefined;
	#playerModule: PlayerModule | null = null;
	#timer: ReturnType<typeof setInterval> | undefined;
	#clock: () => Date;

	constructor(store = new JournalStore(), plan = new PlanStore(), clock: () => Date = deviceClock) {
		this.#store = store;
		this.#plan = plan;
		this.#clock = clock;
	}

	async load(search = ''): Promise<void> {
		const [entries, plan] = await Promise.all([this.#store.list(), this.#plan.load()]);
		this.entries = entries;
		this.sessionDate = plan.ok && plan.value ? dateOf(plan.value.sessionAt) : null;
		this.status = 'ready';
		this.#planItem = planItemOf(search);
		if (asksToWrite(search)) this.write();
		// The player's code comes after the first paint, ready before anyone taps Listen.
		setTimeout(() => void loadPlayer().then((module) => (this.#playerModule = module)), 300);
	}

	/** The plan's day of a date, or null outside the plan. */
	dayOf(date: LocalDate): number | null {
		if (!this.sessionDate) return null;
		const day = daysBetween(this.sessionDate, date);
		return day >= 0 && day <= PLAN_DAYS ? day : null;
	}

	/** Opens a new entry for today. */
	write(): void {
		const date = dateOf(wallClockOf(this.#clock()));
		this.draft = { editing: null, date, prompt: null, text: '', voice: null, voiceSeconds: 0, dropVoice: false };
		this.message = '';
	}

	/** The prompt offered for the draft's day. */
	get suggestedPrompt(): string {
		return promptOfTheDay(this.draft ? this.dayOf(this.draft.date) : null).text;
	}

	edit(entry: JournalEntry): void {
		this.draft = {
			editing: entry,
			date: entry.date,
			prompt: entry.prompt,
			text: entry.text,
			voice: null,
			voiceSeconds: 0,
			dropVoice: false
		};
		this.message = '';
	}

	async cancel(): Promise<void> {
		await this.#releaseRecorder();
		this.draft = null;
		this.voiceStatus = 'none';
		this.message = '';
	}

	async save(): Promise<boolean> {
		const draft = this.draft;
		if (!draft || this.voiceStatus === 'recording' || this.voiceStatus === 'opening') return false;
		const now = this.#clock().getTime();
		const base = draft.editing ?? newJournalEntry({ date: draft.date }, now);
		const keptVoice = draft.dropVoice ? null : base.voice;
		const entry: JournalEntry = {
			...base,
			date: draft.date,
			day: this.dayOf(draft.date),
			prompt: draft.prompt,
			text: draft.text.trim(),
			updatedAt: now,
			voice: draft.voice
				? { mime: draft.voice.type, bytes: draft.voice.size, durationSeconds: draft.voiceSeconds }
				: keptVoice
		};
		const saved = await this.#store.save(entry, draft.voice ?? (draft.dropVoice ? null : undefined));
		if (!saved.ok) {
			this.message = saved.reason;
			return false;
		}
		this.entries = sortEntries([saved.value, ...this.entries.filter((e) => e.id !== saved.value.id)]);
		this.notice = draft.editing ? 'The entry is changed.' : 'The entry is saved on this device.';
		this.draft = null;
		this.voiceStatus = 'none';
		this.message = '';
		// Written from the plan's "a few words about the session": that item is done.
		if (!draft.editing && this.#planItem) {
			await this.#plan.markDone(this.#planItem.key, this.#planItem.date, 'finished');
			this.#planItem = null;
		}
		return true;
	}

	async remove(entry: JournalEntry): Promise<void> {
		if (this.listening === entry.id) this.stopListening();
		const removed = await this.#store.remove(entry.id);
		if (!removed.ok) {
			this.message = removed.reason;
			return;
		}
		this.entries = this.entries.filter((e) => e.id !== entry.id);
		this.removed = removed.value;
		this.notice = 'The entry is deleted.';
	}

	async undo(): Promise<void> {
		const removed = this.removed;
		if (!removed) return;
		const restored = await this.#store.restore(removed);
		if (!restored.ok) {
			this.message = restored.reason;
			return;
		}
		this.removed = null;
		this.entries = sortEntries([restored.value, ...this.entries]);
		this.notice = 'The entry is back.';
	}

	showMore(): void {
		this.limit += PAGE_SIZE * 5;
	}

	// ——— the voice note ———

	async record(): Promise<void> {
		if (!this.draft || this.voiceStatus === 'opening' || this.voiceStatus === 'recording') return;
		this.stopListening();
		this.voiceStatus = 'opening';
		this.message = '';
		const [{ VoiceRecorder }, { MAX_RECORDING_SECONDS }] = await Promise.all([
			import('$lib/voice/recorder'),
			import('$lib/voice/process-recording')
		]);
		const opened = await VoiceRecorder.open();
		if (!opened.ok) {
			this.voiceStatus = this.draft?.voice ? 'taken' : 'none';
			this.message = opened.reason.replace('the rest of the editor keeps working', 'you can still write');
			return;
		}
		this.#recorder = opened.value;
		const started = opened.value.start();
		if (!started.ok) {
			await this.#releaseRecorder();
			this.voiceStatus = 'none';
			this.message = started.reason;
			return;
		}
		this.voiceStatus = 'recording';
		this.elapsed = 0;
		// Only the shown seconds and the length limit: a note's sound is recorded by MediaRecorder itself.
		this.#timer = setInterval(() => {
			const recorder = this.#recorder;
			if (!recorder) return;
			this.elapsed = recorder.elapsed;
			if (recorder.elapsed >= MAX_RECORDING_SECONDS) void this.stopRecording();
		}, 250);
	}

	async stopRecording(): Promise<void> {
		const recorder = this.#recorder;
		if (!recorder || this.voiceStatus !== 'recording') return;
		this.voiceStatus = 'stopping';
		clearInterval(this.#timer);
		const taken: Result<Blob> = await recorder.stop();
		const seconds = recorder.elapsed;
		await this.#releaseRecorder();
		if (!taken.ok || !this.draft) {
			this.voiceStatus = 'none';
			if (!taken.ok) this.message = taken.reason;
			return;
		}
		this.draft.voice = taken.value;
		this.draft.voiceSeconds = seconds;
		this.draft.dropVoice = false;
		this.voiceStatus = 'taken';
		this.notice = `Voice note recorded, ${describeSeconds(seconds)}.`;
	}

	dropDraftVoice(): void {
		if (!this.draft) return;
		this.stopListening();
		if (this.draft.voice) this.draft.voice = null;
		else if (this.draft.editing?.voice) this.draft.dropVoice = true;
		this.voiceStatus = 'none';
	}

	/** Plays an entry's voice note, or the draft's new one ('draft'); a second tap stops it. */
	async listen(id: string): Promise<void> {
		if (this.listening === id) return this.stopListening();
		this.stopListening();
		const blob = id === 'draft' ? this.draft?.voice : await this.#store.voice(id);
		if (!blob) {
			this.message = 'This voice note could not be found on this device.';
			return;
		}
		this.listening = id;
		// Loaded by now (see `load`), so the player wakes inside the tap, as iOS asks.
		const { ClipPlayer, CLIP_MESSAGES } = this.#playerModule ?? (this.#playerModule = await loadPlayer());
		const player = (this.#player ??= new ClipPlayer());
		await player.wake();
		const played = await player.play(blob, { onEnd: () => (this.listening = null) });
		if (!played.ok && played.reason !== CLIP_MESSAGES.superseded) {
			this.listening = null;
			this.message = 'This voice note could not be played in this browser. It is still kept, and in the export.';
		}
	}

	stopListening(): void {
		if (this.listening === null) return;
		this.listening = null;
		this.#player?.stop();
	}

	// ——— exports ———

	async exportMarkdown(): Promise<Result<File>> {
		const { journalMarkdown, journalExportFileName } = await import('$lib/integration/journal-export');
		const exportedAt = this.#clock();
		const text = journalMarkdown(this.entries, { exportedAt });
		return { ok: true, value: new File([text], journalExportFileName(exportedAt, 'md'), { type: 'text/markdown' }) };
	}

	/** The journal with its voice notes as files beside it, in one ZIP. */
	async exportZip(): Promise<Result<File>> {
		const { journalZip, journalExportFileName } = await import('$lib/integration/journal-export');
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- gathered once for the file, never state
		const voices = new Map<string, Uint8Array>();
		const voiced = this.entries.filter((entry) => entry.voice);
		let done = 0;
		for (const entry of voiced) {
			this.exporting = `Gathering voice notes: ${done} of ${voiced.length}`;
			const blob = await this.#store.voice(entry.id);
			if (blob) voices.set(entry.id, new Uint8Array(await blob.arrayBuffer()));
			done += 1;
		}
		this.exporting = 'Making the file…';
		const exportedAt = this.#clock();
		const zip = journalZip(this.entries, voices, { exportedAt });
		this.exporting = null;
		return {
			ok: true,
			value: new File([zip as Uint8Array<ArrayBuffer>], journalExportFileName(exportedAt, 'zip'), {
				type: 'application/zip'
			})
		};
	}

	async dispose(): Promise<void> {
		await this.#releaseRecorder();
		this.#player?.dispose();
		this.#player = undefined;
	}

	async #releaseRecorder(): Promise<void> {
		clearInterval(this.#timer);
		const recorder = this.#recorder;
		this.#recorder = undefined;
		await recorder?.close();
	}
}

type PlayerModule = typeof import('$lib/voice/clip-player');
const loadPlayer = (): Promise<PlayerModule> => import('$lib/voice/clip-player');

function sortEntries(entries: JournalEntry[]): JournalEntry[] {
	return entries.sort((a, b) => (a.date === b.date ? b.createdAt - a.createdAt : a.date < b.date ? 1 : -1));
}

export function describeSeconds(seconds: Seconds): string {
	const total = Math.max(1, Math.round(seconds));
	const minutes = Math.floor(total / 60);
	const rest = total % 60;
	return minutes > 0 ? `${minutes} min ${String(rest).padStart(2, '0')} s` : `${rest} s`;
}
