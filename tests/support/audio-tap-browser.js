// The browser side of the audio tap: an init script that records what every AudioContext of the
// page sends to its speakers, with no help from the app. Plain JS so that both the Playwright
// helpers (tests/support/audio-tap.ts) and the bench (scripts/bench-live.mjs) can pass it to
// addInitScript. Playwright serialises the function with toString(), so it must not use anything
// from outside its own body.

/**
 * @typedef {object} AudioTapOptions
 * @property {number} threshold An onset is the first sample whose magnitude exceeds this …
 * @property {number} minQuiet … after at least this many seconds below it.
 * @property {number} batchBlocks Block peaks are posted this many render quanta at a time.
 */

/** @type {AudioTapOptions} */
export const DEFAULT_TAP_OPTIONS = { threshold: 1e-4, minQuiet: 0.06, batchBlocks: 8 };

/**
 * Pass to `addInitScript(audioTapInitScript, DEFAULT_TAP_OPTIONS)`. Afterwards the page has
 * `window.__audioTap` (see audio-tap.ts for its shape and the helpers that read it).
 *
 * @param {AudioTapOptions} options
 */
export function audioTapInitScript(options) {
	const win = /** @type {Window & typeof globalThis & Record<string, unknown>} */ (window);
	if (win.__audioTap || typeof win.AudioContext !== 'function' || typeof win.AudioWorkletNode !== 'function') return;

	// Onset detection runs on the audio thread, on the very samples the destination receives, so a
	// busy or frozen main thread cannot blur it: times are exact frames of the context's own clock.
	const processorSource = `
		class GroundedAudioTap extends AudioWorkletProcessor {
			constructor(nodeOptions) {
				super();
				const o = nodeOptions.processorOptions;
				this.threshold = o.threshold;
				this.quietNeeded = Math.round(o.minQuiet * sampleRate);
				// Sound right at the start counts as an onset: the context began in silence.
				this.quiet = this.quietNeeded;
				this.batchBlocks = o.batchBlocks;
				this.peaks = new Float32Array(o.batchBlocks);
				this.count = 0;
				this.batchStart = 0;
				this.port.postMessage({ type: 'ready', frame: currentFrame, sampleRate });
			}
			process(inputs) {
				const channels = inputs[0] || [];
				const frames = channels.length > 0 ? channels[0].length : 128;
				let blockPeak = 0;
				for (let i = 0; i < frames; i += 1) {
					let magnitude = 0;
					for (let c = 0; c < channels.length; c += 1) {
						const a = Math.abs(channels[c][i]);
						if (a > magnitude) magnitude = a;
					}
					if (magnitude > blockPeak) blockPeak = magnitude;
					if (!(magnitude > this.threshold)) {
						this.quiet += 1;
					} else {
						if (this.quiet >= this.quietNeeded) {
							const frame = currentFrame + i;
							this.port.postMessage({ type: 'onset', frame, time: frame / sampleRate, quietBefore: this.quiet / sampleRate });
						}
						this.quiet = 0;
					}
				}
				if (this.count === 0) this.batchStart = currentFrame;
				this.peaks[this.count] = blockPeak;
				this.count += 1;
				if (this.count === this.peaks.length) {
					const peaks = this.peaks;
					this.port.postMessage({ type: 'levels', startFrame: this.batchStart, blockFrames: frames, peaks }, [peaks.buffer]);
					// The transfer detaches the old buffer, so its length now reads 0.
					this.peaks = new Float32Array(this.batchBlocks);
					this.count = 0;
				}
				return true;
			}
		}
		registerProcessor('grounded-audio-tap', GroundedAudioTap);
	`;
	const moduleUrl = URL.createObjectURL(new Blob([processorSource], { type: 'text/javascript' }));

	const NativeAudioContext = win.AudioContext;
	const NativeWorkletNode = win.AudioWorkletNode;
	const originalConnect = AudioNode.prototype.connect;
	const originalDisconnect = AudioNode.prototype.disconnect;

	/**
	 * @typedef {object} TapEntry
	 * @property {number} id
	 * @property {BaseAudioContext} context
	 * @property {number} sampleRate
	 * @property {number} createdAt performance.now() when the context was made
	 * @property {boolean} ready true once the worklet records
	 * @property {string | null} error why the worklet could not be added, if it could not
	 * @property {number | null} readyFrame the first frame the worklet saw
	 * @property {{ frame: number, time: number, quietBefore: number }[]} onsets
	 * @property {{ startFrame: number, blockFrames: number, peaks: Float32Array }[]} levels
	 * @property {number} destinationConnections connect() calls into the destination so far
	 */

	/** @type {Record<number, TapEntry>} */
	const contexts = {};
	/** @type {WeakMap<BaseAudioContext, { entry: TapEntry, input: GainNode }>} */
	const taps = new WeakMap();
	/** @type {{ timeStamp: number, label: string, contextTimes: Record<number, number> }[]} */
	const clicks = [];
	let nextId = 1;

	/** @param {AudioContext} context */
	function attachTap(context) {
		/** @type {TapEntry} */
		const entry = {
			id: nextId++,
			context,
			sampleRate: context.sampleRate,
			createdAt: performance.now(),
			ready: false,
			error: null,
			readyFrame: null,
			onsets: [],
			levels: [],
			destinationConnections: 0
		};
		contexts[entry.id] = entry;
		// Mix exactly as the destination does, so the tap hears what the speakers get.
		const input = new GainNode(context, {
			gain: 1,
			channelCount: context.destination.channelCount,
			channelCountMode: 'explicit',
			channelInterpretation: 'speakers'
		});
		taps.set(context, { entry, input });
		context.audioWorklet
			.addModule(moduleUrl)
			.then(() => {
				const node = new NativeWorkletNode(context, 'grounded-audio-tap', {
					numberOfInputs: 1,
					numberOfOutputs: 1,
					outputChannelCount: [1],
					processorOptions: options
				});
				node.port.onmessage = (event) => {
					const data = event.data;
					if (data.type === 'onset')
						entry.onsets.push({ frame: data.frame, time: data.time, quietBefore: data.quietBefore });
					else if (data.type === 'levels')
						entry.levels.push({ startFrame: data.startFrame, blockFrames: data.blockFrames, peaks: data.peaks });
					else if (data.type === 'ready') {
						entry.ready = true;
						entry.readyFrame = data.frame;
					}
				};
				// The destination pulls the worklet so it runs every quantum; the zero gain keeps it inaudible.
				const mute = new GainNode(context, { gain: 0 });
				originalConnect.call(input, node);
				originalConnect.call(node, mute);
				originalConnect.call(mute, context.destination);
			})
			.catch((/** @type {unknown} */ error) => {
				entry.error = String(error);
			});
	}

	class TappedAudioContext extends NativeAudioContext {
		/** @param {AudioContextOptions} [contextOptions] */
		constructor(contextOptions) {
			super(contextOptions);
			attachTap(this);
		}
	}
	win.AudioContext = TappedAudioContext;
	if ('webkitAudioContext' in win) win.webkitAudioContext = TappedAudioContext;

	/**
	 * @param {AudioNode} node
	 * @param {unknown} destination
	 */
	function tapFor(node, destination) {
		if (!(destination instanceof AudioDestinationNode) || destination !== node.context.destination) return undefined;
		return taps.get(node.context);
	}

	// Whatever reaches the destination also reaches the tap, however the app's library routes it.
	/** @type {any} - one patch must stand in for both of connect's overloads (to a node and to a param) */
	const proto = AudioNode.prototype;
	proto.connect = function connect(/** @type {any[]} */ ...args) {
		const result = originalConnect.apply(this, /** @type {any} */ (args));
		const tap = tapFor(this, args[0]);
		if (tap) {
			tap.entry.destinationConnections += 1;
			originalConnect.call(this, tap.input, args[1] ?? 0, 0);
		}
		return result;
	};
	proto.disconnect = function disconnect(/** @type {any[]} */ ...args) {
		const result = originalDisconnect.apply(this, /** @type {any} */ (args));
		const tap = tapFor(this, args[0]);
		if (tap) {
			try {
				if (args.length >= 2) originalDisconnect.call(this, tap.input, args[1], 0);
				else originalDisconnect.call(this, tap.input);
			} catch {
				// It was connected before the tap existed; nothing to undo.
			}
		}
		return result;
	};

	// The audio time of each click, read before the page's own handlers run (capture phase on window).
	win.addEventListener(
		'click',
		(event) => {
			/** @type {Record<number, number>} */
			const contextTimes = {};
			for (const entry of Object.values(contexts)) contextTimes[entry.id] = entry.context.currentTime;
			const target = /** @type {Element | null} */ (event.target);
			clicks.push({ timeStamp: event.timeStamp, label: (target?.textContent ?? '').trim(), contextTimes });
		},
		{ capture: true }
	);

	win.__audioTap = {
		contexts,
		clicks,
		/** @param {BaseAudioContext} context */
		idOf: (context) => taps.get(context)?.entry.id ?? null
	};
}
