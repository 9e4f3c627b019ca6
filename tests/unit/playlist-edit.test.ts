import { describe, expect, it } from 'vitest';
import { myVersionTitle, randomId } from '../../src/lib/names';
import { CURATED_PLAYLISTS } from '../../src/lib/session/curated-playlists';
import {
	PLAYLIST_LIMITS,
	parsePlaylist,
	type PhasePlan,
	type PlaylistItem,
	type SessionPlaylist
} from '../../src/lib/session/playlist';
import {
	addItem,
	addPhase,
	duplicatePlaylist,
	importedIdOf,
	importedItem,
	insertItem,
	insertPhase,
	isPlaylistValid,
	moved,
	moveItem,
	movePhase,
	newPhase,
	newPhaseId,
	newPlaylist,
	playlistFromTracks,
	removeItem,
	removePhase,
	trackSeconds,
	updatePhase,
	validatePlaylist
} from '../../src/lib/session/playlist-edit';
// Seeded, so that an id made from it is the same on every run.
import { mulberry32 } from '../../src/lib/music/prng';

/** A `random` that spells the given base-36 digits, one per call, and counts its calls. */
function spelling(digits: string): (() => number) & { calls: number } {
	const next = Object.assign(
		() => {
			const digit = digits[next.calls % digits.length]!;
			next.calls += 1;
			return (parseInt(digit, 36) + 0.5) / 36;
		},
		{ calls: 0 }
	);
	return next;
}

const track = (trackId: string): PlaylistItem => ({ kind: 'track', trackId });
const scape = (seed: number): PlaylistItem => ({ kind: 'soundscape', soundscape: 'rain', seed });

/** A playlist with three phases of known items, to edit. */
function sample(): SessionPlaylist {
	return {
		version: 1,
		id: 'own-sample01',
		title: 'Sample',
		summary: '',
		phases: [
			{ id: 'a', name: 'A', kind: 'arrival', minutes: 10, items: [track('t1'), track('t2'), track('t3')] },
			{ id: 'b', name: 'B', kind: 'onset', minutes: 20, items: [scape(1)] },
			{ id: 'c', name: 'C', kind: 'grounding', minutes: 30, items: [track('t4'), scape(2)] }
		]
	};
}

const trackIds = (phase: PhasePlan | undefined) =>
	phase?.items.map((item) => (item.kind === 'track' ? item.trackId : `scape:${item.seed}`));

/** The playlist is valid by `validatePlaylist` and `parsePlaylist` agrees. */
function expectValid(playlist: SessionPlaylist) {
	expect(validatePlaylist(playlist)).toEqual({ byPhase: {} });
	expect(isPlaylistValid(validatePlaylist(playlist))).toBe(true);
	expect(parsePlaylist(playlist)).toEqual({ ok: true, value: playlist });
}

describe('randomId', () => {
	it('gives the same id for the same seeded random', () => {
		expect(randomId('own', [], mulberry32(42))).toBe('own-lguo6i9m');
		expect(randomId('own', [], mulberry32(7))).toBe('own-02zpieg8');
	});

	it('draws again, eight digits at a time, while the id is taken', () => {
		const random = spelling('aaaaaaaabbbbbbbbcccccccc');
		expect(randomId('mine', ['mine-aaaaaaaa', 'mine-bbbbbbbb'], random)).toBe('mine-cccccccc');
		expect(random.calls).toBe(24);
		expect(randomId('own', new Set(['own-lguo6i9m']), mulberry32(42))).toBe('own-vh8vqb7i');
	});

	it('uses every base-36 digit, from 0 to z', () => {
		expect(randomId('x', [], () => 0)).toBe('x-00000000');
		expect(randomId('x', [], () => 0.999_999)).toBe('x-zzzzzzzz');
		expect(randomId('x', [], spelling('09az5k7q'))).toBe('x-09az5k7q');
	});

	it('makes ids of the prefix and eight base-36 digits with Math.random', () => {
		expect(randomId('own', [])).toMatch(/^own-[0-9a-z]{8}$/);
	});
});

describe('myVersionTitle', () => {
	it('adds “(my version)” when the whole fits', () => {
		expect(myVersionTitle('Full medicine session', 120)).toBe('Full medicine session (my version)');
		// 7 + 13 characters is exactly the limit.
		expect(myVersionTitle('Evening', 20)).toBe('Evening (my version)');
	});

	it('cuts the title with an ellipsis so that the whole is at most the limit', () => {
		expect(myVersionTitle('Full medicine session', 20)).toBe('Full m… (my version)');
		expect(myVersionTitle('Full medicine session', 20)).toHaveLength(20);
		// The space before the cut goes, so the ellipsis sits against the word.
		expect(myVersionTitle('Full medicine session', 19)).toBe('Full… (my version)');
		const long = 'x'.repeat(200);
		expect(myVersionTitle(long, 120)).toBe(`${'x'.repeat(106)}… (my version)`);
		expect(myVersionTitle(long, 120)).toHaveLength(120);
		expect(myVersionTitle('y'.repeat(107), 120)).toBe(`${'y'.repeat(107)} (my version)`);
		expect(myVersionTitle('y'.repeat(108), 120)).toBe(`${'y'.repeat(106)}… (my version)`);
	});
});

describe('imported items', () => {
	it('round-trips an imported track’s content id through its track id', () => {
		const item = importedItem('3f9a0c1d2e4b5a69');
		expect(item).toEqual({ kind: 'track', trackId: 'imported:3f9a0c1d2e4b5a69' });
		expect(item.kind === 'track' && importedIdOf(item.trackId)).toBe('3f9a0c1d2e4b5a69');
	});

	it('gives null for a curated track’s id', () => {
		expect(importedIdOf('arrival-harbour-first-light')).toBeNull();
		expect(importedIdOf('my-imported:3f9a')).toBeNull();
	});

	it('may stand in a playlist that parsePlaylist accepts', () => {
		expectValid(addItem(newPlaylist('own-k3x9q2ab'), 'onset', importedItem('3f9a0c1d2e4b5a69')));
	});
});

describe('newPhase and newPlaylist', () => {
	it('makes a phase of each kind with its usual length and a soundscape that suits it', () => {
		expect(newPhase('deepening', 'phase-6')).toEqual({
			id: 'phase-6',
			name: 'Deepening',
			kind: 'deepening',
			minutes: 50,
			items: [{ kind: 'soundscape', soundscape: 'slow-pads', seed: 1 }]
		});
		expect(newPhase('grounding', 'g').items).toEqual([{ kind: 'soundscape', soundscape: 'sea', seed: 1 }]);
	});

	it('makes a playlist of the whole arc that parsePlaylist accepts', () => {
		const playlist = newPlaylist('own-k3x9q2ab');
		expect(playlist.id).toBe('own-k3x9q2ab');
		expect(playlist.title).toBe('My session');
		expect(playlist.summary).toBe('');
		expect(playlist.phases).toHaveLength(5);
		expect(playlist.phases.map((phase) => [phase.id, phase.name, phase.kind, phase.minutes])).toEqual([
			['arrival', 'Arrival', 'arrival', 15],
			['onset', 'Onset', 'onset', 25],
			['deepening', 'Deepening', 'deepening', 50],
			['return', 'Return', 'return', 45],
			['grounding', 'Grounding', 'grounding', 45]
		]);
		expect(playlist.phases.map((phase) => phase.items)).toEqual([
			[{ kind: 'soundscape', soundscape: 'warm-drone', seed: 1 }],
			[{ kind: 'soundscape', soundscape: 'slow-pads', seed: 1 }],
			[{ kind: 'soundscape', soundscape: 'slow-pads', seed: 1 }],
			[{ kind: 'soundscape', soundscape: 'warm-drone', seed: 1 }],
			[{ kind: 'soundscape', soundscape: 'sea', seed: 1 }]
		]);
		expectValid(playlist);
	});
});

describe('duplicatePlaylist', () => {
	it.each(CURATED_PLAYLISTS.map((playlist) => [playlist.id, playlist] as const))(
		'copies the curated “%s” as the therapist’s own',
		(_, curated) => {
			const before = structuredClone(curated);
			const copy = duplicatePlaylist(curated, 'own-copy0001');
			expect(copy.id).toBe('own-copy0001');
			expect(copy.title).toBe(`${curated.title} (my version)`);
			expect(copy.summary).toBe(curated.summary);
			expect(copy.version).toBe(1);
			expect(copy.phases).toEqual(curated.phases);
			expectValid(copy);

			expect(copy.phases).not.toBe(curated.phases);
			copy.phases.forEach((phase, i) => {
				expect(phase).not.toBe(curated.phases[i]);
				expect(phase.items).not.toBe(curated.phases[i]!.items);
				phase.items.forEach((item, j) => expect(item).not.toBe(curated.phases[i]!.items[j]));
			});

			// Changing the copy in place leaves the curated playlist as it was.
			copy.phases[0]!.name = 'Changed';
			copy.phases[0]!.minutes = 99;
			copy.phases[0]!.items.push(importedItem('3f9a0c1d2e4b5a69'));
			(copy.phases[0]!.items[0] as { seed?: number; trackId?: string }).trackId = 'changed';
			copy.phases.pop();
			expect(curated).toEqual(before);
		}
	);

	it('keeps the title within the limit for a long title', () => {
		const long = { ...sample(), title: 'z'.repeat(PLAYLIST_LIMITS.text) };
		const copy = duplicatePlaylist(long, 'own-long0001');
		expect(copy.title).toBe(`${'z'.repeat(106)}… (my version)`);
		expectValid(copy);
	});
});

describe('moved', () => {
	const list = ['a', 'b', 'c', 'd'] as const;

	it('moves an entry forward and back', () => {
		expect(moved(list, 0, 2)).toEqual(['b', 'c', 'a', 'd']);
		expect(moved(list, 3, 1)).toEqual(['a', 'd', 'b', 'c']);
		expect(moved(list, 1, 2)).toEqual(['a', 'c', 'b', 'd']);
	});

	it('clamps the target to the list', () => {
		expect(moved(list, 0, 99)).toEqual(['b', 'c', 'd', 'a']);
		expect(moved(list, 2, -5)).toEqual(['c', 'a', 'b', 'd']);
		expect(moved(list, 3, 4)).toEqual(['a', 'b', 'c', 'd']);
	});

	it('gives an equal new list when `from` is out of range or nothing moves', () => {
		for (const [from, to] of [
			[-1, 0],
			[4, 0],
			[10, 2],
			[1, 1]
		] as const) {
			const result = moved(list, from, to);
			expect(result).toEqual(['a', 'b', 'c', 'd']);
			expect(result).not.toBe(list);
		}
		expect(moved([], 0, 0)).toEqual([]);
		expect(moved(['only'], 0, 5)).toEqual(['only']);
	});

	it('leaves the list it was given as it was', () => {
		const given = ['a', 'b', 'c'];
		moved(given, 0, 2);
		expect(given).toEqual(['a', 'b', 'c']);
	});
});

describe('item edits', () => {
	it('add, insert, remove and move change only the named phase, and never the draft given', () => {
		const draft = sample();
		const before = structuredClone(draft);
		const edits: [string, SessionPlaylist, string[]][] = [
			['add', addItem(draft, 'a', track('new')), ['t1', 't2', 't3', 'new']],
			['insert at 1', insertItem(draft, 'a', 1, track('new')), ['t1', 'new', 't2', 't3']],
			['insert before the start', insertItem(draft, 'a', -3, track('new')), ['new', 't1', 't2', 't3']],
			['insert past the end', insertItem(draft, 'a', 99, track('new')), ['t1', 't2', 't3', 'new']],
			['remove 1', removeItem(draft, 'a', 1), ['t1', 't3']],
			['remove out of range', removeItem(draft, 'a', 5), ['t1', 't2', 't3']],
			['move 0 to 2', moveItem(draft, 'a', 0, 2), ['t2', 't3', 't1']],
			['move 2 to 0', moveItem(draft, 'a', 2, 0), ['t3', 't1', 't2']]
		];
		for (const [what, result, items] of edits) {
			expect(trackIds(result.phases[0]), what).toEqual(items);
			expect(result.phases[1], what).toBe(draft.phases[1]);
			expect(result.phases[2], what).toBe(draft.phases[2]);
			expect(result.phases.map((phase) => phase.id)).toEqual(['a', 'b', 'c']);
		}
		expect(draft).toEqual(before);
	});

	it('changes nothing for a phase id the playlist does not have', () => {
		const draft = sample();
		for (const result of [
			addItem(draft, 'nope', track('new')),
			insertItem(draft, 'nope', 0, track('new')),
			removeItem(draft, 'nope', 0),
			moveItem(draft, 'nope', 0, 1)
		]) {
			expect(result).toEqual(draft);
			result.phases.forEach((phase, i) => expect(phase).toBe(draft.phases[i]));
		}
	});

	it('adds no item past the most a phase may hold', () => {
		const max = PLAYLIST_LIMITS.items.max;
		const full = sample();
		full.phases[1] = { ...full.phases[1]!, items: Array.from({ length: max }, (_, i) => scape(i)) };
		const result = addItem(full, 'b', track('one-too-many'));
		expect(result.phases[1]!.items).toHaveLength(max);
		expectValid(result);
	});

	it('keeps a full phase to the limit on insert, as on add', () => {
		const max = PLAYLIST_LIMITS.items.max;
		const full = sample();
		full.phases[1] = { ...full.phases[1]!, items: Array.from({ length: max }, (_, i) => scape(i)) };
		const result = insertItem(full, 'b', 0, track('one-too-many'));
		expect(result.phases[1]!.items).toHaveLength(max);
		expect(result.phases[1]!.items[0]).toEqual(scape(0));
		expect(parsePlaylist(result).ok).toBe(true);
		expect(isPlaylistValid(validatePlaylist(result))).toBe(true);
	});

	it('says a phase with more items than the limit is too full', () => {
		const max = PLAYLIST_LIMITS.items.max;
		const over = sample();
		over.phases[1] = { ...over.phases[1]!, items: Array.from({ length: max + 1 }, (_, i) => scape(i)) };
		expect(validatePlaylist(over).byPhase.b).toEqual({ items: 'A phase can have at most 200 items.' });
	});
});

describe('phase edits', () => {
	it('moves a phase, clamping the target', () => {
		const ids = (playlist: SessionPlaylist) => playlist.phases.map((phase) => phase.id);
		expect(ids(movePhase(sample(), 0, 2))).toEqual(['b', 'c', 'a']);
		expect(ids(movePhase(sample(), 2, -1))).toEqual(['c', 'a', 'b']);
		expect(ids(movePhase(sample(), 5, 0))).toEqual(['a', 'b', 'c']);
	});

	it('adds a phase of the kind asked for, with an id no other phase has', () => {
		const added = addPhase(sample(), 'return');
		expect(added.phases).toHaveLength(4);
		expect(added.phases[3]).toEqual(newPhase('return', 'phase-4'));
		expectValid(added);

		const taken = { ...sample(), phases: [...sample().phases, newPhase('onset', 'phase-4')] };
		expect(newPhaseId(taken)).toBe('phase-5');
		expect(addPhase(taken, 'onset').phases[4]!.id).toBe('phase-5');
		const crowded = {
			...sample(),
			phases: ['phase-4', 'phase-5', 'phase-7'].map((id) => newPhase('arrival', id))
		};
		expect(newPhaseId(crowded)).toBe('phase-6');
	});

	it('adds phases up to the most a playlist may have, each with its own id, and no more', () => {
		let playlist = newPlaylist('own-k3x9q2ab');
		for (let i = 0; i < 20; i += 1) playlist = addPhase(playlist, 'deepening');
		expect(playlist.phases).toHaveLength(PLAYLIST_LIMITS.phases.max);
		expect(playlist.phases.map((phase) => phase.id)).toEqual([
			'arrival',
			'onset',
			'deepening',
			'return',
			'grounding',
			'phase-6',
			'phase-7',
			'phase-8',
			'phase-9',
			'phase-10',
			'phase-11',
			'phase-12'
		]);
		expect(addPhase(playlist, 'onset')).toBe(playlist);
		expectValid(playlist);
	});

	it('removes a phase and puts it back where it was', () => {
		const draft = sample();
		const removed = removePhase(draft, 'b');
		expect(removed.phases.map((phase) => phase.id)).toEqual(['a', 'c']);
		expect(removePhase(draft, 'nope')).toEqual(draft);
		const restored = insertPhase(removed, 1, draft.phases[1]!);
		expect(restored).toEqual(draft);
		expect(insertPhase(removed, -4, draft.phases[1]!).phases.map((phase) => phase.id)).toEqual(['b', 'a', 'c']);
		expect(insertPhase(removed, 40, draft.phases[1]!).phases.map((phase) => phase.id)).toEqual(['a', 'c', 'b']);
		expect(draft).toEqual(sample());
	});

	it('undoing a delete after the freed id was taken again gives the phase a new id', () => {
		// Delete the sixth phase, add another (it takes the free id "phase-6"), then undo the delete.
		const six = addPhase(newPlaylist('own-k3x9q2ab'), 'deepening');
		const deleted = six.phases[5]!;
		expect(deleted.id).toBe('phase-6');
		const added = addPhase(removePhase(six, 'phase-6'), 'onset');
		const undone = insertPhase(added, 5, deleted);
		expect(undone.phases.map((phase) => phase.id)).toEqual([
			'arrival',
			'onset',
			'deepening',
			'return',
			'grounding',
			'phase-7',
			'phase-6'
		]);
		expect(undone.phases[5]).toEqual({ ...deleted, id: 'phase-7' });
		expect(parsePlaylist(undone).ok).toBe(true);
		expect(isPlaylistValid(validatePlaylist(undone))).toBe(true);
	});

	it('says when two phases share an id', () => {
		const draft = sample();
		const twins = { ...draft, phases: [draft.phases[0]!, { ...draft.phases[1]!, id: 'a' }] };
		expect(validatePlaylist(twins).phases).toBe('Two phases share the id “a”.');
		expect(isPlaylistValid(validatePlaylist(twins))).toBe(false);
	});

	it('updates the name, kind and length of one phase only', () => {
		const draft = sample();
		const result = updatePhase(draft, 'b', { name: 'Peak', kind: 'deepening', minutes: 75 });
		expect(result.phases[1]).toEqual({ id: 'b', name: 'Peak', kind: 'deepening', minutes: 75, items: [scape(1)] });
		expect(result.phases[0]).toBe(draft.phases[0]);
		expect(result.phases[2]).toBe(draft.phases[2]);
		expect(draft.phases[1]!.name).toBe('B');
		expectValid(result);
	});
});

describe('validatePlaylist', () => {
	it('finds nothing wrong with a usable draft', () => {
		expectValid(sample());
		expectValid(updatePhase(sample(), 'a', { minutes: 1 }));
		expectValid(updatePhase(sample(), 'a', { minutes: 240 }));
	});

	it('says when the title is empty or too long', () => {
		expect(validatePlaylist({ ...sample(), title: '   ' })).toEqual({
			title: 'Give the playlist a title.',
			byPhase: {}
		});
		expect(validatePlaylist({ ...sample(), title: 'x'.repeat(121) })).toEqual({
			title: 'A title can be at most 120 characters.',
			byPhase: {}
		});
		expectValid({ ...sample(), title: 'x'.repeat(120) });
	});

	it('says at the phase when its name is empty or too long', () => {
		expect(validatePlaylist(updatePhase(sample(), 'b', { name: ' ' }))).toEqual({
			byPhase: { b: { name: 'Give the phase a name.' } }
		});
		expect(validatePlaylist(updatePhase(sample(), 'b', { name: 'n'.repeat(121) }))).toEqual({
			byPhase: { b: { name: 'A name can be at most 120 characters.' } }
		});
	});

	it.each([0, 241, Number.NaN, 0.5, Number.POSITIVE_INFINITY])('says when the planned length is %s', (minutes) => {
		const draft = updatePhase(sample(), 'c', { minutes });
		const errors = validatePlaylist(draft);
		expect(errors).toEqual({ byPhase: { c: { minutes: 'The planned length must be from 1 to 240 minutes.' } } });
		expect(isPlaylistValid(errors)).toBe(false);
		expect(parsePlaylist(draft).ok).toBe(false);
	});

	it('says when a phase has nothing in it', () => {
		const draft = removeItem(sample(), 'b', 0);
		const errors = validatePlaylist(draft);
		expect(errors).toEqual({
			byPhase: { b: { items: 'Add at least one track or soundscape: a phase with nothing in it would be silent.' } }
		});
		expect(isPlaylistValid(errors)).toBe(false);
	});

	it('says when there are no phases, or too many', () => {
		const none = { ...sample(), phases: [] };
		expect(validatePlaylist(none)).toEqual({ phases: 'A playlist needs at least one phase.', byPhase: {} });
		expect(isPlaylistValid(validatePlaylist(none))).toBe(false);
		const many = {
			...sample(),
			phases: Array.from({ length: 13 }, (_, i) => newPhase('onset', `p${i}`))
		};
		expect(validatePlaylist(many)).toEqual({ phases: 'A playlist can have at most 12 phases.', byPhase: {} });
	});

	it('gathers every problem at once, each at its own field', () => {
		let draft = { ...sample(), title: '' };
		draft = updatePhase(draft, 'a', { name: '', minutes: 0 });
		draft = removeItem(draft, 'c', 0);
		draft = removeItem(draft, 'c', 0);
		const errors = validatePlaylist(draft);
		expect(errors).toEqual({
			title: 'Give the playlist a title.',
			byPhase: {
				a: { name: 'Give the phase a name.', minutes: 'The planned length must be from 1 to 240 minutes.' },
				c: { items: 'Add at least one track or soundscape: a phase with nothing in it would be silent.' }
			}
		});
		expect(isPlaylistValid(errors)).toBe(false);
	});

	it('isPlaylistValid is false for any one kind of problem', () => {
		expect(isPlaylistValid({ byPhase: {} })).toBe(true);
		expect(isPlaylistValid({ title: 'x', byPhase: {} })).toBe(false);
		expect(isPlaylistValid({ phases: 'x', byPhase: {} })).toBe(false);
		expect(isPlaylistValid({ byPhase: { a: {} } })).toBe(false);
	});
});

describe('trackSeconds', () => {
	it('sums the known lengths of the tracks, leaving out soundscapes and unknown tracks', () => {
		const lengths: Record<string, number> = { t1: 200, t2: 95.5, t4: 61 };
		const durationOf = (trackId: string) => lengths[trackId];
		const phases = sample().phases;
		expect(trackSeconds(phases[0]!, durationOf)).toBe(295.5);
		expect(trackSeconds(phases[1]!, durationOf)).toBe(0);
		expect(trackSeconds(phases[2]!, durationOf)).toBe(61);
		expect(trackSeconds(phases[0]!, () => undefined)).toBe(0);
	});
});

describe('playlistFromTracks', () => {
	it('puts the tracks in one phase as long as they are, up to the item limit', () => {
		const tracks = Array.from({ length: 205 }, (_, i) => ({
			id: i.toString(16).padStart(16, '0'),
			durationSeconds: 61
		}));
		const made = playlistFromTracks('own-k3x9q2ab', '  Evening  ', tracks);
		expect(made.title).toBe('Evening');
		expect(made.phases).toHaveLength(1);
		expect(made.phases[0]!.items).toHaveLength(PLAYLIST_LIMITS.items.max);
		expect(made.phases[0]!.items[1]).toEqual({ kind: 'track', trackId: 'imported:0000000000000001' });
		// 200 × 61 s = 203.3 minutes, rounded up.
		expect(made.phases[0]!.minutes).toBe(204);
		expect(parsePlaylist(made).ok).toBe(true);
		expect(playlistFromTracks('own-x', '', tracks.slice(0, 1)).phases[0]!.minutes).toBe(2);
		expect(playlistFromTracks('own-x', '', tracks.slice(0, 1)).title).toBe('Your music');
	});
});
