// @ts-check
// The curated set: two tracks per phase of a KAP session. Every key uses the notes of a
// major scale with one to three sharps (G, D or A major), so any two tracks differ by at
// most two notes and a crossfade between them never clashes. Each id seeds that track's randomness: changing an id changes its music.

/** @type {import('./compose.js').TrackSpec[]} */
export const TRACKS = [
	{
		id: 'arrival-harbour-first-light',
		title: 'Harbour at First Light',
		mood: 'warm, settling, unhurried',
		phase: 'arrival',
		seconds: 205,
		tonic: 38, // D2, D Mixolydian
		mode: 'mixolydian'
	},
	{
		id: 'arrival-still-meadow',
		title: 'Still Meadow',
		mood: 'spacious, soft, welcoming',
		phase: 'arrival',
		seconds: 195,
		tonic: 45, // A2, A Mixolydian
		mode: 'mixolydian',
		brightness: 0.9
	},
	{
		id: 'onset-opening-sky',
		title: 'Opening Sky',
		mood: 'gently widening, luminous',
		phase: 'onset',
		seconds: 200,
		tonic: 38, // D2, D Lydian
		mode: 'lydian'
	},
	{
		id: 'onset-slow-tidewater',
		title: 'Slow Tidewater',
		mood: 'unfolding, buoyant, calm',
		phase: 'onset',
		seconds: 205,
		tonic: 45, // A2, A Mixolydian
		mode: 'mixolydian',
		brightness: 0.9
	},
	{
		id: 'deepening-wide-horizon',
		title: 'Wide Horizon',
		mood: 'vast, enveloping, drifting',
		phase: 'deepening',
		seconds: 210,
		tonic: 38, // D2, D Lydian
		mode: 'lydian'
	},
	{
		id: 'deepening-cloudlight',
		title: 'Cloudlight',
		mood: 'rich, slowly turning, open',
		phase: 'deepening',
		seconds: 200,
		tonic: 43, // G2, G Lydian
		mode: 'lydian',
		brightness: 0.9,
		chordSeconds: [12, 20]
	},
	{
		id: 'return-evening-field',
		title: 'Evening Field',
		mood: 'thinning, warm, descending',
		phase: 'return',
		seconds: 195,
		tonic: 36, // C2, C Lydian
		mode: 'lydian'
	},
	{
		id: 'return-homeward-dusk',
		title: 'Homeward Dusk',
		mood: 'low, tender, resolving',
		phase: 'return',
		seconds: 200,
		tonic: 38, // D2, D Mixolydian
		mode: 'mixolydian',
		brightness: 0.9
	},
	{
		id: 'grounding-bowls-by-the-shore',
		title: 'Bowls by the Shore',
		mood: 'close, simple, present',
		phase: 'grounding',
		seconds: 195,
		tonic: 38, // D2, D major pentatonic bowls
		mode: 'ionian',
		bed: 'sea'
	},
	{
		id: 'grounding-quiet-rain',
		title: 'Quiet Rain, Warm Room',
		mood: 'steady, sheltered, near',
		phase: 'grounding',
		seconds: 195,
		tonic: 43, // G2, G major pentatonic bowls
		mode: 'ionian',
		bed: 'rain'
	}
];
