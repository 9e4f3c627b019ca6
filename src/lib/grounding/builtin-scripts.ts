/**
 * The grounding scripts that come with Grounded. Written for the app: plain,
 * warm, second person, an invitation at every step and never a promise.
 *
 * Each first step chimes; a background soundscape carries on across steps
 * that share it (see `sameBackground`). Open steps wait for the person, and
 * count as `OPEN_STEP_ESTIMATE` in a script's planned length.
 *
 * @example
 * const script = builtinScript('closing-session'); // "Closing a medicine session", 12 steps
 */
import type { GroundingScript, ScriptStep, StepBackground } from './script';

const drone: StepBackground = { kind: 'soundscape', soundscape: 'warm-drone', seed: 3 };
const pads: StepBackground = { kind: 'soundscape', soundscape: 'slow-pads', seed: 7 };
const sea: StepBackground = { kind: 'soundscape', soundscape: 'sea', seed: 11 };
const bowls: StepBackground = { kind: 'soundscape', soundscape: 'bowls', seed: 2 };

type StepOptions = Partial<Pick<ScriptStep, 'breath' | 'chime' | 'background'>>;

function timed(id: string, seconds: number, text: string, options: StepOptions = {}): ScriptStep {
	return { id, text, timing: { kind: 'timed', seconds }, breath: null, chime: false, background: null, ...options };
}

function open(id: string, text: string, options: StepOptions = {}): ScriptStep {
	return { id, text, timing: { kind: 'open' }, breath: null, chime: false, background: null, ...options };
}

const arrivingBreath: GroundingScript = {
	version: 1,
	id: 'arriving-breath',
	title: 'Arriving with the breath',
	summary: 'A few minutes to settle, notice your breathing, and breathe slowly with a gentle pacer.',
	builtIn: true,
	steps: [
		timed(
			'arrive',
			30,
			'Welcome. Let yourself arrive here, just as you are. There is nothing you need to do right now.',
			{ chime: true, background: drone }
		),
		timed(
			'soften',
			40,
			'Let your shoulders drop a little. Let your jaw loosen. If it feels right, close your eyes, or rest them on one spot in front of you.',
			{ background: drone }
		),
		timed(
			'notice-breath',
			40,
			'Notice your breath, without changing it. Feel the air come in, and feel it leave. Notice where you feel it most: your nose, your chest, your belly.',
			{ background: drone }
		),
		timed(
			'paced',
			90,
			'Now breathe along with the sound. Slowly in, and slowly out. If a breath feels too long, take a shorter one. There is no wrong way to do this.',
			{ breath: { kind: 'coherent', breathsPerMinute: 5.5 }, chime: true, background: drone }
		),
		timed(
			'own-breath',
			30,
			'Let the pacing go, and breathe in your own way again. Notice how you feel now. Whatever is here is welcome.',
			{ background: drone }
		),
		timed('return', 20, 'When you’re ready, open your eyes and take in the room around you.', { chime: true })
	]
};

const weightOfBody: GroundingScript = {
	version: 1,
	id: 'weight-of-body',
	title: 'The weight of the body',
	summary: 'Feel where your body meets the seat, the floor and your own hands, and let the surface hold you.',
	builtIn: true,
	steps: [
		timed('settle', 30, 'Find a way of sitting or lying that is comfortable enough. You can move at any time.', {
			chime: true,
			background: pads
		}),
		timed(
			'seat',
			50,
			'Notice where your body meets what is under you: the chair, the cushion, the floor. Feel the weight of your body resting there.',
			{ background: pads }
		),
		timed(
			'feet',
			45,
			'Bring your attention to your feet. Feel them against the floor, or inside your socks or shoes. Notice warmth or coolness, and pressure. Let them be heavy.',
			{ background: pads }
		),
		timed(
			'hands',
			45,
			'Now notice your hands. Where are they resting? Feel what they touch. Let your fingers be still, or move them a little and notice that.',
			{ background: pads }
		),
		timed(
			'held',
			60,
			'Let the surface under you take your weight. You don’t have to hold yourself up. With each breath out, let yourself be a little heavier.',
			{ breath: { kind: 'extended-exhale' }, chime: true, background: pads }
		),
		timed('whole-body', 40, 'Now feel your whole body at once: heavy, supported, here.', { background: pads }),
		timed(
			'return',
			30,
			'Take a slightly deeper breath. Wiggle your fingers and toes. When you’re ready, let your eyes open.',
			{ chime: true }
		)
	]
};

// No background here: the person is listening to the room itself.
const orientingRoom: GroundingScript = {
	version: 1,
	id: 'orienting-room',
	title: 'Orienting to the room',
	summary: 'Look around slowly and name what you see, hear and feel, then rest your eyes on something pleasant.',
	builtIn: true,
	steps: [
		timed(
			'begin',
			25,
			'If your eyes are closed, let them open. There’s no hurry. You’re going to take in the room slowly.',
			{ chime: true }
		),
		timed(
			'look-around',
			40,
			'Let your head and eyes turn slowly, as if you were looking around a place for the first time. Let your gaze land wherever it wants to.'
		),
		timed(
			'see',
			45,
			'Name five things you can see. Say them quietly, or in your mind. A colour, a shape, a corner of the room.'
		),
		timed(
			'hear',
			40,
			'Now listen. Name four things you can hear: sounds close to you, and sounds further away. Even a quiet room has its own sounds.'
		),
		timed(
			'feel',
			40,
			'Name three things you can feel. The air on your skin. Your clothes. The floor or the chair beneath you.'
		),
		timed('smell', 30, 'Notice two things you can smell, or simply notice the air as you breathe in.'),
		timed('taste', 20, 'Notice one thing you can taste, even if it’s only the inside of your mouth.'),
		timed(
			'rest-eyes',
			45,
			'Now find something in the room that is pleasant to look at. A colour you like, the light, a plant, a soft shape. Let your eyes rest there.',
			{ chime: true }
		),
		timed('here', 25, 'You are here, in this room, right now. Take your time before you move on.')
	]
};

const closingSession: GroundingScript = {
	version: 1,
	id: 'closing-session',
	title: 'Closing a medicine session',
	summary:
		'Come back gently at the end of a session: water, something to eat, the weight of your body, the room, and a few first words.',
	builtIn: true,
	steps: [
		timed(
			'welcome-back',
			40,
			'The session is drawing to a close, and you are coming back to the room. Take this slowly. There is plenty of time.',
			{ chime: true, background: drone }
		),
		open(
			'water',
			'When you’re ready, take a sip of water. Feel it in your mouth, and as you swallow. Continue when you have.',
			{ chime: true, background: drone }
		),
		timed('after-water', 20, 'Notice the coolness it leaves behind. A simple, ordinary thing your body knows well.', {
			background: drone
		}),
		open(
			'snack',
			'If you’d like something to eat, have a small bite now. Notice its taste and its texture. Continue when you’re ready.',
			{ background: drone }
		),
		timed(
			'weight',
			70,
			'Feel the weight of your body in the seat, or on the mat. Let it carry you. Notice the places where you touch it.',
			{ chime: true, background: drone }
		),
		timed(
			'feet',
			45,
			'Press your feet gently into the floor, then let them rest. Feel the ground under you, solid and steady.',
			{ background: drone }
		),
		timed(
			'longer-out-breath',
			60,
			'Breathe along with the sound for a little while: in, and a longer breath out. Let each breath out settle you a little more.',
			{ breath: { kind: 'extended-exhale' }, background: drone }
		),
		timed(
			'orient',
			70,
			'Let your eyes open fully. Slowly look around the room. Notice the light, the colours, the shapes of things.',
			{ chime: true }
		),
		timed(
			'name-things',
			45,
			'Name a few things you can see, and a few you can hear. You are here, in this room, today.'
		),
		timed(
			'first-words',
			100,
			'When you feel ready, begin to put a few words to your experience. It may be an image, a feeling, or a single word. It doesn’t need to make sense yet.',
			{ chime: true, background: sea }
		),
		open(
			'share',
			'You might say it aloud to your therapist, or write it down. There’s no need to explain it all now. Continue when you’re ready.',
			{ background: sea }
		),
		timed(
			'rise-slowly',
			30,
			'Take one more easy breath. Move your hands and feet. Stay seated a little longer, and stand up slowly when you’re ready.',
			{ background: sea }
		)
	]
};

const integrationCheckIn: GroundingScript = {
	version: 1,
	id: 'integration-check-in',
	title: 'An integration check-in',
	summary:
		'A gentle body scan, a look at what has shifted since your last session, and one kind intention for the day.',
	builtIn: true,
	steps: [
		timed('arrive', 30, 'Welcome to this check-in. Find a comfortable position, and let yourself slow down a little.', {
			chime: true,
			background: bowls
		}),
		timed(
			'slow-breath',
			60,
			'Breathe along with the sound for a minute. Slow and easy. Let the day so far settle around you.',
			{ breath: { kind: 'coherent', breathsPerMinute: 5.5 }, background: bowls }
		),
		timed(
			'head',
			40,
			'Bring your attention to your head and face. Notice your forehead, your eyes, your jaw. Just notice, without needing to change anything.',
			{ background: bowls }
		),
		timed(
			'shoulders-arms',
			40,
			'Move your attention down to your neck and shoulders, then your arms and hands. Notice what feels tight and what feels soft.',
			{ background: bowls }
		),
		timed(
			'chest-belly',
			40,
			'Notice your chest and your belly as you breathe. If there is a feeling there, let it be as it is.',
			{ background: bowls }
		),
		timed(
			'legs-feet',
			40,
			'Move down through your hips and your legs, all the way to your feet. Feel them resting, and supported.',
			{ background: bowls }
		),
		timed(
			'what-shifted',
			60,
			'Think back to your last session. Has anything shifted since then: in your body, your mood, or the way you see something? Small changes count.',
			{ chime: true }
		),
		timed(
			'let-it-be',
			45,
			'Whatever you notice, let it be here. There is no right answer. You can come back to it later, or bring it to your next meeting with your therapist.'
		),
		timed(
			'intention',
			45,
			'Now choose one kind intention for today. Something small and gentle, for yourself or for someone else.',
			{ chime: true }
		),
		open('say-intention', 'Say your intention to yourself, or write it down. Continue when you’re ready.'),
		timed(
			'return',
			25,
			'Take one more breath. Notice the ground beneath you. When you’re ready, let your eyes open and return to your day.',
			{ chime: true }
		)
	]
};

/** Shared by every caller, so frozen: change a copy made with `duplicateScript`. */
function deepFreeze<T>(value: T): T {
	if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
		for (const inner of Object.values(value)) deepFreeze(inner);
		Object.freeze(value);
	}
	return value;
}

/** The built-in scripts, in the order the app lists them. */
export const BUILTIN_SCRIPTS: readonly GroundingScript[] = deepFreeze([
	arrivingBreath,
	weightOfBody,
	orientingRoom,
	closingSession,
	integrationCheckIn
]);

/** A built-in script by id, or undefined. */
export function builtinScript(id: string): GroundingScript | undefined {
	return BUILTIN_SCRIPTS.find((script) => script.id === id);
}
