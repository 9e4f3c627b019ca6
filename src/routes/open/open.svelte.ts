/**
 * The page a QR code's link opens on the client's phone: what the link holds, shown first and
 * kept only when the person says so. Nothing is written before `save()`.
 *
 * A practice becomes the breathing practice of the take-home record kept for links
 * (LINK_SENDER_ID), replacing one an earlier link brought. A script is saved as the client's own
 * (ScriptStore) and named in that record; one already here word for word is not saved twice, and
 * one whose id another script has takes a new id. A built-in script (its link names it) is only
 * named in the record: every Grounded has its words.
 *
 * @example
 * const open = new OpenState();
 * await open.load(location.hash); // status 'preview', or 'refused' with a reason
 * await open.save(); // on the tap on "Save to Grounded": status 'saved'
 */
import type { GroundingScript } from '$lib/grounding/script';
import { randomId } from '$lib/names';
import { indexedDbBackend, type KeyValueBackend } from '$lib/storage/key-value';
import { ScriptStore } from '$lib/storage/script-store';
import type { BreathingPractice } from '$lib/take-home/practice';
import { decodeShareFragment, type LinkItem } from '$lib/take-home/share-link';
import { LINK_SENDER_ID, TakeHomeStore, type TakeHomeRecord } from '$lib/take-home/take-home-store';
import type { Milliseconds } from '$lib/units';

/**
 * `nothing`: the page was opened without a link. `refused`: the link can't be opened (see
 * `message`). `preview`: waiting for Save or Not now. `saved`: kept; `savedScriptId` for a script.
 */
export type OpenStatus = 'loading' | 'nothing' | 'refused' | 'preview' | 'saving' | 'saved';

export interface OpenOptions {
	backend?: KeyValueBackend;
	scripts?: ScriptStore;
	takeHome?: TakeHomeStore;
	now?: () => Milliseconds;
	random?: () => number;
}

export class OpenState {
	status: OpenStatus = $state('loading');
	item: LinkItem | null = $state.raw(null);
	/** Why the link can't be opened, or why saving failed, in plain words. */
	message = $state('');
	/** What saving did, in plain words. */
	notice = $state('');
	/** The practice an earlier link brought, which saving this one replaces. */
	replaces: BreathingPractice | null = $state.raw(null);
	/** The id the saved script has on this device (a copy may have needed a new one). */
	savedScriptId: string | null = $state(null);

	readonly #scripts: ScriptStore;
	readonly #takeHome: TakeHomeStore;
	readonly #now: () => Milliseconds;
	readonly #random: () => number;
	/** Bumped by every load: a slower, older read must not show over a newer link. */
	#loads = 0;

	constructor(options: OpenOptions = {}) {
		const backend = options.backend ?? indexedDbBackend();
		this.#scripts = options.scripts ?? new ScriptStore(backend);
		this.#takeHome = options.takeHome ?? new TakeHomeStore(backend);
		this.#now = options.now ?? Date.now;
		this.#random = options.random ?? Math.random;
	}

	/** Reads the link's fragment (`location.hash`) and shows what it holds. Only reads. */
	async load(hash: string): Promise<void> {
		const load = ++this.#loads;
		this.message = '';
		this.notice = '';
		this.replaces = null;
		this.savedScriptId = null;
		this.item = null;
		if (hash === '' || hash === '#') {
			this.status = 'nothing';
			return;
		}
		const decoded = decodeShareFragment(hash);
		if (!decoded.ok) {
			this.message = decoded.reason;
			this.status = 'refused';
			return;
		}
		const item = decoded.value;
		if (item.kind === 'breathing') {
			const earlier = (await this.#takeHome.get(LINK_SENDER_ID))?.breathing ?? null;
			if (load !== this.#loads) return;
			this.replaces = earlier && JSON.stringify(earlier) !== JSON.stringify(item.practice) ? earlier : null;
		}
		this.item = item;
		this.status = 'preview';
	}

	/** Keeps what the link holds. Call from the tap on "Save to Grounded". */
	async save(): Promise<void> {
		const item = this.item;
		if (!item || this.status !== 'preview') return;
		this.status = 'saving';
		this.message = '';
		const saved =
			item.kind === 'breathing' ? await this.#savePractice(item.practice) : await this.#saveScript(item.script);
		if (saved.ok) {
			this.notice = saved.notice;
			this.status = 'saved';
		} else {
			this.message = saved.reason;
			this.status = 'preview';
		}
	}

	async #savePractice(practice: BreathingPractice): Promise<Saved> {
		const record = await this.#record();
		const kept = await this.#takeHome.save({ ...record, breathing: practice, installedAt: this.#now() });
		if (!kept.ok) return kept;
		return { ok: true, notice: `“${practice.title}” is saved on this device.` };
	}

	async #saveScript(script: GroundingScript): Promise<Saved> {
		const record = await this.#record();
		let id = script.id;
		let notice = `“${script.title}” is saved on this device.`;
		if (script.builtIn) {
			notice = `“${script.title}” comes with Grounded; it is now kept with what was shared with you.`;
		} else {
			const own = await this.#scripts.listOwn();
			const twin = own.find((candidate) => sameWords(candidate, script));
			if (twin) {
				id = twin.id;
				notice = `“${script.title}” is already on this device, word for word. Nothing new was saved.`;
			} else {
				const taken = this.#scripts.isShipped(id) || own.some((candidate) => candidate.id === id);
				// Someone else's script under this id (or a different version of this one) is kept as it is.
				if (taken) id = randomId('link', [...own.map((candidate) => candidate.id)], this.#random);
				const stored = await this.#scripts.save({ ...script, id, builtIn: false });
				if (!stored.ok) return stored;
			}
		}
		const ids = script.builtIn ? record.builtInScriptIds : record.scriptIds;
		const listed = ids.includes(id) ? ids : [...ids, id];
		const kept = await this.#takeHome.save({
			...record,
			...(script.builtIn ? { builtInScriptIds: listed } : { scriptIds: listed }),
			renamed: id === script.id || script.builtIn ? record.renamed : { ...record.renamed, [script.id]: id },
			installedAt: this.#now()
		});
		// The script itself is saved and in the list of scripts even if the record could not be.
		if (!kept.ok) return kept;
		this.savedScriptId = id;
		return { ok: true, notice };
	}

	/** The record for what came by link, or a new one. */
	async #record(): Promise<TakeHomeRecord> {
		const kept = await this.#takeHome.get(LINK_SENDER_ID);
		if (kept) return kept;
		const now = this.#now();
		return {
			version: 1,
			from: { id: LINK_SENDER_ID, name: '', contact: '', supportLine: '' },
			clientName: null,
			note: null,
			// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a timestamp written once, never state
			createdAt: new Date(now).toISOString(),
			installedAt: now,
			scriptIds: [],
			builtInScriptIds: [],
			playlistIds: [],
			trackIds: [],
			renamed: {},
			breathing: null
		};
	}
}

type Saved = { ok: true; notice: string } | { ok: false; reason: string };

/** The same script but for its id: the same title, summary and steps. */
function sameWords(a: GroundingScript, b: GroundingScript): boolean {
	return a.title === b.title && a.summary === b.summary && JSON.stringify(a.steps) === JSON.stringify(b.steps);
}
