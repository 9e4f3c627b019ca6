/**
 * The list of grounding scripts: the built-in ones, then the therapist's own,
 * with their planned length and how many steps carry a recorded voice; and
 * what can be done with them (duplicate, delete with undo, import, export).
 *
 * A deleted script stays on the device through the undo window. The ids
 * waiting to go are kept on the device too, so a page closed within the
 * window loses nothing it should not, and the next visit finishes the job.
 *
 * @example
 * const library = new LibraryState();
 * await library.load();
 * await library.remove('mine-k3x9q2ab'); // hidden now, gone from the device after UNDO_WINDOW
 * library.undo('mine-k3x9q2ab'); // back in the list, nothing was removed
 */
import { BUILTIN_SCRIPTS } from '$lib/grounding/builtin-scripts';
import { duplicateScript, parseScript, SCRIPT_LIMITS, type GroundingScript } from '$lib/grounding/script';
import { myVersionTitle as copyTitle, randomId } from '$lib/names';
import { downloadText } from '$lib/platform/download';
import { indexedDbBackend, type KeyValueBackend } from '$lib/storage/key-value';
import { PendingDeletes, type PendingDelete } from '$lib/storage/pending-deletes.svelte';
import { ScriptStore } from '$lib/storage/script-store';
import { VoiceClipStore } from '$lib/voice/clip-store';
import type { Milliseconds, Seconds } from '$lib/units';

export const PENDING_DELETES_KEY = 'grounding-pending-deletes';
/** Far above the largest valid script (100 steps of 2,000 characters); anything bigger is not one. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;

/** How much of a script speaks in the therapist's own voice. */
export interface VoiceSummary {
	/** Steps with a kept clip. */
	steps: number;
	seconds: Seconds;
}

/** A script id no script has, such as "mine-k3x9q2ab" (a new script never inherits a deleted one's voice clips). */
export function newScriptId(taken: Iterable<string>, random: () => number = Math.random): string {
	return randomId('mine', taken, random);
}

/** “About 5 min”, from a planned length. */
export function aboutLength(seconds: Seconds): string {
	if (seconds < 45) return 'under a minute';
	return `about ${Math.max(1, Math.round(seconds / 60))} min`;
}

/** “<title> (my version)”, cut so that it stays within the title limit. */
export function myVersionTitle(title: string): string {
	return copyTitle(title, SCRIPT_LIMITS.title);
}

export interface LibraryOptions {
	backend?: KeyValueBackend;
	scripts?: ScriptStore;
	clips?: VoiceClipStore;
	now?: () => Milliseconds;
	undoWindow?: Milliseconds;
}

export class LibraryState {
	status: 'loading' | 'ready' = $state('loading');
	/** Built-in first, then the therapist's own, including those waiting to be deleted. */
	scripts: GroundingScript[] = $state([]);
	voice: Record<string, VoiceSummary> = $state({});
	/** A problem, in plain words (shown as an alert). */
	message = $state('');
	/** What just happened (a polite status). */
	notice = $state('');

	readonly builtIn = $derived(this.scripts.filter((script) => script.builtIn));
	/** The therapist's own, those waiting to be deleted included (they show as “Undo”). */
	readonly own = $derived(this.scripts.filter((script) => !script.builtIn));

	/** Scripts waiting to be deleted (shown with “Undo”). */
	get pending(): PendingDelete[] {
		return this.#deletes.pending;
	}

	pendingOf(id: string): PendingDelete | undefined {
		return this.#deletes.of(id);
	}

	readonly #scripts: ScriptStore;
	readonly #clips: VoiceClipStore;
	readonly #deletes: PendingDeletes;

	constructor(options: LibraryOptions = {}) {
		const backend = options.backend ?? indexedDbBackend();
		this.#scripts = options.scripts ?? new ScriptStore(backend);
		this.#clips = options.clips ?? new VoiceClipStore(backend);
		this.#deletes = new PendingDeletes({
			backend,
			key: PENDING_DELETES_KEY,
			erase: (id) => this.#erase(id),
			onErased: (id, entry, problem) => {
				if (problem) {
					this.message = problem;
				} else {
					this.scripts = this.scripts.filter((script) => script.id !== id);
					if (entry && this.notice === `“${entry.title}” deleted.`) this.notice = '';
				}
			},
			now: options.now,
			undoWindow: options.undoWindow
		});
	}

	/** Finishes deletions left from an earlier visit, then lists every script. */
	async load(): Promise<void> {
		await this.#deletes.finishLeftOver();
		await this.#refresh();
		this.status = 'ready';
	}

	async #refresh(): Promise<void> {
		const scripts = await this.#scripts.listAll();
		const voice: Record<string, VoiceSummary> = {};
		for (const script of scripts) {
			if (script.builtIn) continue;
			const stepIds = script.steps.map((step) => step.id);
			const clips = (await this.#clips.listFor(script.id)).filter((clip) => stepIds.includes(clip.stepId));
			voice[script.id] = {
				steps: clips.length,
				seconds: clips.reduce((sum, clip) => sum + clip.durationSeconds, 0)
			};
		}
		this.scripts = scripts;
		this.voice = voice;
	}

	#takenIds(): string[] {
		return [...BUILTIN_SCRIPTS.map((script) => script.id), ...this.scripts.map((script) => script.id)];
	}

	/** Saves a copy of the script as the therapist's own; its id, for the editor, or null on failure. */
	async duplicate(id: string): Promise<string | null> {
		this.message = '';
		const original = this.scripts.find((script) => script.id === id);
		if (!original) return null;
		const copy = duplicateScript(
			$state.snapshot(original),
			newScriptId(this.#takenIds()),
			myVersionTitle(original.title)
		);
		const saved = await this.#scripts.save(copy);
		if (!saved.ok) {
			this.message = saved.reason;
			return null;
		}
		await this.#refresh();
		return copy.id;
	}

	/** Hides the script now; it and its recordings leave the device when the undo window has passed. */
	async remove(id: string): Promise<void> {
		this.message = '';
		const script = this.scripts.find((candidate) => candidate.id === id);
		if (!script || script.builtIn || this.pendingOf(id)) return;
		this.notice = `“${script.title}” deleted.`;
		await this.#deletes.hold(id, script.title);
	}

	async undo(id: string): Promise<void> {
		const entry = await this.#deletes.undo(id);
		if (entry) this.notice = `“${entry.title}” is back.`;
	}

	/** Deletes now what is waiting to be deleted: the page is being left. */
	finishPending(): void {
		this.#deletes.finishAll();
	}

	/** Removes a script and its recordings from the device; a plain-words problem, or undefined. */
	async #erase(id: string): Promise<string | undefined> {
		const removed = await this.#scripts.remove(id);
		if (!removed.ok) return removed.reason;
		const clips = await this.#clips.removeAllFor(id);
		return clips.ok ? undefined : clips.reason;
	}

	/** Offers the script as a JSON file. */
	exportScript(id: string): void {
		const script = this.scripts.find((candidate) => candidate.id === id);
		if (!script) return;
		const text = JSON.stringify($state.snapshot(script), null, '\t');
		downloadText(`grounded-script-${script.id}.json`, `${text}\n`, 'application/json');
		this.notice = `“${script.title}” saved as a file.`;
	}

	/**
	 * Adds the script in `file` as one of the therapist's own. A file that is not
	 * a valid script is refused with what is wrong, and nothing stored changes;
	 * an id already in use gets a new one, so no script is ever overwritten.
	 */
	async importFile(file: File): Promise<void> {
		this.message = '';
		this.notice = '';
		const refuse = (reason: string) => {
			this.message = `Nothing was imported from “${file.name}”. ${reason}`;
		};
		if (file.size > MAX_IMPORT_BYTES) return refuse('The file is far too large to be a grounding script.');
		let text: string;
		try {
			text = await file.text();
		} catch {
			return refuse('The file could not be read.');
		}
		let json: unknown;
		try {
			json = JSON.parse(text);
		} catch {
			return refuse('It isn’t a grounding script: a script is a JSON file, as “Export” saves one.');
		}
		const parsed = parseScript(json);
		if (!parsed.ok) return refuse(parsed.reason);
		const taken = this.#takenIds();
		const id = taken.includes(parsed.value.id) ? newScriptId(taken) : parsed.value.id;
		const saved = await this.#scripts.save({ ...parsed.value, id, builtIn: false });
		if (!saved.ok) return refuse(saved.reason);
		await this.#refresh();
		this.notice = `Imported “${saved.value.title}”.`;
	}

	dispose(): void {
		this.#deletes.dispose();
	}
}
