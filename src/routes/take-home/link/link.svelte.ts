/**
 * The therapist's "Share by QR code" page: a breathing practice (from the pacer's saved settings,
 * with a title and a few simple choices) or a script, as a link and its QR code for the client's
 * camera. The item rides in the link's fragment (share-link.ts); nothing is sent anywhere, and
 * nothing is stored here.
 *
 * @example
 * const share = new ShareLinkState();
 * await share.load('https://grounded.example/'); // reads the pacer's settings and the scripts
 * share.kind = 'script';
 * share.scriptId = 'closing-session';
 * await share.drawCode(share.link); // share.code: the QR code's squares, for the page to draw
 */
import type { PatternKind } from '$lib/breath/patterns';
import {
	DEFAULT_SETTINGS,
	parseStoredSettings,
	settingsProblems,
	type CueSet,
	type PacerSettings
} from '$lib/breath/settings';
import type { GroundingScript } from '$lib/grounding/script';
import type { Result } from '$lib/result';
import { indexedDbBackend, StoredValue, type KeyValueBackend } from '$lib/storage/key-value';
import { ScriptStore } from '$lib/storage/script-store';
import { parsePractice, practiceFromSettings, type BreathingPractice } from '$lib/take-home/practice';
import { QR_MAX_CHARS, qrCodeOf, type QrCode } from '$lib/take-home/qr-code';
import { encodeShareLink, type LinkItem } from '$lib/take-home/share-link';
import { VoiceClipStore } from '$lib/voice/clip-store';

/** The pacer's own key (src/routes/breathe/pacer.svelte.ts, SETTINGS_KEY), read and never written here. */
const PACER_SETTINGS_KEY = 'pacer-settings';

/** A title to start from, so that a code shows at once; the therapist writes their own. */
export const STARTING_TITLE = 'Breathing at home';

export type ShareKind = 'breathing' | 'script';

export interface ScriptChoice {
	readonly script: GroundingScript;
	/** Steps with a recorded voice clip on this device (they play without it on the client's). */
	readonly recordedSteps: number;
}

export interface ShareLinkOptions {
	backend?: KeyValueBackend;
	scripts?: ScriptStore;
	clips?: VoiceClipStore;
}

export class ShareLinkState {
	status: 'loading' | 'ready' = $state('loading');
	kind: ShareKind = $state('breathing');

	// The practice: the pacer's saved settings, with these few changed here.
	title = $state(STARTING_TITLE);
	pattern: PatternKind = $state(DEFAULT_SETTINGS.pattern);
	lengthKind: 'minutes' | 'breaths' = $state('minutes');
	/** Minutes or breaths, as `lengthKind` says; null while the field is empty. */
	lengthValue: number | null = $state(5);
	cueSet: CueSet = $state(DEFAULT_SETTINGS.cueSet);

	scripts: ScriptChoice[] = $state.raw([]);
	scriptId = $state('');

	/** The QR code of `codeFor`, once drawn. */
	code: QrCode | null = $state.raw(null);
	codeFor: string | null = $state(null);
	/** What the last action did ("Link copied."), or a problem with it, in plain words. */
	notice = $state('');

	#base: PacerSettings = $state.raw(DEFAULT_SETTINGS);
	#appUrl = $state('');
	#draws = 0;
	readonly #pacer: StoredValue<PacerSettings>;
	readonly #scripts: ScriptStore;
	readonly #clips: VoiceClipStore;

	readonly practice: Result<BreathingPractice> = $derived.by(() => {
		const length =
			this.lengthKind === 'minutes'
				? { kind: 'minutes' as const, minutes: this.lengthValue ?? Number.NaN }
				: { kind: 'breaths' as const, count: this.lengthValue ?? Number.NaN };
		const settings: PacerSettings = { ...this.#base, pattern: this.pattern, cueSet: this.cueSet, length };
		// The pacer's own words for a number out of range, before the client's check below.
		const problem = settingsProblems(settings)[0];
		if (problem) return { ok: false, reason: problem.message };
		// Checked as the client's Grounded will check it, so a link is only ever made for what it can open.
		return parsePractice(practiceFromSettings(settings, this.title));
	});

	readonly chosen: ScriptChoice | null = $derived(
		this.scripts.find((choice) => choice.script.id === this.scriptId) ?? null
	);

	readonly item: Result<LinkItem> = $derived.by(() => {
		if (this.kind === 'breathing') {
			return this.practice.ok
				? { ok: true, value: { kind: 'breathing', practice: this.practice.value } }
				: this.practice;
		}
		return this.chosen
			? { ok: true, value: { kind: 'script', script: this.chosen.script } }
			: { ok: false, reason: 'Choose a script to share.' };
	});

	/** The link for what is chosen; null while the choice can't be shared. */
	readonly link: string | null = $derived(
		this.item.ok && this.#appUrl ? encodeShareLink(this.item.value, this.#appUrl) : null
	);

	/** False when the link is too long for a QR code. */
	readonly fitsCode: boolean = $derived(this.link !== null && this.link.length <= QR_MAX_CHARS);

	constructor(options: ShareLinkOptions = {}) {
		const backend = options.backend ?? indexedDbBackend();
		this.#pacer = new StoredValue(backend, PACER_SETTINGS_KEY, parseStoredSettings);
		this.#scripts = options.scripts ?? new ScriptStore(backend);
		this.#clips = options.clips ?? new VoiceClipStore(backend);
	}

	/** Reads the pacer's settings and every script. `appUrl` is the app's root, which links open under. */
	async load(appUrl: string): Promise<void> {
		this.#appUrl = appUrl;
		const [settings, scripts] = await Promise.all([this.#pacer.load(), this.#scripts.listAll()]);
		this.#base = settings;
		this.pattern = settings.pattern;
		this.cueSet = settings.cueSet;
		this.lengthKind = settings.length.kind;
		this.lengthValue = settings.length.kind === 'minutes' ? settings.length.minutes : settings.length.count;
		this.scripts = await Promise.all(
			scripts.map(async (script) => ({ script, recordedSteps: script.builtIn ? 0 : await this.#recordedSteps(script) }))
		);
		this.scriptId = this.scripts[0]?.script.id ?? '';
		this.status = 'ready';
	}

	async #recordedSteps(script: GroundingScript): Promise<number> {
		const stepIds = script.steps.map((step) => step.id);
		return (await this.#clips.listFor(script.id)).filter((clip) => stepIds.includes(clip.stepId)).length;
	}

	/** The pacer's own settings that the practice carries as they are (its rate, own pattern, slowing down). */
	get pacerSettings(): PacerSettings {
		return this.#base;
	}

	/** Draws the code for `link` (call when the link changes); an older, slower drawing is dropped. */
	async drawCode(link: string | null): Promise<void> {
		const draw = ++this.#draws;
		this.notice = '';
		let code: QrCode | null = null;
		if (link !== null && link.length <= QR_MAX_CHARS) {
			try {
				code = await qrCodeOf(link);
			} catch {
				// The code's module could not be loaded (offline, before it was ever fetched): the link still works.
				code = null;
			}
		}
		if (draw !== this.#draws) return;
		this.code = code;
		this.codeFor = code ? link : null;
	}

	/** Puts the link on the clipboard, for a message or an email. */
	async copy(): Promise<void> {
		const link = this.link;
		if (!link) return;
		try {
			await navigator.clipboard.writeText(link);
			this.notice = 'Link copied.';
		} catch {
			this.notice = 'The link could not be copied here. Select it in the box and copy it from there.';
		}
	}
}
