/**
 * Deleting with Undo, for anything the therapist made (a script, a playlist).
 * A deleted thing stays on the device through the undo window; the ids waiting
 * to go are stored too, so a page closed within the window loses nothing it
 * should not, and the next visit finishes the job (`finishLeftOver`).
 *
 * @example
 * const deletes = new PendingDeletes({ backend, key: 'playlist-pending-deletes', erase: (id) => erasePlaylist(id),
 *   onErased: (id, problem) => (problem ? show(problem) : dropFromList(id)) });
 * await deletes.finishLeftOver();
 * await deletes.hold('own-k3x9q2ab', 'Evening session'); // hidden by the page now, erased after the window
 * await deletes.undo('own-k3x9q2ab'); // nothing was erased
 */
import * as v from 'valibot';
import { StoredValue, type KeyValueBackend } from './key-value';
import type { Milliseconds } from '../units';

/** How long “Undo” is offered after something is deleted. */
export const UNDO_WINDOW: Milliseconds = 10_000;

export interface PendingDelete {
	id: string;
	title: string;
	/** When the undo window closes, epoch milliseconds. */
	until: Milliseconds;
}

const pendingSchema = v.array(v.object({ id: v.string(), title: v.string(), until: v.number() }));

function parsePending(raw: unknown): PendingDelete[] {
	const parsed = v.safeParse(pendingSchema, raw);
	return parsed.success ? parsed.output : [];
}

export interface PendingDeletesOptions {
	backend: KeyValueBackend;
	/** Where the waiting ids are stored. */
	key: string;
	/** Erases one thing from the device: a problem in plain words, or undefined. */
	erase(id: string): Promise<string | undefined>;
	/** After a held delete was carried out (or failed, with its problem); not called after `dispose`. */
	onErased(id: string, entry: PendingDelete | undefined, problem: string | undefined): void;
	now?: () => Milliseconds;
	undoWindow?: Milliseconds;
}

export class PendingDeletes {
	pending: PendingDelete[] = $state([]);

	readonly #options: PendingDeletesOptions;
	readonly #stored: StoredValue<PendingDelete[]>;
	readonly #timers: Record<string, ReturnType<typeof setTimeout>> = {};
	#disposed = false;

	constructor(options: PendingDeletesOptions) {
		this.#options = options;
		this.#stored = new StoredValue(options.backend, options.key, parsePending, 'The list of deletions');
	}

	of(id: string): PendingDelete | undefined {
		return this.pending.find((entry) => entry.id === id);
	}

	/** Erases what an earlier visit left waiting. */
	async finishLeftOver(): Promise<void> {
		const left = await this.#stored.load();
		for (const entry of left) await this.#options.erase(entry.id);
		if (left.length > 0) await this.#stored.save([]);
	}

	/** Starts the undo window for `id`; it is erased when the window has passed. */
	async hold(id: string, title: string): Promise<void> {
		if (this.of(id)) return;
		const now = this.#options.now ?? Date.now;
		const window = this.#options.undoWindow ?? UNDO_WINDOW;
		this.pending = [...this.pending, { id, title, until: now() + window }];
		this.#timers[id] = setTimeout(() => void this.#finish(id), window);
		// If this write fails the thing simply stays (nothing is lost); the timer still erases it.
		await this.#stored.save($state.snapshot(this.pending));
	}

	/** Cancels the delete; the entry that was waiting, or undefined when there was none. */
	async undo(id: string): Promise<PendingDelete | undefined> {
		const entry = this.of(id);
		if (!entry) return undefined;
		clearTimeout(this.#timers[id]);
		delete this.#timers[id];
		this.pending = this.pending.filter((p) => p.id !== id);
		await this.#stored.save($state.snapshot(this.pending));
		return entry;
	}

	/** Erases now everything waiting: the page is being left. */
	finishAll(): void {
		for (const entry of this.pending) {
			clearTimeout(this.#timers[entry.id]);
			// Not awaited: the page is going. What does not finish now is finished on the next visit.
			void this.#finish(entry.id);
		}
	}

	dispose(): void {
		this.finishAll();
		this.#disposed = true;
	}

	async #finish(id: string): Promise<void> {
		delete this.#timers[id];
		const problem = await this.#options.erase(id);
		const entry = this.of(id);
		this.pending = this.pending.filter((p) => p.id !== id);
		await this.#stored.save($state.snapshot(this.pending));
		if (!this.#disposed) this.#options.onErased(id, entry, problem);
	}
}
