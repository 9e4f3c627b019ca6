import { describe, expect, it } from 'vitest';
import { BUILTIN_SCRIPTS, builtinScript } from '../../src/lib/grounding/builtin-scripts';
import {
	OPEN_STEP_ESTIMATE,
	duplicateScript,
	emptyScript,
	isScriptValid,
	newStepId,
	parseScript,
	sameBackground,
	scriptPlannedSeconds,
	stepHeadline,
	validateScript,
	validateStep,
	type GroundingScript,
	type ScriptStep
} from '../../src/lib/grounding/script';

const timed = (id: string, text: string, seconds = 30): ScriptStep => ({
	id,
	text,
	timing: { kind: 'timed', seconds },
	breath: null,
	chime: false,
	background: null
});

const mine: GroundingScript = {
	version: 1,
	id: 'mine',
	title: 'My grounding',
	summary: 'Three short steps.',
	builtIn: false,
	steps: [
		{ ...timed('s1', 'Arrive here.'), chime: true },
		{ ...timed('s2', 'Take a sip of water. Continue when you have.'), timing: { kind: 'open' } },
		timed('s3', 'Feel your feet. Let them be heavy.', 60)
	]
};

/** `mine` with step 3 (index 2) changed. */
const withStep3 = (change: Record<string, unknown>) => ({
	...mine,
	steps: [mine.steps[0], mine.steps[1], { ...mine.steps[2], ...change }]
});

/** A copy with one field left out, as a hand-written file might. */
const without = (value: object, key: string) => Object.fromEntries(Object.entries(value).filter(([k]) => k !== key));

function reasonOf(input: unknown): string {
	const result = parseScript(input);
	return result.ok ? 'accepted' : result.reason;
}

describe('built-in scripts', () => {
	const ranges: Record<string, [number, number, number]> = {
		// id: [shortest, longest, planned] in seconds
		'arriving-breath': [180, 300, 250],
		'weight-of-body': [270, 330, 300],
		'orienting-room': [270, 330, 310],
		'closing-session': [480, 600, 570],
		'integration-check-in': [300, 600, 455]
	};

	it('are the five scripts, in order, with their titles', () => {
		expect(BUILTIN_SCRIPTS.map((script) => [script.id, script.title])).toEqual([
			['arriving-breath', 'Arriving with the breath'],
			['weight-of-body', 'The weight of the body'],
			['orienting-room', 'Orienting to the room'],
			['closing-session', 'Closing a medicine session'],
			['integration-check-in', 'An integration check-in']
		]);
		expect(builtinScript('orienting-room')?.steps.length).toBe(9);
		expect(builtinScript('nope')).toBeUndefined();
	});

	it.each(BUILTIN_SCRIPTS.map((script) => [script.id, script] as const))(
		'%s passes parseScript unchanged',
		(_, script) => {
			expect(parseScript(structuredClone(script))).toEqual({ ok: true, value: script });
			expect(isScriptValid(validateScript(script))).toBe(true);
		}
	);

	it.each(Object.entries(ranges))('%s lasts within its range', (id, [shortest, longest, planned]) => {
		const script = builtinScript(id)!;
		expect(scriptPlannedSeconds(script)).toBe(planned);
		expect(planned).toBeGreaterThanOrEqual(shortest);
		expect(planned).toBeLessThanOrEqual(longest);
	});

	it('chime at every first step, are built in, and use breath, open steps and soundscapes', () => {
		for (const script of BUILTIN_SCRIPTS) {
			expect(script.builtIn).toBe(true);
			expect(script.steps[0]?.chime).toBe(true);
		}
		const steps = BUILTIN_SCRIPTS.flatMap((script) => script.steps);
		expect(steps.filter((step) => step.timing.kind === 'open').map((step) => step.id)).toEqual([
			'water',
			'snack',
			'share',
			'say-intention'
		]);
		expect(steps.filter((step) => step.breath !== null).map((step) => [step.id, step.breath?.kind])).toEqual([
			['paced', 'coherent'],
			['held', 'extended-exhale'],
			['longer-out-breath', 'extended-exhale'],
			['slow-breath', 'coherent']
		]);
		const soundscapes = new Set(
			steps.map((step) => (step.background?.kind === 'soundscape' ? step.background.soundscape : null))
		);
		expect([...soundscapes].sort()).toEqual(['bowls', 'sea', 'slow-pads', 'warm-drone', null].sort());
	});

	it('closes a session in the order water, snack, weight, orienting, words', () => {
		const ids = builtinScript('closing-session')!.steps.map((step) => step.id);
		const order = ['water', 'snack', 'weight', 'orient', 'first-words'].map((id) => ids.indexOf(id));
		expect(order).toEqual([1, 3, 4, 7, 9]);
	});

	it('are frozen, so a caller cannot change them by mistake', () => {
		const script = BUILTIN_SCRIPTS[0]!;
		expect(Object.isFrozen(script.steps[0]!.timing)).toBe(true);
		expect(() => {
			script.steps[0]!.text = 'changed';
		}).toThrow(TypeError);
	});
});

describe('parseScript', () => {
	it('accepts a well-formed script, trims text, and fills in what a step leaves out', () => {
		const bare = {
			version: 1,
			id: 'bare',
			title: '  Bare  ',
			steps: [{ id: 'only', text: '  Just this. ', timing: { kind: 'timed', seconds: 1 }, extra: 'dropped' }]
		};
		expect(parseScript(bare)).toEqual({
			ok: true,
			value: {
				version: 1,
				id: 'bare',
				title: 'Bare',
				summary: '',
				builtIn: false,
				steps: [
					{
						id: 'only',
						text: 'Just this.',
						timing: { kind: 'timed', seconds: 1 },
						breath: null,
						chime: false,
						background: null
					}
				]
			}
		});
		expect(parseScript(withStep3({ timing: { kind: 'timed', seconds: 1800 } })).ok).toBe(true);
	});

	it.each([
		[withStep3({ text: '   ' }), 'Step 3: write what this step says.'],
		[
			withStep3({ timing: { kind: 'timed', seconds: 0.5 } }),
			'Step 3 (“Feel your feet”): a step lasts from 1 second to 30 minutes.'
		],
		[
			withStep3({ timing: { kind: 'timed', seconds: 1801 } }),
			'Step 3 (“Feel your feet”): a step lasts from 1 second to 30 minutes.'
		],
		[
			withStep3({ timing: { kind: 'timed', seconds: '60' } }),
			'Step 3 (“Feel your feet”): a step’s length must be a number of seconds.'
		],
		[
			withStep3({ timing: { kind: 'later' } }),
			'Step 3 (“Feel your feet”): a step is either timed or open (“continue when ready”).'
		],
		[withStep3({ text: 'x'.repeat(2001) }), `Step 3 (“${'x'.repeat(40)}…”): a step can say at most 2,000 characters.`],
		[withStep3({ id: 'step 3' }), 'Step 3 (“Feel your feet”): a step’s id can use only letters, digits, “-” and “_”.'],
		[
			withStep3({ breath: { kind: 'coherent', breathsPerMinute: 9 } }),
			'Step 3 (“Feel your feet”): breaths a minute can be from 3 to 7.'
		],
		[
			withStep3({ breath: { kind: 'custom', durations: { inhale: 0.5, holdIn: 0, exhale: 6, holdOut: 0 } } }),
			'Step 3 (“Feel your feet”): breathing in can be from 1 to 20 seconds.'
		],
		[
			withStep3({ breath: { kind: 'custom', durations: { inhale: 4, exhale: 6 } } }),
			'Step 3 (“Feel your feet”): the hold after breathing in needs a number of seconds.'
		],
		[
			withStep3({ breath: { kind: 'panting' } }),
			'Step 3 (“Feel your feet”): this breathing pattern isn’t one Grounded knows.'
		],
		[
			withStep3({ timing: { kind: 'timed', seconds: 10 }, breath: { kind: 'box' } }),
			'Step 3 (“Feel your feet”): with this breathing pattern, a step lasts at least one full breath (16 seconds).'
		],
		[
			withStep3({ background: { kind: 'soundscape', soundscape: 'lasers', seed: 1 } }),
			'Step 3 (“Feel your feet”): a soundscape must be one of: warm-drone, slow-pads, bowls, sea, rain.'
		],
		[
			withStep3({ background: { kind: 'soundscape', soundscape: 'sea', seed: 1.5 } }),
			'Step 3 (“Feel your feet”): a soundscape’s seed must be a whole number.'
		],
		[withStep3({ chime: 'yes' }), 'Step 3 (“Feel your feet”): whether a step chimes must be true or false.'],
		[
			{ ...mine, steps: [mine.steps[0], 'a step'] },
			'Step 2: each step must be a set of fields: an id, its text and its timing.'
		],
		[
			{ ...mine, steps: Array.from({ length: 101 }, (_, i) => timed(`s${i}`, 'Breathe.')) },
			'A script can have at most 100 steps.'
		],
		[{ ...mine, steps: [] }, 'A script needs at least one step.'],
		[
			{ ...mine, steps: [mine.steps[0], mine.steps[1], { ...mine.steps[2], id: 's1' }] },
			'Two steps share the id “s1”.'
		],
		[{ ...mine, version: 2 }, 'This script was made by another version of Grounded (version must be 1).'],
		[{ ...mine, title: ' ' }, 'The script needs a title.'],
		[{ ...mine, summary: 's'.repeat(401) }, 'The summary can be at most 400 characters.'],
		['a script', 'It isn’t a grounding script.'],
		[null, 'It isn’t a grounding script.'],
		[[mine], 'It isn’t a grounding script.']
	])('refuses %# and names the place and the field', (input, message) => {
		expect(reasonOf(input)).toBe(`This script can’t be used. ${message}`);
	});

	it('names a missing field', () => {
		const noTiming = without(mine.steps[2]!, 'timing');
		expect(reasonOf({ ...mine, steps: [mine.steps[0], mine.steps[1], noTiming] })).toBe(
			'This script can’t be used. Step 3 (“Feel your feet”): the timing (timed or open) is missing.'
		);
		expect(reasonOf(withStep3({ timing: { kind: 'timed' } }))).toBe(
			'This script can’t be used. Step 3 (“Feel your feet”): the length in seconds is missing.'
		);
		expect(reasonOf(without(mine, 'id'))).toBe('This script can’t be used. The id is missing.');
		expect(reasonOf(without(mine, 'steps'))).toBe('This script can’t be used. The list of steps is missing.');
	});

	it('accepts exactly 100 steps', () => {
		const steps = Array.from({ length: 100 }, (_, i) => timed(`s${i}`, 'Breathe.'));
		expect(parseScript({ ...mine, steps }).ok).toBe(true);
	});
});

describe('stepHeadline', () => {
	it('names a step by its first sentence, cut at a word near 40 characters', () => {
		expect(stepHeadline('  Feel your feet. Let them be heavy.')).toBe('Feel your feet');
		expect(stepHeadline('Notice the places where your body touches the chair and the floor.')).toBe(
			'Notice the places where your body…'
		);
		expect(stepHeadline('')).toBe('');
	});
});

describe('validateStep', () => {
	it('finds nothing wrong with a good step, timed or open, with or without a pacer', () => {
		expect(validateStep(mine.steps[2]!)).toEqual({});
		expect(validateStep({ ...mine.steps[1]!, breath: { kind: 'box' } })).toEqual({});
		expect(validateStep({ ...timed('b', 'Breathe.', 16), breath: { kind: 'box' } })).toEqual({});
	});

	it('puts each message at its field', () => {
		expect(validateStep({ ...timed('a', ' \n '), timing: { kind: 'timed', seconds: 2000 } })).toEqual({
			text: 'Write what this step says.',
			seconds: 'A step lasts from 1 second to 30 minutes.'
		});
		expect(validateStep(timed('a', 'Breathe.', 0.5))).toEqual({ seconds: 'A step lasts from 1 second to 30 minutes.' });
		expect(validateStep(timed('a', 'Breathe.', Number.NaN))).toEqual({
			seconds: 'A step’s length must be a number of seconds.'
		});
		expect(validateStep({ ...timed('a', 'Breathe.'), breath: { kind: 'coherent', breathsPerMinute: 8 } })).toEqual({
			breath: 'Breaths a minute can be from 3 to 7.'
		});
		expect(
			validateStep({
				...timed('a', 'Breathe.'),
				breath: { kind: 'custom', durations: { inhale: 4, holdIn: 1.25, exhale: 6, holdOut: 0 } }
			})
		).toEqual({ breath: 'The hold after breathing in can be set to a tenth of a second, for example 4.5.' });
		expect(
			validateStep({ ...timed('a', 'Breathe.', 10), breath: { kind: 'coherent', breathsPerMinute: 5.5 } })
		).toEqual({
			seconds: 'With this breathing pattern, a step lasts at least one full breath (11 seconds).'
		});
		expect(
			validateStep({ ...timed('a', 'Breathe.'), background: { kind: 'soundscape', soundscape: 'sea', seed: -1 } })
		).toEqual({ background: 'A soundscape’s seed must be 0 or more.' });
		expect(validateStep({ ...timed('', 'Breathe.'), background: { kind: 'track', trackId: ' ' } })).toEqual({
			id: 'A step’s id must not be empty.',
			background: 'A track’s id must not be empty.'
		});
	});
});

describe('validateScript', () => {
	it('gathers the problems by field and by step id', () => {
		const errors = validateScript({
			...mine,
			title: '',
			steps: [mine.steps[0]!, { ...mine.steps[1]!, text: '' }, { ...mine.steps[2]!, id: 's1', text: 'x'.repeat(2001) }]
		});
		expect(errors).toEqual({
			title: 'The script needs a title.',
			steps: 'Two steps share the id “s1”.',
			stepErrors: {
				s2: { text: 'Write what this step says.' },
				s1: { text: 'A step can say at most 2,000 characters.' }
			}
		});
		expect(isScriptValid(errors)).toBe(false);
		expect(validateScript(mine)).toEqual({ stepErrors: {} });
		expect(isScriptValid(validateScript(mine))).toBe(true);
	});

	it('counts the steps', () => {
		expect(validateScript({ ...mine, steps: [] }).steps).toBe('A script needs at least one step.');
		const many = Array.from({ length: 101 }, (_, i) => timed(`s${i}`, 'Breathe.'));
		expect(validateScript({ ...mine, steps: many }).steps).toBe('A script can have at most 100 steps.');
	});
});

describe('helpers', () => {
	it('plans open steps at the documented estimate', () => {
		expect(OPEN_STEP_ESTIMATE).toBe(30);
		expect(scriptPlannedSeconds(mine)).toBe(30 + 30 + 60);
	});

	it('makes step ids that no step has, from the random source it is given', () => {
		const draws = [0, 0, 0.5];
		const random = () => draws.shift()!;
		expect(newStepId(['step-000000', 's1'], random)).toBe('step-i00000');
		expect(draws).toEqual([]);
		expect(newStepId([])).toMatch(/^step-[0-9a-z]{6}$/);
	});

	it('duplicates a script as a new one of the person’s own, with the same steps', () => {
		const source = builtinScript('weight-of-body')!;
		const copy = duplicateScript(source, 'my-weight', 'My weight of the body');
		expect(copy).toEqual({ ...source, id: 'my-weight', title: 'My weight of the body', builtIn: false });
		copy.steps[0]!.text = 'Changed.';
		expect(source.steps[0]!.text).toBe(
			'Find a way of sitting or lying that is comfortable enough. You can move at any time.'
		);
		expect(parseScript(copy).ok).toBe(true);
	});

	it('starts an empty script as a draft the editor must fill', () => {
		const draft = emptyScript('new-one');
		expect(draft).toEqual({
			version: 1,
			id: 'new-one',
			title: '',
			summary: '',
			builtIn: false,
			steps: [
				{ id: 'step-1', text: '', timing: { kind: 'timed', seconds: 60 }, breath: null, chime: true, background: null }
			]
		});
		expect(validateScript(draft)).toEqual({
			title: 'The script needs a title.',
			stepErrors: { 'step-1': { text: 'Write what this step says.' } }
		});
		expect(reasonOf(draft)).toBe('This script can’t be used. The script needs a title.');
	});

	it('tells when two steps share a background, so it can carry on', () => {
		const sea = { kind: 'soundscape', soundscape: 'sea', seed: 11 } as const;
		expect(sameBackground(sea, { ...sea })).toBe(true);
		expect(sameBackground(sea, { ...sea, seed: 12 })).toBe(false);
		expect(sameBackground(sea, null)).toBe(false);
		expect(sameBackground(null, null)).toBe(true);
		expect(sameBackground({ kind: 'track', trackId: 'a' }, { kind: 'track', trackId: 'a' })).toBe(true);
		expect(sameBackground({ kind: 'track', trackId: 'a' }, sea)).toBe(false);
	});
});
