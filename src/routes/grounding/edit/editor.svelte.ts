/**
 * The script editor's state: the script as edited (which may not be valid
 * yet), its messages field by field, and saving through the ScriptStore.
 *
 * A field's message shows once the field has been left, or once Save was
 * tried; the script is checked on every change by `validateScript`, so a
 * message goes as soon as the field is fixed. A failed save keeps the edits
 * here and the version saved before on the device.
 *
 * @example
 * const editor = new EditorState();
 * await editor.load(new URLSearchParams(location.search)); // ?script=<id>, or ?new
 * editor.setText(editor.script.steps[0]!.id, 'Feel your feet on the floor.');
 * if (!(await editor.save())) focus(editor.firstInvalidField());
 */
import { COHERENT_DEFAULT_RATE, PATTERN_INFO, type BreathPattern, type CustomDurations } from '$lib/breath/patterns';
import { DEFAULT_SETTINGS } from '$lib/breath/settings';
import {
	blankStep,
	duplicateScript,
	emptyScript,
	isScriptValid,
	newStepId,
	SCRIPT_LIMITS,
	STEP_MESSAGES,
	validateScript,
	type GroundingScript,
	type ScriptStep,
	type StepField
} from '$lib/grounding/script';
import { CURATED_TRACKS, SOUNDSCAPE_TITLES } from '$lib/music/catalog';
import { SOUNDSCAPES, type SoundscapeId } from '$lib/session/playlist';
import { ScriptStore } from '$lib/storage/script-store';
import type { Seconds } from '$lib/units';
import { SECONDS_PER_MINUTE } from '$lib/units';
import { myVersionTitle, newScriptId } from '../library.svelte';
import { VoiceRecording } from './recording.svelte';

export type EditorStatus = 'loading' | 'editing' | 'builtin' | 'missing';

/** The breath choices in the pacer's order and words. */
export const BREATH_CHOICES = (Object.keys(PATTERN_INFO) as (keyof typeof PATTERN_INFO)[]).map((kind) => ({
	value: kind,
	label: PATTERN_INFO[kind].name
}));

/** Background choices as `<select>` values: 'none', 'soundscape:<id>' or 'track:<id>'. */
export const BACKGROUND_CHOICES = {
	soundscapes: SOUNDSCAPES.map((id) => ({ value: `soundscape:${id}`, label: SOUNDSCAPE_TITLES[id] })),
	tracks: CURATED_TRACKS.map((track) => ({ value: `track:${track.id}`, label: track.title }))
};

/** A field of the script, as a key for “has been left” and for element ids. */
export type FieldKey = 'title' | 'summary' | `${string}:${StepField}`;

export function stepField(stepId: string, field: StepField): FieldKey {
	return `${stepId}:${field}`;
}

/** The `<select>` value for a step's background. */
export function backgroundValue(step: ScriptStep): string {
	const background = step.background;
	if (!background) return 'none';
	return background.kind === 'track' ? `track:${background.trackId}` : `soundscape:${background.soundscape}`;
}

export function minutesAndSeconds(total: Seconds): { minutes: number; seconds: number } {
	const minutes = Math.floor(total / SECONDS_PER_MINUTE);
	// Rounded to a tenth so that 0.1-second steps of an imported script don't show as 59.99999.
	return { minutes, seconds: Math.round((total - minutes * SECONDS_PER_MINUTE) * 10) / 10 };
}

/** Where a field is, in words, for “fix these first”. */
const FIELD_WORDS: Record<StepField, string> = {
	id: 'its id',
	text: 'the text',
	timing: 'the timing',
	seconds: 'the length',
	breath: 'the breathing pattern',
	chime: 'the chime',
	background: 'the background'
};

export interface EditorOptions {
	store?: ScriptStore;
	voice?: (scriptId: () => string) => VoiceRecording;
}

export class EditorState {
	status: EditorStatus = $state('loading');
	script: GroundingScript = $state(emptyScript('draft'));
	/** Not saved even once: the URL and the list don't know it yet. */
	isNew = $state(false);
	/** Fields that have been left at least once; their messages show. */
	touched: Record<string, true> = $state({});
	/** Save was tried: every message shows. */
	showAll = $state(false);
	saving = $state(false);
	/** Why saving (or something else) failed, in plain words. */
	message = $state('');
	/** What just happened, for the status line. */
	notice = $state('');
	/** Polite announcement of moves and deletions, for screen readers. */
	announcement = $state('');
	/** Why no step can be added, said when Add is pressed at the limit. */
	addMessage = $state('');
	/** The last step deleted, offered back until the next deletion or save. */
	removed: { step: ScriptStep; index: number } | null = $state(null);

	#savedJson = $state('');
	readonly errors = $derived(validateScript(this.script));
	readonly valid = $derived(isScriptValid(this.errors));
	readonly dirty = $derived(JSON.stringify(this.script) !== this.#savedJson);
	readonly full = $derived(this.script.steps.length >= SCRIPT_LIMITS.steps.max);

	/** The recording panel and the kept clips of this script's steps. */
	readonly voice: VoiceRecording;
	readonly #store: ScriptStore;

	constructor(options: EditorOptions = {}) {
		this.#store = options.store ?? new ScriptStore();
		const scriptId = () => this.script.id;
		this.voice = options.voice?.(scriptId) ?? new VoiceRecording(scriptId);
	}

	/** Something on screen would be lost by leaving: an edit not saved, or a take not kept. */
	get unsaved(): boolean {
		return (this.status === 'editing' && this.dirty) || this.voice.unsaved;
	}

	/** Opens `?script=<id>` (own scripts; a built-in offers duplication) or a new script for `?new`. */
	async load(params: URLSearchParams): Promise<void> {
		// The same page opens another script (after duplicating one, or going back): start afresh.
		await this.voice.close();
		this.voice.clips = {};
		this.status = 'loading';
		this.touched = {};
		this.showAll = false;
		this.message = '';
		this.notice = '';
		this.addMessage = '';
		this.removed = null;
		const id = params.get('script');
		if (id === null) {
			const taken = (await this.#store.listAll()).map((script) => script.id);
			this.#begin(emptyScript(newScriptId(taken)), true);
			return;
		}
		const script = await this.#store.get(id);
		if (!script) {
			this.status = 'missing';
		} else if (script.builtIn) {
			this.script = script;
			this.status = 'builtin';
		} else {
			this.#begin(script, false);
			await this.voice.loadClips();
		}
	}

	#begin(script: GroundingScript, isNew: boolean): void {
		this.script = script;
		this.#savedJson = JSON.stringify(script);
		this.isNew = isNew;
		this.status = 'editing';
	}

	/** For a built-in script: saves a copy as the therapist's own; the copy's id, or null. */
	async duplicateBuiltIn(): Promise<string | null> {
		const original = $state.snapshot(this.script) as GroundingScript;
		const taken = (await this.#store.listAll()).map((script) => script.id);
		const copy = duplicateScript(original, newScriptId(taken), myVersionTitle(original.title));
		const saved = await this.#store.save(copy);
		if (!saved.ok) {
			this.message = saved.reason;
			return null;
		}
		return copy.id;
	}

	// ——— messages ———

	touch(key: FieldKey): void {
		this.touched[key] = true;
	}

	/** The message to show at a field now, if any. */
	shownError(key: FieldKey): string | undefined {
		if (!this.showAll && !this.touched[key]) return undefined;
		if (key === 'title' || key === 'summary') return this.errors[key];
		const [stepId, field] = key.split(':') as [string, StepField];
		return this.errors.stepErrors[stepId]?.[field];
	}

	/** The first field with a message, in the order of the page: where focus goes after a refused save. */
	firstInvalidField(): FieldKey | undefined {
		if (this.errors.title) return 'title';
		if (this.errors.summary) return 'summary';
		for (const step of this.script.steps) {
			const errors = this.errors.stepErrors[step.id];
			if (!errors) continue;
			const field = (['text', 'timing', 'seconds', 'breath', 'background', 'chime', 'id'] as const).find(
				(name) => errors[name]
			);
			if (field) return stepField(step.id, field);
		}
		return undefined;
	}

	/** “the title, step 2 (the text) and step 5 (the length)” */
	#whereToFix(): string {
		const places: string[] = [];
		if (this.errors.title) places.push('the title');
		if (this.errors.summary) places.push('the summary');
		this.script.steps.forEach((step, index) => {
			const errors = this.errors.stepErrors[step.id];
			if (!errors) return;
			const fields = (Object.keys(errors) as StepField[]).map((field) => FIELD_WORDS[field]);
			places.push(`step ${index + 1} (${fields.join(', ')})`);
		});
		if (this.errors.steps) places.push('the list of steps');
		if (places.length <= 1) return places.join('');
		return `${places.slice(0, -1).join(', ')} and ${places.at(-1)}`;
	}

	// ——— editing ———

	#step(stepId: string): ScriptStep | undefined {
		return this.script.steps.find((step) => step.id === stepId);
	}

	setTitle(title: string): void {
		this.script.title = title;
	}

	setSummary(summary: string): void {
		this.script.summary = summary;
	}

	setText(stepId: string, text: string): void {
		const step = this.#step(stepId);
		if (step) step.text = text;
	}

	setTimed(stepId: string, timed: boolean): void {
		const step = this.#step(stepId);
		if (!step || timed === (step.timing.kind === 'timed')) return;
		step.timing = timed ? { kind: 'timed', seconds: 60 } : { kind: 'open' };
	}

	/** Sets a timed step's length from what the two fields hold; an empty or unreadable field counts as 0. */
	setLength(stepId: string, minutes: string, seconds: string): void {
		const step = this.#step(stepId);
		if (!step) return;
		const number = (text: string) => {
			const value = Number(text.trim().replace(',', '.'));
			return Number.isFinite(value) ? value : 0;
		};
		const total = Math.round((number(minutes) * SECONDS_PER_MINUTE + number(seconds)) * 10) / 10;
		step.timing = { kind: 'timed', seconds: total };
	}

	setBreath(stepId: string, kind: string): void {
		const step = this.#step(stepId);
		if (!step) return;
		if (kind === 'coherent') step.breath = { kind, breathsPerMinute: COHERENT_DEFAULT_RATE };
		else if (kind === 'custom') step.breath = { kind, durations: { ...DEFAULT_SETTINGS.custom } };
		else if (kind === 'box' || kind === 'four-seven-eight' || kind === 'extended-exhale' || kind === 'sigh') {
			step.breath = { kind };
		} else step.breath = null;
	}

	setBreathRate(stepId: string, value: string): void {
		const step = this.#step(stepId);
		if (step?.breath?.kind !== 'coherent') return;
		step.breath = { kind: 'coherent', breathsPerMinute: Number(value) };
	}

	setBreathPart(stepId: string, part: keyof CustomDurations, value: string): void {
		const step = this.#step(stepId);
		if (step?.breath?.kind !== 'custom') return;
		const durations: CustomDurations = { ...step.breath.durations, [part]: value.trim() === '' ? NaN : Number(value) };
		step.breath = { kind: 'custom', durations } satisfies BreathPattern;
	}

	setChime(stepId: string, chime: boolean): void {
		const step = this.#step(stepId);
		if (step) step.chime = chime;
	}

	setBackground(stepId: string, value: string): void {
		const step = this.#step(stepId);
		if (!step) return;
		const [kind, id = ''] = value.split(/:(.*)/s);
		if (kind === 'track') {
			step.background = { kind: 'track', trackId: id };
		} else if (kind === 'soundscape' && (SOUNDSCAPES as readonly string[]).includes(id)) {
			const soundscape = id as SoundscapeId;
			// The seed of another step with this soundscape, so that it carries on across steps (sameBackground).
			const same = this.script.steps.find(
				(other) => other.background?.kind === 'soundscape' && other.background.soundscape === soundscape
			);
			const seed = same?.background?.kind === 'soundscape' ? same.background.seed : 1;
			step.background = { kind: 'soundscape', soundscape, seed };
		} else {
			step.background = null;
		}
	}

	/** Adds a blank step after `afterId` (or at the end); its id, or undefined at the limit. */
	addStep(afterId?: string): string | undefined {
		if (this.full) {
			this.addMessage = `${STEP_MESSAGES.tooManySteps} Delete one to add another.`;
			return undefined;
		}
		this.addMessage = '';
		const step = blankStep(newStepId(this.script.steps.map((s) => s.id)));
		const after = afterId === undefined ? -1 : this.script.steps.findIndex((s) => s.id === afterId);
		const index = after === -1 ? this.script.steps.length : after + 1;
		this.script.steps.splice(index, 0, step);
		this.announcement = `Step ${index + 1} added.`;
		return step.id;
	}

	/** Moves a step to position `to` (0-based); false when it cannot go there. */
	moveStep(stepId: string, to: number): boolean {
		const steps = this.script.steps;
		const from = steps.findIndex((step) => step.id === stepId);
		if (from === -1 || to < 0 || to >= steps.length || to === from) return false;
		const [step] = steps.splice(from, 1);
		steps.splice(to, 0, step!);
		this.announcement = `Step ${from + 1} moved to position ${to + 1}.`;
		return true;
	}

	removeStep(stepId: string): void {
		const index = this.script.steps.findIndex((step) => step.id === stepId);
		if (index === -1) return;
		// Its recording panel goes with it, and so does the microphone.
		if (this.voice.stepId === stepId) void this.voice.close();
		const [step] = this.script.steps.splice(index, 1);
		this.removed = { step: $state.snapshot(step!) as ScriptStep, index };
		this.addMessage = '';
		this.announcement = `Step ${index + 1} deleted.`;
	}

	/** Puts the last deleted step back where it was; its id. */
	undoRemove(): string | undefined {
		const removed = this.removed;
		if (!removed) return undefined;
		if (this.full) {
			this.addMessage = `${STEP_MESSAGES.tooManySteps} Delete one to bring the step back.`;
			return undefined;
		}
		const index = Math.min(removed.index, this.script.steps.length);
		this.script.steps.splice(index, 0, removed.step);
		this.removed = null;
		this.announcement = `Step ${index + 1} is back.`;
		return removed.step.id;
	}

	// ——— saving ———

	/**
	 * Saves when the script is valid; otherwise shows every message and says
	 * where to look. True when what is on screen is now what is stored.
	 */
	async save(): Promise<boolean> {
		this.message = '';
		this.notice = '';
		if (!this.valid) {
			this.showAll = true;
			this.message = `The script isn’t saved yet. Fix ${this.#whereToFix()} first.`;
			return false;
		}
		if (!this.dirty && !this.isNew) return true;
		this.saving = true;
		const sent = JSON.stringify(this.script);
		const saved = await this.#store.save(JSON.parse(sent) as GroundingScript);
		this.saving = false;
		if (!saved.ok) {
			this.message = saved.reason;
			return false;
		}
		// Shown as stored (trimmed text), unless the person typed on while it was saving.
		if (JSON.stringify(this.script) === sent) this.script = saved.value;
		this.#savedJson = JSON.stringify(saved.value);
		this.isNew = false;
		this.removed = null;
		this.notice = 'Saved.';
		// The recordings of deleted steps go once the script without them is stored.
		await this.voice.keepOnly(saved.value.steps.map((step) => step.id));
		return true;
	}

	/** Releases the microphone and the player; recordings of a script never saved go with it. */
	async dispose(): Promise<void> {
		await this.voice.dispose();
		if (this.isNew) await this.voice.removeAll();
	}
}
