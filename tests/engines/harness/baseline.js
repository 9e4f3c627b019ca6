// The baseline for cue timing: the least a page can do to beep on the audio clock. On "Begin" it
// schedules every beep at once, `period` apart, each a 10 ms linear rise, a hold and a linear fall
// on a GainNode, so that the recorded onsets show the engine's own jitter, apart from the app's.
// The period and count come from the address: baseline.html?period=5.45&count=11.
const params = new URLSearchParams(location.search);
const period = Number(params.get('period') ?? '1');
const count = Number(params.get('count') ?? '10');

document.getElementById('start')?.addEventListener('click', () => {
	const context = new AudioContext({ latencyHint: 'playback' });
	const start = context.currentTime + Number(params.get('lead') ?? '0.5');
	// shape=soft: the pacer's own soft tone instead (cue-voices.ts scheduleToneCue): a 120 ms rise,
	// a pitch glide up for "in" and down for "out", different partials and peaks, the tone filling
	// most of the phase. The same envelope on a bare page tells the engine's part from the app's.
	const soft = params.get('shape') === 'soft';
	// length=<seconds>: every sound held that long, whatever its shape (a beep held through the phase
	// tells whether an engine's error follows the sound's length rather than its envelope).
	const length = params.get('length')
		? Number(params.get('length'))
		: soft
			? Math.max(0.35, period - 0.3)
			: Math.min(0.4, period / 2);
	/** @type {[{ from: number; to: number; peak: number; partials: number[] }, { from: number; to: number; peak: number; partials: number[] }]} */
	const glides = [
		{ from: 220, to: 329.63, peak: 0.32, partials: [0, 1, 0.22, 0.06] },
		{ from: 293.66, to: 196, peak: 0.3, partials: [0, 1, 0.1] }
	];
	for (let i = 0; i < count; i += 1) {
		const at = start + i * period;
		const glide = i % 2 === 0 ? glides[0] : glides[1];
		const oscillator = new OscillatorNode(context, { frequency: soft ? glide.from : 330 });
		const gain = new GainNode(context, { gain: 0 });
		gain.gain.setValueAtTime(0, at);
		if (soft) {
			const wave = new Float32Array(glide.partials);
			oscillator.setPeriodicWave(context.createPeriodicWave(wave, new Float32Array(wave.length)));
			oscillator.frequency.setValueAtTime(glide.from, at);
			oscillator.frequency.exponentialRampToValueAtTime(glide.to, at + length);
			const release = Math.min(0.9, length * 0.4);
			gain.gain.linearRampToValueAtTime(glide.peak, at + 0.12);
			gain.gain.linearRampToValueAtTime(glide.peak * 0.8, at + length - release);
		} else {
			gain.gain.linearRampToValueAtTime(0.3, at + 0.01);
			gain.gain.setValueAtTime(0.3, at + length - 0.05);
		}
		gain.gain.linearRampToValueAtTime(0, at + length);
		oscillator.connect(gain).connect(context.destination);
		oscillator.start(at);
		oscillator.stop(at + length + 0.02);
	}
	Object.assign(window, { baselineContext: context, baselineStart: start });
});
