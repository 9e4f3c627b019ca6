/**
 * The one owner of speech synthesis: speaks a step's text in a chosen system
 * voice and rate, and says when it has finished, whatever the platform does.
 *
 * Text is spoken a sentence at a time: Chrome cuts off an utterance that runs
 * longer than about 15 s with some voices, and a short utterance also pauses
 * and cancels more reliably. A watchdog ends the speech (and so lifts the
 * duck) if the platform never reports an end, which some do after an error.
 * Speech is not page audio: it cannot be scheduled, faded or ducked, only
 * started and cancelled (AUDIO-NOTES: voices with `localService === false`
 * need the network).
 *
 * @example
 * const voices = await systemVoices(navigator.onLine);
 * const speech = new SpeechVoice();
 * speech.speak('Feel your feet on the floor.', { voice: voices[0] ?? null, rate: 0.9, onEnd: () => engine.duck(false) });
 * speech.cancel();
 */
import type { Milliseconds } from '../units';
import { offeredVoices } from './voice-settings';

/** How long to wait for Chrome's voice list, which arrives after a `voiceschanged` event. */
const VOICES_WAIT: Milliseconds = 1_500;
/** A generous speaking pace for the watchdog: characters a second at rate 1. */
const CHARACTERS_PER_SECOND = 10;
const WATCHDOG_SLACK: Milliseconds = 4_000;

export function speechSupported(): boolean {
	return typeof window !== 'undefined' && 'speechSynthesis' in window && 'SpeechSynthesisUtterance' in window;
}

/**
 * The system voices to offer (offline: only those on the device); none if there
 * is no speech synthesis. Chrome lists its voices a moment after it is first
 * asked: an empty list is waited on for up to `wait`.
 */
export async function systemVoices(online: boolean, wait: Milliseconds = VOICES_WAIT): Promise<SpeechSynthesisVoice[]> {
	if (!speechSupported()) return [];
	const synth = window.speechSynthesis;
	let voices = synth.getVoices();
	if (voices.length === 0) {
		voices = await new Promise<SpeechSynthesisVoice[]>((resolve) => {
			const done = (): void => {
				clearTimeout(timer);
				synth.removeEventListener('voiceschanged', done);
				resolve(synth.getVoices());
			};
			const timer = setTimeout(done, wait);
			synth.addEventListener('voiceschanged', done);
		});
	}
	return offeredVoices(voices, online);
}

/** Sentences, each with its closing punctuation; a text with none is one sentence. */
export function sentencesOf(text: string): string[] {
	const parts = text.match(/[^.!?…\n]+(?:[.!?…]+["”’)]*|\n|$)/g) ?? [];
	return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

export interface SpeakOptions {
	readonly voice: SpeechSynthesisVoice | null;
	readonly rate: number;
	/** Called once: the text was spoken, failed, or the watchdog gave up. Not after `cancel`. */
	readonly onEnd?: () => void;
}

export class SpeechVoice {
	/** Bumped by every speak and cancel: callbacks of an older speech are ignored. */
	#generation = 0;
	#watchdog: ReturnType<typeof setTimeout> | undefined;
	#speaking = false;

	get speaking(): boolean {
		return this.#speaking;
	}

	/** Speaks `text`, in place of anything being spoken. */
	speak(text: string, options: SpeakOptions): void {
		this.cancel();
		const sentences = sentencesOf(text);
		if (!speechSupported() || sentences.length === 0) {
			options.onEnd?.();
			return;
		}
		const generation = ++this.#generation;
		this.#speaking = true;
		const finish = (): void => {
			if (generation !== this.#generation || !this.#speaking) return;
			this.#speaking = false;
			clearTimeout(this.#watchdog);
			this.#watchdog = undefined;
			options.onEnd?.();
		};
		const synth = window.speechSynthesis;
		sentences.forEach((sentence, index) => {
			const utterance = new SpeechSynthesisUtterance(sentence);
			if (options.voice) {
				utterance.voice = options.voice;
				utterance.lang = options.voice.lang;
			}
			utterance.rate = options.rate;
			if (index === sentences.length - 1) utterance.onend = finish;
			utterance.onerror = finish;
			synth.speak(utterance);
		});
		const expected = (text.length / CHARACTERS_PER_SECOND / Math.max(0.1, options.rate)) * 1000;
		this.#watchdog = setTimeout(finish, expected + WATCHDOG_SLACK);
	}

	/** Stops speaking at once (speech cannot fade). */
	cancel(): void {
		this.#generation += 1;
		clearTimeout(this.#watchdog);
		this.#watchdog = undefined;
		if (this.#speaking && speechSupported()) window.speechSynthesis.cancel();
		this.#speaking = false;
	}
}
