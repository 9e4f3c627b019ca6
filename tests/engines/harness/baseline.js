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
	const length = Math.min(0.4, period / 2);
	for (let i = 0; i < count; i += 1) {
		const at = start + i * period;
		const oscillator = new OscillatorNode(context, { frequency: 330 });
		const gain = new GainNode(context, { gain: 0 });
		gain.gain.setValueAtTime(0, at);
		gain.gain.linearRampToValueAtTime(0.3, at + 0.01);
		gain.gain.setValueAtTime(0.3, at + length - 0.05);
		gain.gain.linearRampToValueAtTime(0, at + length);
		oscillator.connect(gain).connect(context.destination);
		oscillator.start(at);
		oscillator.stop(at + length + 0.01);
	}
	Object.assign(window, { baselineContext: context, baselineStart: start });
});
