// The browser side of the audio tap: an init script that records what every AudioContext of the
// page sends to its speakers, with no help from the app. Plain JS so that both the Playwright
// helpers (tests/support/audio-tap.ts) and the bench (scripts/bench-live.mjs) use the same code.
// Playwright serialises the init script with toString(), so it must not use anything from outside
// its own body: the worklet's source travels in its options.

/**
 * @typedef {object} AudioTapOptions
 * @property {number} threshold An onset is the first sample whose magnitude exceeds this …
 * @property {number} minQuiet … after at least this many seconds below it.
 * @property {number} batchBlocks Block peaks are posted this many render quanta at a time.
 * @property {number} delay Seconds of audio a delay line keeps for the worklet, so that sound made
 *   while its module is still loading (a busy machine can take a few hundred ms) is not lost.
 *   Everything is reported in the context's own time, but is known only `delay` later.
 */

/** @type {AudioTapOptions} */
export const DEFAULT_TAP_OPTIONS = { threshold: 1e-4, minQuiet: 0.06, batchBlocks: 8, delay: 0.5 };

/**
 * Where the page loads the worklet from. Same-origin, because the app's Content-Security-Policy
 * (script-src 'self') refuses a blob: module; the test side answers it with a route.
 */
export const TAP_MODULE_PATH = '/__audio-tap/processor.js';

// Onset detection runs on the audio thread, on the very samples the destination receives, so a
// busy or frozen main thread cannot blur it: times are exact frames of the context's own clock.
export const TAP_PROCESSOR_SOURCE = `
class GroundedAudioTap extends AudioWorkletProcessor {
	constructor(nodeOptions) {
		super();
		const o = nodeOptions.processorOptions;
		this.threshold = o.threshold;
		this.quietNeeded = Math.round(o.minQuiet * sampleRate);
		// Every frame arrives delayFrames late through the delay line; reports undo that.
		this.delayFrames = o.delayFrames;
		// Only quiet actually heard counts, so sound already playing when the tap starts is no onset.
		this.quiet = 0;
		this.batchBlocks = o.batchBlocks;
		this.peaks = new Float32Array(o.batchBlocks);
		this.count = 0;
		this.batchStart = 0;
		this.started = false;
	}
	process(inputs) {
		if (!this.started) {
			this.started = true;
			this.port.postMessage({ type: 'ready', frame: currentFrame - this.delayFrames });
		}
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
					const frame = currentFrame + i - this.delayFrames;
					this.port.postMessage({ type: 'onset', frame, quietBefore: this.quiet / sampleRate });
				}
				this.quiet = 0;
			}
		}
		if (this.count === 0) this.batchStart = currentFrame - this.delayFrames;
		this.peaks[this.count] = blockPeak;
		this.count += 1;
		if (this.count === this.batchBlocks) {
			const peaks = this.peaks;
			this.port.postMessage({ type: 'levels', startFrame: this.batchStart, blockFrames: frames, peaks }, [peaks.buffer]);
			// The transfer detaches the old buffer; a new one takes its place.
			this.peaks = new Float32Array(this.batchBlocks);
			this.count = 0;
		}
		return true;
	}
}
registerProcessor('grounded-audio-tap', GroundedAudioTap);
`;

/**
 * @typedef {AudioTapOptions & { processorSource: string, moduleUrls: string[] }} AudioTapInit
 */

/**
 * Installs the tap in every page of `target` from now on (call before `goto`): the init script,
 * and what serves its worklet module at TAP_MODULE_PATH.
 *
 * @param {import('playwright').Page | import('playwright').BrowserContext} target
 * @param {Partial<AudioTapOptions>} [overrides]
 */
export async function installAudioTapInto(target, overrides = {}) {
	const context = 'goto' in target ? target.context() : target;
	// Served twice over, because the request takes one of two roads. When the app's service worker
	// controls the page, the worker fetches the module and Playwright's route answers (the project's
	// config sets PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS so routes see worker requests;
	// playwright #2311). Otherwise the page fetches it itself, and Playwright's routes never see a
	// worklet's module request, so the DevTools protocol's Fetch domain answers on each page.
	await context.route(`**${TAP_MODULE_PATH}`, (route) =>
		route.fulfill({ status: 200, contentType: 'text/javascript', body: TAP_PROCESSOR_SOURCE })
	);
	if ('goto' in target) {
		await serveModuleToPage(target);
	} else {
		await Promise.all(context.pages().map(serveModuleToPage));
		context.on('page', (page) => {
			// A failure here shows later, and plainly, as the tap's error on each context of that page.
			serveModuleToPage(page).catch(() => undefined);
		});
	}
	/** @type {AudioTapInit} */
	const init = {
		...DEFAULT_TAP_OPTIONS,
		...overrides,
		processorSource: TAP_PROCESSOR_SOURCE,
		moduleUrls: [TAP_MODULE_PATH]
	};
	await target.addInitScript(audioTapInitScript, init);
}

/** @param {import('playwright').Page} page */
async function serveModuleToPage(page) {
	const session = await page.context().newCDPSession(page);
	session.on('Fetch.requestPaused', (event) => {
		session
			.send('Fetch.fulfillRequest', {
				requestId: event.requestId,
				responseCode: 200,
				responseHeaders: [{ name: 'Content-Type', value: 'text/javascript' }],
				body: Buffer.from(TAP_PROCESSOR_SOURCE).toString('base64')
			})
			// The page may have closed meanwhile; nothing is waiting for the answer then.
			.catch(() => undefined);
	});
	await session.send('Fetch.enable', { patterns: [{ urlPattern: `*${TAP_MODULE_PATH}`, requestStage: 'Request' }] });
}

/**
 * The init script itself; `installAudioTapInto` passes it with its options. Afterwards the page
 * has `window.__audioTap` (see audio-tap.ts for its shape and the helpers that read it).
 *
 * @param {AudioTapInit} options
 */
export function audioTapInitScript(options) {
	const win = /** @type {Window & typeof globalThis & Record<string, unknown>} */ (window);
	if (win.__audioTap || typeof win.AudioContext !== 'function' || typeof win.AudioWorkletNode !== 'function') return;

	// A blob: module is the fallback for pages without a Content-Security-Policy and no route.
	const moduleUrls = [
		...options.moduleUrls,
		URL.createObjectURL(new Blob([options.processorSource], { type: 'text/javascript' }))
	];
	const processorOptions = {
		threshold: options.threshold,
		minQuiet: options.minQuiet,
		batchBlocks: options.batchBlocks,
		delay: options.delay
	};

	const NativeAudioContext = win.AudioContext;
	const NativeWorkletNode = win.AudioWorkletNode;
	/**
	 * connect and disconnect taken as plain functions: the patches below stand in for every overload.
	 * @typedef {(this: AudioNode, ...args: unknown[]) => unknown} AudioNodeMethod
	 * @typedef {{ connect: AudioNodeMethod, disconnect: AudioNodeMethod }} Connectable
	 */
	const proto = /** @type {Connectable} */ (/** @type {unknown} */ (AudioNode.prototype));
	const originalConnect = proto.connect;
	const originalDisconnect = proto.disconnect;

	/**
	 * @typedef {object} TapEntry
	 * @property {number} id
	 * @property {BaseAudioContext} context
	 * @property {number} sampleRate
	 * @property {number} delay seconds between a sound and its report (the delay line)
	 * @property {number} createdAt performance.now() when the context was made
	 * @property {boolean} ready true once the worklet records
	 * @property {string | null} error why the worklet could not be added, if it could not
	 * @property {number | null} coveredFrom context time of the first sample the worklet saw; negative
	 *   when it started within `delay`, i.e. it heard everything from the context's start
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

	/**
	 * Adds the worklet module from the first URL that loads.
	 * @param {AudioContext} context
	 */
	async function addTapModule(context) {
		/** @type {string[]} */
		const failures = [];
		for (const url of moduleUrls) {
			try {
				await context.audioWorklet.addModule(url);
				return;
			} catch (error) {
				failures.push(`${url}: ${String(error)}`);
			}
		}
		throw new Error(failures.join('; '));
	}

	/** @param {AudioContext} context */
	function attachTap(context) {
		// A whole number of frames, so the delay line shifts samples exactly, without interpolation.
		const delayFrames = Math.round(options.delay * context.sampleRate);
		const delay = delayFrames / context.sampleRate;
		/** @type {TapEntry} */
		const entry = {
			id: nextId++,
			context,
			sampleRate: context.sampleRate,
			delay,
			createdAt: performance.now(),
			ready: false,
			error: null,
			coveredFrom: null,
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
		const line = new DelayNode(context, { maxDelayTime: Math.max(1, delay * 2), delayTime: delay });
		// Pulled by the destination from the start (through a zero gain, so inaudible): the delay line
		// fills while the worklet module loads, and the worklet then runs every render quantum.
		const mute = new GainNode(context, { gain: 0 });
		originalConnect.call(input, line);
		originalConnect.call(line, mute);
		originalConnect.call(mute, context.destination);
		taps.set(context, { entry, input });
		addTapModule(context)
			.then(() => {
				const node = new NativeWorkletNode(context, 'grounded-audio-tap', {
					numberOfInputs: 1,
					numberOfOutputs: 1,
					outputChannelCount: [1],
					processorOptions: { ...processorOptions, delayFrames }
				});
				node.port.onmessage = (event) => {
					const data = event.data;
					if (data.type === 'onset') {
						entry.onsets.push({
							frame: data.frame,
							time: data.frame / entry.sampleRate,
							quietBefore: data.quietBefore
						});
					} else if (data.type === 'levels') {
						entry.levels.push({ startFrame: data.startFrame, blockFrames: data.blockFrames, peaks: data.peaks });
					} else if (data.type === 'ready') {
						entry.ready = true;
						entry.coveredFrom = data.frame / entry.sampleRate;
					}
				};
				originalConnect.call(line, node);
				originalConnect.call(node, mute);
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
	/** @this {AudioNode} @param {unknown[]} args */
	proto.connect = function connect(...args) {
		const result = originalConnect.apply(this, args);
		const tap = tapFor(this, args[0]);
		if (tap) {
			tap.entry.destinationConnections += 1;
			originalConnect.call(this, tap.input, args[1] ?? 0, 0);
		}
		return result;
	};
	/** @this {AudioNode} @param {unknown[]} args */
	proto.disconnect = function disconnect(...args) {
		const result = originalDisconnect.apply(this, args);
		const tap = tapFor(this, args[0]);
		if (tap) {
			try {
				if (args.length >= 2) originalDisconnect.call(this, tap.input, args[1]);
				else originalDisconnect.call(this, tap.input);
			} catch {
				// The tap's connection was already gone (an earlier full disconnect); nothing to undo.
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
