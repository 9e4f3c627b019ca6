import { describe, expect, it } from 'vitest';
import { parsePlaylist, plannedMinutes, type SessionPlaylist } from '../../src/lib/session/playlist';
import {
	MINUTE,
	arcOf,
	giveDose,
	holdPhase,
	nextPhase,
	plannedEnd,
	releaseHold,
	sessionView,
	setMode,
	startSession,
	tick,
	type SessionState
} from '../../src/lib/session/session-clock';
import { csvCell, formatLogCsv, formatLogText, logLines, sinceDose } from '../../src/lib/session/session-log';

const track = (trackId: string) => ({ kind: 'track' as const, trackId });
const full: SessionPlaylist = {
	version: 1,
	id: 'full',
	title: 'Full medicine session',
	summary: '',
	phases: [
		{ id: 'arrival', name: 'Arrival', kind: 'arrival', minutes: 15, items: [track('a')] },
		{ id: 'onset', name: 'Onset', kind: 'onset', minutes: 20, items: [track('b')] },
		{ id: 'deepening', name: 'Deepening', kind: 'deepening', minutes: 45, items: [track('c')] },
		{ id: 'return', name: 'Return', kind: 'return', minutes: 50, items: [track('d')] },
		{ id: 'grounding', name: 'Grounding', kind: 'grounding', minutes: 50, items: [track('e')] }
	]
};

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const at = (minutes: number) => T0 + minutes * MINUTE;

describe('playlist schema', () => {
	it('accepts a well-formed playlist and totals its plan', () => {
		const result = parsePlaylist(structuredClone(full));
		expect(result).toEqual({ ok: true, value: full });
		expect(plannedMinutes(full)).toBe(180);
	});

	it.each([
		[{ ...full, version: 2 }, 'This playlist was made by another version of Grounded (version must be 1).'],
		[{ ...full, phases: [] }, 'A playlist needs at least one phase.'],
		[
			{ ...full, phases: [{ ...full.phases[0]!, minutes: 0 }] },
			'Phase 1 (“Arrival”): The planned length must be from 1 to 240 minutes.'
		],
		[
			{
				...full,
				phases: [
					full.phases[0]!,
					{ ...full.phases[1]!, items: [{ kind: 'soundscape', soundscape: 'lasers', seed: 1 }] }
				]
			},
			'Phase 2 (“Onset”), item 1: A soundscape must be one of: warm-drone, slow-pads, bowls, sea, rain.'
		],
		[{ ...full, title: '   ' }, 'The title must not be empty.'],
		[{ ...full, phases: [full.phases[0]!, full.phases[0]!] }, 'Two phases share the id “arrival”.'],
		['not a playlist', 'a value is missing or of the wrong kind.']
	])('refuses %# and names what is wrong', (input, message) => {
		const result = parsePlaylist(input);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.reason).toBe(`This playlist can’t be used. ${message}`);
	});
});

describe('session clock', () => {
	it('waits in arrival for the dose, then follows the plan minute by minute for three hours', () => {
		let state: SessionState = startSession(T0);
		const phaseAt: Record<number, string> = {};
		const changes: string[] = [];
		for (let minute = 0; minute <= 200; minute += 1) {
			if (minute === 25) {
				const dosed = giveDose(full, state, at(25));
				state = dosed.state;
				changes.push(...dosed.events.map((e) => `${(e.at - T0) / MINUTE} ${e.text}`));
			}
			const step = tick(full, state, at(minute));
			state = step.state;
			changes.push(...step.events.map((e) => `${(e.at - T0) / MINUTE} ${e.text}`));
			phaseAt[minute] = full.phases[state.phaseIndex]!.name;
		}
		// Arrival outlasts its 15-minute plan until the dose at 25.
		expect(phaseAt[20]).toBe('Arrival');
		expect(changes).toEqual([
			'25 Dose given',
			'25 Phase began with the dose: Onset',
			'45 Phase began as planned: Deepening',
			'90 Phase began as planned: Return',
			'140 Phase began as planned: Grounding'
		]);
		// Grounding, the last phase, goes on until stopped.
		expect(phaseAt[200]).toBe('Grounding');
		const view = sessionView(full, state, at(200));
		expect(view.sinceDose).toBe(175 * MINUTE);
		expect(view.phaseRemaining).toBeNull();
		expect(view.nextName).toBeNull();
	});

	it('catches up after a long sleep with each change at its planned time', () => {
		let state = giveDose(full, startSession(T0), at(0)).state;
		const step = tick(full, state, at(100));
		state = step.state;
		expect(step.events.map((e) => (e.at - T0) / MINUTE)).toEqual([20, 65]);
		expect(state.phaseStartedAt).toBe(at(65));
		expect(sessionView(full, state, at(100)).phaseRemaining).toBe(15 * MINUTE);
	});

	it('holds a phase past its plan and moves on at once when released late', () => {
		let state = giveDose(full, startSession(T0), at(0)).state; // Onset from 0 to 20
		state = holdPhase(full, state, at(10)).state;
		state = tick(full, state, at(30)).state;
		expect(full.phases[state.phaseIndex]!.name).toBe('Onset');
		expect(sessionView(full, state, at(30)).phaseRemaining).toBeNull();
		const released = releaseHold(full, state, at(30));
		expect(released.events.map((e) => e.text)).toEqual(['Hold released: Onset', 'Moved on after the hold: Deepening']);
		expect(released.state.phaseStartedAt).toBe(at(30));
		expect(plannedEnd(full, released.state)).toBe(at(75));
	});

	it('moves on by hand, and in manual mode only by hand', () => {
		let state = giveDose(full, startSession(T0), at(0)).state;
		state = nextPhase(full, state, at(5)).state;
		expect(full.phases[state.phaseIndex]!.name).toBe('Deepening');
		state = setMode(full, state, 'manual', at(6)).state;
		state = tick(full, state, at(120)).state;
		expect(full.phases[state.phaseIndex]!.name).toBe('Deepening');
		// Back to the plan long after Deepening was due to end: it moves on now, and Return gets its full length.
		state = setMode(full, state, 'auto', at(120)).state;
		state = tick(full, state, at(121)).state;
		expect(full.phases[state.phaseIndex]!.name).toBe('Return');
		expect(plannedEnd(full, state)).toBe(at(170));
		expect(nextPhase(full, { ...state, phaseIndex: 4 }, at(122)).events).toEqual([]);
	});

	it('lays the arc out: past phases as they ran, the rest as planned from now', () => {
		let state = startSession(T0);
		const history = [{ index: 0, startedAt: T0 }];
		state = giveDose(full, state, at(25)).state;
		history.push({ index: 1, startedAt: at(25) });
		expect(arcOf(full, state, history, at(30))).toEqual([
			{ index: 0, from: 0, to: 25 },
			{ index: 1, from: 25, to: 45 },
			{ index: 2, from: 45, to: 90 },
			{ index: 3, from: 90, to: 140 },
			{ index: 4, from: 140, to: 190 }
		]);
	});
});

describe('session log', () => {
	const entries = [
		{ at: at(0), kind: 'session-start' as const, text: 'Session started: Full medicine session, Arrival' },
		{ at: at(25), kind: 'dose' as const, text: 'Dose given' },
		{ at: at(26.5), kind: 'item' as const, text: 'Low Tide, "slow" version', endedAt: at(31) },
		{ at: at(40), kind: 'duck' as const, text: '=Talk-over' }
	];

	it('writes plain text with the time since the dose', () => {
		expect(formatLogText(entries, { timeZone: 'UTC', doseAt: at(25) })).toBe(
			[
				'09:00:00 [−25:00]  Session started: Full medicine session, Arrival',
				'09:25:00 [+0:00]  Dose given',
				'09:26:30 [+1:30]  Low Tide, "slow" version (until 09:31:00)',
				'09:40:00 [+15:00]  =Talk-over'
			].join('\n')
		);
		expect(sinceDose(at(25) + 3 * 3600_000 + 5000, at(25))).toBe('+3:00:05');
	});

	it('writes CSV that quotes properly and cannot start a spreadsheet formula', () => {
		const csv = formatLogCsv(entries, { timeZone: 'UTC', doseAt: at(25) });
		expect(csv.split('\r\n')).toEqual([
			'time,since_dose,kind,what,ended',
			'09:00:00,−25:00,session-start,"Session started: Full medicine session, Arrival",',
			'09:25:00,+0:00,dose,Dose given,',
			'09:26:30,+1:30,item,"Low Tide, ""slow"" version",09:31:00',
			"09:40:00,+15:00,duck,'=Talk-over,",
			''
		]);
		expect(csvCell('@x', true)).toBe("'@x");
		expect(csvCell('+1:30')).toBe('+1:30');
		expect(csvCell('plain', true)).toBe('plain');
	});

	it('gives the printed log each line’s time, time since the dose and end, oldest first', () => {
		expect(logLines(entries.slice(1, 3), { timeZone: 'UTC', doseAt: at(25) })).toEqual([
			{ at: at(25), time: '09:25:00', sinceDose: '+0:00', kind: 'dose', text: 'Dose given', until: '' },
			{
				at: at(26.5),
				time: '09:26:30',
				sinceDose: '+1:30',
				kind: 'item',
				text: 'Low Tide, "slow" version',
				until: '09:31:00'
			}
		]);
		expect(logLines(entries.slice(0, 1), { timeZone: 'UTC' })[0]).toMatchObject({ time: '09:00:00', sinceDose: '' });
	});
});

describe('curated playlists', () => {
	it('all pass the schema and tell a whole arc', async () => {
		const { CURATED_PLAYLISTS } = await import('../../src/lib/session/curated-playlists');
		expect(CURATED_PLAYLISTS.length).toBeGreaterThanOrEqual(4);
		for (const playlist of CURATED_PLAYLISTS) {
			expect(parsePlaylist(structuredClone(playlist))).toEqual({ ok: true, value: playlist });
			expect(playlist.phases.at(-1)?.kind).toBe('grounding');
		}
		const minutes = CURATED_PLAYLISTS.map(plannedMinutes);
		expect(minutes[0]).toBeGreaterThanOrEqual(120);
		expect(minutes[0]).toBeLessThanOrEqual(180);
		expect(minutes[1]).toBe(75);
		expect(minutes[2]).toBe(30);
	});
});

describe('curated tracks', () => {
	it('every playlist track exists in the catalog, with its loudness at the target', async () => {
		const { CURATED_PLAYLISTS } = await import('../../src/lib/session/curated-playlists');
		const { CURATED_TRACKS, curatedTrack } = await import('../../src/lib/music/catalog');
		expect(CURATED_TRACKS.length).toBeGreaterThanOrEqual(8);
		for (const track of CURATED_TRACKS) {
			expect(track.durationSeconds).toBeGreaterThanOrEqual(180);
			expect(Math.abs(track.loudnessLufs + 23)).toBeLessThanOrEqual(0.5);
			expect(track.file).toContain(track.sha256);
		}
		const loudness = CURATED_TRACKS.map((track) => track.loudnessLufs);
		expect(Math.max(...loudness) - Math.min(...loudness)).toBeLessThanOrEqual(1);
		expect(CURATED_TRACKS.reduce((sum, track) => sum + track.bytes, 0)).toBeLessThanOrEqual(25 * 1024 * 1024);
		for (const playlist of CURATED_PLAYLISTS) {
			for (const phase of playlist.phases) {
				for (const item of phase.items)
					if (item.kind === 'track') expect(curatedTrack(item.trackId), item.trackId).toBeDefined();
			}
		}
	});
});
