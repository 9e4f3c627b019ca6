/**
 * The owner of the session-music AudioContext: the one place that plays the
 * music of a session on the therapist's console, from recorded tracks and
 * generative soundscapes, with equal-power crossfades between any two items.
 *
 * The graph, made once and kept for the whole session:
 *
 *     track deck 1 ─┐
 *     track deck 2 ─┤
 *     soundscape 1 ─┼─▶ duck gain ─▶ master gain ─▶ destination
 *     soundscape 2 ─┘
 *
 * Each track's <audio> element (howler, `html5: true`) feeds its deck through a
 * MediaElementAudioSourceNode, because element volume is read-only on iOS
 * (howler #932, #1474). Every gain change is automation on the audio clock;
 * page timers only *check* things (near the end? faded out yet?) and release
 * what has gone silent.
 *
 * Music has a context of its own, apart from the breath cues' Tone context
 * (`CueEngine`), so neither can suspend the other.
 *
 * This engine is the only html5 user of howler. Any other howler sound (voice
 * clips: voice/clip-player.ts) must stay in Web Audio mode, which never draws
 * on howler's pool of media elements: between tracks an element this engine
 * has captured goes back to that pool, and an html5 Howl handed it would be
 * heard only through this engine's graph (ducked, paused and faded with the
 * music) or not at all once the engine's context is closed.
 *
 * @example
 * const engine = await MusicEngine.create({ onNearEnd: (source) => void engine.play(nextAfter(source)) });
 * const started = await engine.play(firstTrack); // inside the click that starts the session
 * if (!started.ok) show(started.reason);
 * engine.duck(true); // talking over the music
 */
import { formatFromExtension } from './formats';
import { Howler } from 'howler';
import type { Result } from '../result';
import type { Seconds } from '../units';
import { loadTone } from '../audio/tone';
import { setPlaying } from '../platform/audio-activity';
import { isWebKit } from '../platform/webkit';
import { SUPERSEDED } from './deck';
import { DEFAULT_CROSSFADE, audibleFade, clampCrossfade, dbToGain, volumeToGain } from './equal-power';
import { GainFader } from './gain-fader';
import { withholdFromHowlerPool } from './howler-media';
import { SoundscapeDeck, type SoundscapeEnvironment, type SoundscapeFactory } from './soundscape-deck';
import { ElementTaps, TrackDeck } from './track-deck';
import type { MusicSource, TrackSource } from './types';

export { SUPERSEDED } from './deck';

type Deck = TrackDeck | SoundscapeDeck;

/** Ducked music sits at a quarter of its level (−12 dB): present, but under a voice. */
export const DUCK_GAIN = 0.25;
export const DUCK_RAMP: Seconds = 1.5;
export const PAUSE_FADE: Seconds = 3;
export const STOP_FADE: Seconds = 3;
/** Volume changes glide over this long rather than jump. */
const VOLUME_GLIDE: Seconds = 0.25;
/** `onNearEnd` comes this long before the crossfade must begin, so the owner has time to load the next item. */
export const NEAR_END_LEAD: Seconds = 2;
/** How often the light timer checks positions (a check only; no gain change depends on it). */
const WATCH_MS = 250;
/** A faded-out deck is released this long after its fade has ended. */
const RELEASE_MARGIN: Seconds = 0.1;
/** The test sound fades in and out like the music (equal-power), over this long each way… */
export const TEST_SOUND_FADE: Seconds = 2;
/** …and holds this long between. */
export const TEST_SOUND_HOLD: Seconds = 2;
/**
 * An open, consonant chord (A3, E4, B4: a sus2, no third), in the range a phone's or laptop's
 * speaker reproduces, so a therapist hears what the room will hear.
 */
const TEST_SOUND_CHORD: readonly number[] = [220, 329.63, 493.88];
/**
 * Each partial's amplitude: the chord sits near −23 LUFS, the level every piece of music is
 * brought to, so the test sound is as loud as the session will be at this volume.
 */
const TEST_SOUND_PARTIAL_GAIN = 0.05;
/** A music item starting cuts a test sound short with a fade this long. */
const TEST_SOUND_CUT: Seconds = 0.5;

/** AudioContext.setSinkId (Chromium 110+), which lib.dom does not type yet. */
interface ContextWithSink {
	readonly sinkId?: string | { type: 'none' };
	setSinkId?(sinkId: string): Promise<void>;
}

/** A test sound playing: its nodes, released once it has faded out. */
interface TestSound {
	readonly fader: GainFader;
	readonly oscillators: readonly OscillatorNode[];
	end: Seconds;
	timer: AudioTimer;
}

export interface PlayOptions {
	/**
	 * Start this far into a track (a resumed session); the fade-in hides the cut. By default a
	 * track starts where its own opening swell ends, since the engine's fade-in takes its place.
	 * Ignored for soundscapes.
	 */
	readonly offset?: Seconds;
	/** Crossfade length for this transition; the engine's `crossfadeSeconds` if not given. */
	readonly fade?: Seconds;
}

/** A transition that has begun: the item is playing and fading in. Times are on the audio clock. */
export interface Started {
	readonly source: MusicSource;
	readonly fadeStart: Seconds;
	readonly fadeEnd: Seconds;
}

export interface NowPlaying {
	readonly source: MusicSource;
	/** Seconds into the item. */
	readonly position: Seconds;
	/** Seconds the item lasts; undefined for soundscapes, which are endless. */
	readonly duration: Seconds | undefined;
}

export interface MusicEngineStats {
	/** Howls alive (at most one per track deck). */
	readonly liveHowls: number;
	/** Distinct media elements ever captured into the graph (small, because howler's pool reuses them). */
	readonly capturedElements: number;
	/** Soundscapes alive (at most one per slot). */
	readonly liveSoundscapes: number;
}

export interface MusicEngineOptions {
	/** A context to play in (tests); the engine makes and closes its own if not given. */
	readonly context?: AudioContext;
	/** Where the master gain goes (tests record it); the context's destination if not given. */
	readonly destination?: AudioNode;
	/** 0–1. */
	readonly volume?: number;
	readonly crossfadeSeconds?: Seconds;
	/**
	 * The current track is within `crossfadeSeconds + 2` s of its closing fade: time to `play` the
	 * next item. Once per item.
	 */
	readonly onNearEnd?: (source: MusicSource) => void;
	/** An item could not be played, or broke off while playing. The reason is in plain words. */
	readonly onFailure?: (source: MusicSource, reason: string) => void;
	/** The current track played to its end, and nothing followed it: silence until the next `play`. */
	readonly onEnded?: (source: MusicSource) => void;
	/** Howler's format hint per URL; from the extension by default (blob: URLs have none). */
	readonly formatOf?: (src: string) => string[];
	/** Makes soundscapes; `createSoundscape` from `soundscapes.ts` by default. */
	readonly createSoundscape?: SoundscapeFactory;
	/** With `createSoundscape`: seconds its soundscapes take to fade themselves in (0 if not given). */
	readonly soundscapeRise?: Seconds;
}

/** A track loading (or loaded) ahead of its play; see `MusicEngine.prepare`. */
interface PreparedTrack {
	readonly deck: TrackDeck;
	readonly key: string;
	readonly src: string;
	readonly offset: Seconds;
	readonly loading: Promise<Result<void>>;
	/** The deck's generation for this load: a different one means the deck has moved on. */
	readonly generation: number;
}

/** A pending action after a point on the audio clock; see `#after`. */
interface AudioTimer {
	cancel(): void;
}

interface AudioSessionLike {
	type: string;
}

/** Numbers each engine's name in the audio-activity registry. */
let enginesMade = 0;

function itemGain(source: MusicSource | undefined): number {
	return source?.kind === 'track' ? dbToGain(source.gainDb) : 1;
}

function sleep(seconds: Seconds): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, Math.max(0, seconds) * 1000));
}

/** The real soundscapes, loaded on the first one played (they are large, and a session may have none). */
async function loadSoundscapes(): Promise<{ create: SoundscapeFactory; rise: Seconds }> {
	const soundscapes = await import('./soundscapes');
	return { create: soundscapes.createSoundscape, rise: soundscapes.FADE_IN };
}

export class MusicEngine {
	readonly #context: AudioContext;
	readonly #ownsContext: boolean;
	readonly #options: MusicEngineOptions;
	readonly #master: GainFader;
	readonly #duck: GainFader;
	readonly #taps: ElementTaps;
	readonly #tracks: readonly [TrackDeck, TrackDeck];
	readonly #soundscapes: readonly [SoundscapeDeck, SoundscapeDeck];
	/** The item that is heard (or, paused, would be). */
	#current: Deck | undefined;
	/** Decks fading out, each with the timer that releases it once silent. */
	readonly #outgoing = new Map<Deck, AudioTimer>();
	/** A track loaded ahead of its play (see `prepare`), on a deck nobody else uses. */
	#prepared: PreparedTrack | undefined;
	/** The test sound, while it plays. */
	#testSound: TestSound | undefined;
	/** Bumped by every play, pause and stop: a pending play that sees it change is stale. */
	#request = 0;
	#inFlight = 0;
	#paused = false;
	#pauseTimer: AudioTimer | undefined;
	#pauseDone: (() => void) | undefined;
	#ducked = false;
	#volume: number;
	#crossfade: Seconds;
	/** The generation of the current deck's item that `onNearEnd` was sent for. */
	#nearEndSentFor: number | undefined;
	#environment: Promise<SoundscapeEnvironment> | undefined;
	#toneContext: import('tone').Context | undefined;
	readonly #watch: ReturnType<typeof setInterval>;
	#disposed = false;
	/** This engine's name in the audio-activity registry (an app update waits while it plays). */
	readonly #activity = `music-engine-${++enginesMade}`;
	/** See `MusicEngineOptions`; settable, so the owner can wire them after `create()`. */
	onNearEnd: ((source: MusicSource) => void) | undefined;
	onFailure: ((source: MusicSource, reason: string) => void) | undefined;
	onEnded: ((source: MusicSource) => void) | undefined;

	constructor(options: MusicEngineOptions = {}) {
		this.#options = options;
		this.onNearEnd = options.onNearEnd;
		this.onFailure = options.onFailure;
		this.onEnded = options.onEnded;
		this.#ownsContext = !options.context;
		this.#context = options.context ?? new AudioContext({ latencyHint: 'playback' });
		// Howler counts no html5 sound as playing, so 30 s into a session of tracks it would
		// suspend Howler.ctx. None of our sound goes through that context, but anything else in
		// the page that plays decoded howls would then wait on a resume (AUDIO-NOTES, auto-suspend).
		Howler.autoSuspend = false;
		this.#volume = Math.min(1, Math.max(0, options.volume ?? 1));
		this.#crossfade = clampCrossfade(options.crossfadeSeconds ?? DEFAULT_CROSSFADE);
		this.#master = new GainFader(this.#context, volumeToGain(this.#volume));
		this.#master.node.connect(options.destination ?? this.#context.destination);
		this.#duck = new GainFader(this.#context, 1);
		this.#duck.node.connect(this.#master.node);
		this.#taps = new ElementTaps(this.#context);
		const trackOptions = {
			context: this.#context,
			output: this.#duck.node,
			taps: this.#taps,
			formatOf: options.formatOf ?? formatFromExtension,
			onEnded: (deck: TrackDeck) => this.#ended(deck),
			onBroken: (deck: TrackDeck, reason: string) => this.#broken(deck, reason)
		};
		this.#tracks = [new TrackDeck(trackOptions), new TrackDeck(trackOptions)];
		const scapeOptions = {
			context: this.#context,
			output: this.#duck.node,
			environment: () => this.#soundscapeEnvironment()
		};
		this.#soundscapes = [new SoundscapeDeck(scapeOptions), new SoundscapeDeck(scapeOptions)];
		document.addEventListener('visibilitychange', this.#onWake);
		this.#context.addEventListener('statechange', this.#onWake);
		this.#watch = setInterval(() => this.#check(), WATCH_MS);
	}

	/**
	 * Makes the engine and starts its context. Call from a user gesture: only
	 * then may a context start (and iOS let media play).
	 */
	static async create(options: MusicEngineOptions = {}): Promise<MusicEngine> {
		const engine = MusicEngine.createSuspended(options);
		await engine.wake();
		return engine;
	}

	/**
	 * Makes the engine before any gesture, its context suspended (browsers start none without one),
	 * so that tracks can be `prepare`d while the person reads. The first `play` from a tap resumes it.
	 */
	static createSuspended(options: MusicEngineOptions = {}): MusicEngine {
		// Safari 16.4+: play as media, so the mute switch and the lock screen don't silence the music.
		const session = (navigator as Navigator & { audioSession?: AudioSessionLike }).audioSession;
		if (session) session.type = 'playback';
		return new MusicEngine(options);
	}

	/** The audio clock of the music. */
	get now(): Seconds {
		return this.#context.currentTime;
	}

	get current(): NowPlaying | undefined {
		const deck = this.#current;
		const source = deck?.source;
		if (!deck || !source) return undefined;
		return { source, position: deck.position(this.now), duration: deck.duration };
	}

	get ducked(): boolean {
		return this.#ducked;
	}

	get paused(): boolean {
		return this.#paused;
	}

	get volume(): number {
		return this.#volume;
	}

	get crossfadeSeconds(): Seconds {
		return this.#crossfade;
	}

	/** 0–12 s; 0 still ramps for 30 ms, never a hard cut. */
	set crossfadeSeconds(seconds: Seconds) {
		this.#crossfade = clampCrossfade(seconds);
	}

	/**
	 * Plays `source`, crossfading from whatever plays now. The new item is
	 * playing before the old one starts to fade, so there is never a gap. An
	 * item that cannot be played resolves not-ok (within about a second for a
	 * missing or broken file) and leaves the music as it was. A not-ok with
	 * reason `SUPERSEDED` means a later play, pause or stop took over.
	 */
	async play(source: MusicSource, options: PlayOptions = {}): Promise<Result<Started>> {
		if (this.#disposed) return { ok: false, reason: 'The music has been shut down.' };
		const request = ++this.#request;
		this.#inFlight += 1;
		try {
			const result = await this.#play(request, source, options);
			if (result.ok) setPlaying(this.#activity, true);
			return result;
		} finally {
			this.#inFlight -= 1;
		}
	}

	/**
	 * Loads a track ahead of its `play`, while nothing plays, so that the tap that starts the music
	 * waits only for its sound to begin, not for the file. Needs no gesture and makes no sound. The
	 * next `play` of the same source (same key, file and offset) takes it; a `play` of anything else
	 * lets it go. Keeps within the two track decks.
	 *
	 * Not in WebKit: there a track routed into a context made before the tap and resumed by it fell
	 * silent a second or two after it began, for one to six seconds (recorded at the output in
	 * WebKitGTK in every such run; never when the context and the track were made at the tap). So
	 * WebKit gets no engine before the tap (the console's choice) and no track loaded ahead.
	 */
	prepare(source: TrackSource, offset: Seconds = source.openingFade): void {
		if (this.#disposed || this.#current || isWebKit()) return;
		const held = this.#prepared;
		if (held && this.#fits(held, source, offset)) return;
		this.#dropPrepared();
		const deck = this.#tracks.find((candidate) => !candidate.busy);
		if (!deck) return;
		const loading = deck.load(source, offset);
		// load() released the deck before it began, so this is the loading item's generation.
		this.#prepared = { deck, key: source.key, src: source.src, offset, loading, generation: deck.generation };
	}

	#fits(prepared: PreparedTrack, source: TrackSource, offset: Seconds): boolean {
		return (
			prepared.key === source.key &&
			prepared.src === source.src &&
			prepared.offset === offset &&
			prepared.deck.generation === prepared.generation &&
			prepared.deck !== this.#current
		);
	}

	/** The prepared load for `source`, if that is what was prepared; anything else prepared is let go. */
	#takePrepared(source: MusicSource, offset: Seconds | undefined): PreparedTrack | undefined {
		const prepared = this.#prepared;
		if (!prepared) return undefined;
		if (source.kind === 'track' && this.#fits(prepared, source, offset ?? source.openingFade)) {
			this.#prepared = undefined;
			return prepared;
		}
		this.#dropPrepared();
		return undefined;
	}

	#dropPrepared(): void {
		const prepared = this.#prepared;
		this.#prepared = undefined;
		if (prepared && prepared.deck.generation === prepared.generation && prepared.deck !== this.#current) {
			prepared.deck.release();
		}
	}

	async #play(request: number, source: MusicSource, options: PlayOptions): Promise<Result<Started>> {
		const fade = audibleFade(options.fade ?? this.#crossfade);
		const prepared = this.#takePrepared(source, options.offset);
		const deck = prepared?.deck ?? (await this.#claimDeck(source.kind));
		if (!deck || request !== this.#request) return { ok: false, reason: SUPERSEDED };
		const loading = prepared
			? prepared.loading
			: deck.kind === 'track' && source.kind === 'track'
				? deck.load(source, options.offset ?? source.openingFade)
				: deck.kind === 'soundscape' && source.kind === 'soundscape'
					? deck.load(source)
					: Promise.resolve<Result<void>>({ ok: false, reason: 'That item does not fit this player.' });
		const generation = deck.generation;
		const mine = (): boolean => request === this.#request && deck.generation === generation && !this.#disposed;
		const loaded = await loading;
		if (!loaded.ok || !mine()) return this.#fail(deck, generation, source, loaded.ok ? SUPERSEDED : loaded.reason);
		await this.wake(true);
		const at = deck.fader.nextMoment;
		// From silence nothing fades out, so nothing waits for the track's sound to flow: the tap is heard sooner.
		const fromSilence = !this.#current || this.#paused;
		const started = deck.kind === 'track' ? await deck.start({ untilSound: !fromSilence }) : deck.start(at);
		if (!started.ok || !mine()) return this.#fail(deck, generation, source, started.ok ? SUPERSEDED : started.reason);

		// A soundscape fades itself in when it starts; the crossfade waits for it to be at
		// full level, or it would fade the old item out over a quiet new one.
		const rise = deck.kind === 'soundscape' ? deck.rise : 0;
		const fadeStart = Math.max(at + rise, deck.fader.nextMoment);
		const fadeEnd = deck.fader.fade(itemGain(source), fade, 'equal-power-in', fadeStart);
		this.#cutTestSound(fadeStart);
		const previous = this.#current;
		if (this.#paused) this.#unpause();
		// The outgoing item's fade mirrors the incoming one from the same instant: out² + in² = 1 throughout.
		if (previous && previous !== deck) this.#retire(previous, fade, fadeStart);
		this.#current = deck;
		this.#nearEndSentFor = undefined;
		return { ok: true, value: { source, fadeStart, fadeEnd } };
	}

	/**
	 * A deck of the right kind that is not the current one. An idle deck if
	 * there is one; else one still loading a superseded item; else the one still
	 * fading out from the last transition, cut with a 30 ms fade.
	 */
	async #claimDeck(kind: MusicSource['kind']): Promise<Deck | undefined> {
		const decks: readonly Deck[] = kind === 'track' ? this.#tracks : this.#soundscapes;
		const candidates = decks.filter((deck) => deck !== this.#current);
		const idle = candidates.find((deck) => !deck.busy);
		if (idle) return idle;
		const deck = candidates.find((candidate) => !this.#outgoing.has(candidate)) ?? candidates[0];
		if (!deck) return undefined;
		const timer = this.#outgoing.get(deck);
		if (timer) {
			timer.cancel();
			this.#outgoing.delete(deck);
			const end = deck.fader.fade(0, audibleFade(0), 'linear');
			const generation = deck.generation;
			await sleep(end - this.now + 0.02);
			// A later request may have claimed it meanwhile; it is theirs then.
			if (deck.generation !== generation) return undefined;
		}
		deck.release();
		return deck;
	}

	#fail(deck: Deck, generation: number, source: MusicSource, reason: string): Result<Started> {
		if (deck.generation === generation) deck.release();
		if (reason === SUPERSEDED || this.#disposed) return { ok: false, reason: SUPERSEDED };
		this.onFailure?.(source, reason);
		return { ok: false, reason };
	}

	/** Fades `deck` out from wherever it is and releases it once silent. Returns the end of the fade. */
	#retire(deck: Deck, fade: Seconds, at: Seconds): Seconds {
		this.#outgoing.get(deck)?.cancel();
		const end = deck.fader.fade(0, fade, 'equal-power-out', at);
		const generation = deck.generation;
		const timer = this.#after(end + RELEASE_MARGIN, () => {
			if (this.#outgoing.get(deck) !== timer) return;
			this.#outgoing.delete(deck);
			if (deck.generation === generation && deck !== this.#current) deck.release();
		});
		this.#outgoing.set(deck, timer);
		return end;
	}

	/**
	 * Runs `action` once the audio clock has passed `time`. Page timers only
	 * check; if the clock fell behind them (the system suspended the context
	 * mid-fade), the check comes again, so nothing is released before it is silent.
	 */
	#after(time: Seconds, action: () => void): AudioTimer {
		let handle: ReturnType<typeof setTimeout> | undefined;
		const arm = (): void => {
			handle = setTimeout(
				() => (this.now >= time || this.#context.state === 'closed' ? action() : arm()),
				Math.max(20, (time - this.now) * 1000 + 10)
			);
		};
		arm();
		return { cancel: () => clearTimeout(handle) };
	}

	/** Whether the music can be sent to a chosen speaker here (AudioContext.setSinkId). */
	get canChooseOutput(): boolean {
		return typeof (this.#context as ContextWithSink).setSinkId === 'function';
	}

	/** The speaker the music plays from: a device id, or '' for the system's choice. */
	get outputDevice(): string {
		const sink = (this.#context as ContextWithSink).sinkId;
		return typeof sink === 'string' ? sink : '';
	}

	/**
	 * Sends the music to the speaker `deviceId` ('' for the system's choice). Chromium moves a
	 * running context's sound without a gap; a device that is gone is refused and nothing changes.
	 */
	async setOutputDevice(deviceId: string): Promise<Result<void>> {
		const context = this.#context as ContextWithSink;
		if (this.#disposed || typeof context.setSinkId !== 'function')
			return { ok: false, reason: 'This browser plays through the speaker the system chooses.' };
		if (this.outputDevice === deviceId) return { ok: true, value: undefined };
		try {
			await context.setSinkId(deviceId);
			return { ok: true, value: undefined };
		} catch {
			return { ok: false, reason: 'That speaker could not be used. Check that it is on and connected.' };
		}
	}

	/**
	 * A soft chord through the music's own path (the same speaker, the session's volume), fading
	 * in and out like the music: 2 s in, 2 s held, 2 s out. Only while no music plays; music that
	 * starts cuts it short with a fade. Call from a tap: the context may only start from one.
	 * Resolves with the audio-clock times it starts and ends.
	 */
	async playTestSound(): Promise<Result<{ start: Seconds; end: Seconds }>> {
		if (this.#disposed) return { ok: false, reason: 'The music has been shut down.' };
		if (this.#current) return { ok: false, reason: 'The test sound is for before the music starts.' };
		await this.wake(true);
		if (this.#context.state !== 'running')
			return { ok: false, reason: 'This device did not let the sound start. Tap again.' };
		this.#cutTestSound(this.#master.nextMoment);
		const fader = new GainFader(this.#context, 0);
		fader.node.connect(this.#duck.node);
		const start = fader.nextMoment;
		const full = fader.fade(1, TEST_SOUND_FADE, 'equal-power-in', start);
		const end = fader.fade(0, TEST_SOUND_FADE, 'equal-power-out', full + TEST_SOUND_HOLD);
		const oscillators = TEST_SOUND_CHORD.map((frequency, i) => {
			const oscillator = this.#context.createOscillator();
			oscillator.frequency.value = frequency;
			// A few cents apart, so the chord is warm rather than a test tone.
			oscillator.detune.value = (i - 1) * 3;
			const level = this.#context.createGain();
			level.gain.value = TEST_SOUND_PARTIAL_GAIN;
			oscillator.connect(level).connect(fader.node);
			oscillator.start(start);
			oscillator.stop(end + RELEASE_MARGIN);
			return oscillator;
		});
		const sound: TestSound = { fader, oscillators, end, timer: { cancel: () => undefined } };
		this.#testSound = sound;
		setPlaying(this.#activity, true);
		this.#armTestSoundRelease(sound);
		return { ok: true, value: { start, end } };
	}

	/** Resolves once the audio clock has passed `time` (or the engine is shut down). */
	untilTime(time: Seconds): Promise<void> {
		if (this.#disposed) return Promise.resolve();
		return new Promise((resolve) => this.#after(time, resolve));
	}

	/** Whether the test sound is playing. */
	get testSoundPlaying(): boolean {
		return this.#testSound !== undefined;
	}

	#armTestSoundRelease(sound: TestSound): void {
		sound.timer.cancel();
		sound.timer = this.#after(sound.end + 2 * RELEASE_MARGIN, () => {
			sound.fader.disconnect();
			for (const oscillator of sound.oscillators) oscillator.disconnect();
			if (this.#testSound !== sound) return;
			this.#testSound = undefined;
			if (!this.#current) setPlaying(this.#activity, false);
		});
	}

	/** Fades a playing test sound out from `at`, for music (or another test sound) that starts then. */
	#cutTestSound(at: Seconds): void {
		const sound = this.#testSound;
		if (!sound || sound.end <= at) return;
		const end = sound.fader.fade(0, TEST_SOUND_CUT, 'equal-power-out', at);
		sound.end = end;
		for (const oscillator of sound.oscillators) oscillator.stop(end + RELEASE_MARGIN);
		this.#armTestSoundRelease(sound);
	}

	/** Ramps the music down to a quarter (−12 dB) over 1.5 s to talk over it, or back up. */
	duck(on: boolean): void {
		if (this.#disposed || on === this.#ducked) return;
		this.#ducked = on;
		this.#duck.fade(on ? DUCK_GAIN : 1, DUCK_RAMP, 'linear');
	}

	/** 0–1; glides there. */
	setVolume(volume: number): void {
		if (this.#disposed || !Number.isFinite(volume)) return;
		this.#volume = Math.min(1, Math.max(0, volume));
		this.#master.fade(volumeToGain(this.#volume), VOLUME_GLIDE, 'linear');
	}

	/**
	 * Fades out over 3 s, then pauses the element (and, if the engine made its
	 * context, suspends the context, which halts soundscapes and saves power).
	 * Resolves once paused, or at once if `resume`, `play` or `stop` came first.
	 */
	pause(): Promise<void> {
		if (this.#disposed || this.#paused) return Promise.resolve();
		this.#paused = true;
		this.#supersedePending();
		const at = this.#master.nextMoment;
		for (const deck of this.#outgoing.keys()) this.#retire(deck, PAUSE_FADE, at);
		const deck = this.#current;
		const end = deck ? deck.fader.fade(0, PAUSE_FADE, 'equal-power-out', at) : at;
		return new Promise((resolve) => {
			this.#pauseDone = resolve;
			this.#pauseTimer = this.#after(end + RELEASE_MARGIN, () => {
				this.#pauseTimer = undefined;
				this.#pauseDone = undefined;
				if (this.#paused && !this.#disposed) {
					this.#current?.pause(this.now);
					// Only a context we made is ours to suspend; once the outgoing decks are gone, nothing needs its clock.
					if (this.#ownsContext && this.#outgoing.size === 0) this.#context.suspend().catch(() => undefined);
					setPlaying(this.#activity, false);
				}
				resolve();
			});
		});
	}

	/** Plays on from where the music paused, fading in over 3 s. */
	async resume(): Promise<Result<void>> {
		if (this.#disposed || !this.#paused) return { ok: true, value: undefined };
		this.#unpause();
		await this.wake(true);
		const deck = this.#current;
		if (!deck) return { ok: true, value: undefined };
		const source = deck.source;
		const generation = deck.generation;
		const resumed = await deck.resume(this.now);
		if (this.#current !== deck || this.#paused) return { ok: false, reason: SUPERSEDED };
		if (!resumed.ok) {
			if (resumed.reason === SUPERSEDED) return resumed;
			if (deck.generation === generation) deck.release();
			this.#current = undefined;
			if (source) this.onFailure?.(source, resumed.reason);
			return resumed;
		}
		deck.fader.fade(itemGain(source), PAUSE_FADE, 'equal-power-in');
		setPlaying(this.#activity, true);
		return { ok: true, value: undefined };
	}

	/** Fades everything out over 3 s and releases it; resolves once released. */
	async stop(): Promise<void> {
		if (this.#disposed) return;
		this.#supersedePending();
		const request = this.#request;
		const decks = new Set(this.#outgoing.keys());
		if (this.#current) decks.add(this.#current);
		this.#current = undefined;
		if (this.#context.state !== 'running') {
			// Suspended (paused, or by the system): nothing is heard, so nothing needs fading.
			this.#unpause();
			for (const deck of decks) this.#releaseNow(deck);
			setPlaying(this.#activity, false);
			return;
		}
		this.#unpause();
		const at = this.#master.nextMoment;
		let end = at;
		for (const deck of decks) end = Math.max(end, this.#retire(deck, STOP_FADE, at));
		if (decks.size > 0) await sleep(end - this.now + 2 * RELEASE_MARGIN);
		// Silent now, unless a play came during the fade.
		if (request === this.#request) setPlaying(this.#activity, false);
	}

	/**
	 * Resumes a context the system suspended or interrupted (a call, the screen
	 * locking: howler #1660, #1771). Call it on the next tap too. While paused,
	 * the engine's own context stays suspended on purpose unless `force`.
	 */
	async wake(force = false): Promise<void> {
		if (this.#disposed || (this.#paused && !force)) return;
		const state = this.#context.state as AudioContextState | 'interrupted';
		if (state !== 'closed' && state !== 'running') {
			try {
				await this.#context.resume();
			} catch {
				// Resuming without a gesture may be refused; the next tap tries again.
			}
		}
		const deck = this.#current;
		if (deck?.kind === 'track' && !this.#paused) deck.nudge();
	}

	/** What is alive, for tests: stays within the fixed decks however many items played. */
	stats(): MusicEngineStats {
		return {
			liveHowls: this.#tracks.filter((deck) => deck.busy).length,
			capturedElements: this.#taps.captured,
			liveSoundscapes: this.#soundscapes.filter((deck) => deck.live).length
		};
	}

	/** Releases everything at once (call `stop()` first for a fade) and closes the context the engine made. */
	async dispose(): Promise<void> {
		if (this.#disposed) return;
		this.#disposed = true;
		this.#request += 1;
		setPlaying(this.#activity, false);
		clearInterval(this.#watch);
		this.#unpause();
		for (const timer of this.#outgoing.values()) timer.cancel();
		this.#outgoing.clear();
		if (this.#testSound) {
			this.#testSound.timer.cancel();
			this.#testSound.fader.disconnect();
			for (const oscillator of this.#testSound.oscillators) oscillator.disconnect();
			this.#testSound = undefined;
		}
		document.removeEventListener('visibilitychange', this.#onWake);
		this.#context.removeEventListener('statechange', this.#onWake);
		this.#current = undefined;
		for (const deck of [...this.#tracks, ...this.#soundscapes]) deck.dispose();
		// Our captured elements went back to howler's pool on unload; they must not be handed out again.
		withholdFromHowlerPool((element) => this.#taps.has(element));
		this.#duck.disconnect();
		this.#master.disconnect();
		if (this.#toneContext) {
			// Tone's dispose() closes the native context, which is only ours to close if we made it.
			if (this.#ownsContext) this.#toneContext.dispose();
			else this.#toneContext.clockSource = 'offline'; // stops its worker clock, leaves the context open
		}
		if (this.#ownsContext && this.#context.state !== 'closed') await this.#context.close().catch(() => undefined);
	}

	readonly #onWake = (): void => void this.wake();

	#unpause(): void {
		this.#paused = false;
		this.#pauseTimer?.cancel();
		this.#pauseTimer = undefined;
		this.#pauseDone?.();
		this.#pauseDone = undefined;
	}

	#releaseNow(deck: Deck): void {
		this.#outgoing.get(deck)?.cancel();
		this.#outgoing.delete(deck);
		if (deck === this.#current) this.#current = undefined;
		deck.release();
	}

	/** Pause and stop overrule a play still loading; its item will want announcing again. */
	#supersedePending(): void {
		this.#request += 1;
		if (this.#inFlight > 0) this.#nearEndSentFor = undefined;
	}

	/** The light timer: is the current track near its end? (A check; the fades are already scheduled.) */
	#check(): void {
		const deck = this.#current;
		const source = deck?.source;
		if (!deck || source?.kind !== 'track' || this.#paused) return;
		if (this.#nearEndSentFor === deck.generation) return;
		const duration = deck.duration;
		if (duration === undefined) return;
		// The crossfade ends where the track's own closing fade would begin, so the two never stack.
		const remaining = duration - source.closingFade - deck.position(this.now);
		if (remaining > this.#crossfade + NEAR_END_LEAD) return;
		this.#nearEndSentFor = deck.generation;
		this.onNearEnd?.(source);
	}

	#ended(deck: TrackDeck): void {
		const source = deck.source;
		const wasCurrent = deck === this.#current;
		this.#releaseNow(deck);
		if (wasCurrent && source) this.onEnded?.(source);
	}

	#broken(deck: TrackDeck, reason: string): void {
		const source = deck.source;
		const wasCurrent = deck === this.#current;
		this.#releaseNow(deck);
		if (wasCurrent && source) this.onFailure?.(source, reason);
	}

	#soundscapeEnvironment(): Promise<SoundscapeEnvironment> {
		this.#environment ??= (async () => {
			const injected = this.#options.createSoundscape;
			const [tone, { create, rise }] = await Promise.all([
				loadTone(),
				injected ? { create: injected, rise: this.#options.soundscapeRise ?? 0 } : loadSoundscapes()
			]);
			// A Tone context over our own native context: soundscapes share the tracks' clock
			// and graph. Never tone.setContext(): the breath-cue engine owns Tone's global context.
			const context = this.#toneContext ?? new tone.Context({ context: this.#context, latencyHint: 'playback' });
			this.#toneContext = context;
			return { tone, context, create, rise };
		})().catch((error: unknown) => {
			// A chunk that failed to load (offline before the first visit finished) may load later.
			this.#environment = undefined;
			throw error;
		});
		return this.#environment;
	}
}
