/**
 * Making and changing the therapist's own session playlists. Pure: the editor
 * calls these on a draft and shows what `validatePlaylist` finds at the field;
 * what is stored still goes through `parsePlaylist`.
 *
 * A playlist item may be a curated track (`trackId` is its catalog id), one of
 * the therapist's imported tracks (`trackId` is `imported:<content id>`), or a
 * soundscape.
 *
 * @example
 * let draft = newPlaylist('own-k3x9q2ab');
 * draft = addItem(draft, 'onset', importedItem('3f9a0c1d2e4b5a69'));
 * draft = moveItem(draft, 'onset', 1, 0);
 * validatePlaylist(draft).phases.onset?.items; // undefined: the phase has items
 */
import { myVersionTitle } from '../names';
import type { Seconds } from '../units';
import {
	PLAYLIST_LIMITS,
	PHASE_KINDS,
	type PhaseKind,
	type PhasePlan,
	type PlaylistItem,
	type SessionPlaylist
} from './playlist';
import { FALLBACK_SOUNDSCAPE } from './sequencer';

/** What a track id begins with when the track is one the therapist imported. */
export const IMPORTED_TRACK_REF = 'imported:';
/** What the ids of the therapist's own playlists begin with; curated ids never do. */
export const OWN_PLAYLIST_PREFIX = 'own';

export const PHASE_KIND_NAMES: Record<PhaseKind, string> = {
	arrival: 'Arrival',
	onset: 'Onset',
	deepening: 'Deepening',
	return: 'Return',
	grounding: 'Grounding'
};

/** The planned length a new phase of each kind starts with, as in the full curated session. */
const DEFAULT_MINUTES: Record<PhaseKind, number> = { arrival: 15, onset: 25, deepening: 50, return: 45, grounding: 45 };

export function importedItem(importedId: string): PlaylistItem {
	return { kind: 'track', trackId: `${IMPORTED_TRACK_REF}${importedId}` };
}

/** The imported track's content id, or null when the id is a curated track's. */
export function importedIdOf(trackId: string): string | null {
	return trackId.startsWith(IMPORTED_TRACK_REF) ? trackId.slice(IMPORTED_TRACK_REF.length) : null;
}

/** A phase of the given kind holding the soundscape that suits it, so that it plays from the start. */
export function newPhase(kind: PhaseKind, id: string): PhasePlan {
	return {
		id,
		name: PHASE_KIND_NAMES[kind],
		kind,
		minutes: DEFAULT_MINUTES[kind],
		items: [{ kind: 'soundscape', soundscape: FALLBACK_SOUNDSCAPE[kind], seed: 1 }]
	};
}

/** A new playlist with the whole arc, each phase a soundscape to start from. */
export function newPlaylist(id: string): SessionPlaylist {
	return {
		version: 1,
		id,
		title: 'My session',
		summary: '',
		phases: PHASE_KINDS.map((kind) => newPhase(kind, kind))
	};
}

/** A copy of any playlist (a curated one too) as the therapist's own, to adapt. */
export function duplicatePlaylist(playlist: SessionPlaylist, id: string): SessionPlaylist {
	return { ...structuredClone(playlist), id, title: myVersionTitle(playlist.title, PLAYLIST_LIMITS.text) };
}

/** A phase id none of the playlist's phases has: "phase-2", "phase-3"… */
export function newPhaseId(playlist: SessionPlaylist): string {
	const taken = new Set(playlist.phases.map((phase) => phase.id));
	for (let n = playlist.phases.length + 1; ; n += 1) if (!taken.has(`phase-${n}`)) return `phase-${n}`;
}

/** `list` with the entry at `from` moved to `to` (both clamped); the same list when nothing moves. */
export function moved<T>(list: readonly T[], from: number, to: number): T[] {
	const copy = [...list];
	if (!Number.isInteger(from) || from < 0 || from >= copy.length || Number.isNaN(to)) return copy;
	const target = Math.max(0, Math.min(copy.length - 1, to));
	const [entry] = copy.splice(from, 1);
	copy.splice(target, 0, entry!);
	return copy;
}

function withPhase(
	playlist: SessionPlaylist,
	phaseId: string,
	change: (phase: PhasePlan) => PhasePlan
): SessionPlaylist {
	return { ...playlist, phases: playlist.phases.map((phase) => (phase.id === phaseId ? change(phase) : phase)) };
}

export function addItem(playlist: SessionPlaylist, phaseId: string, item: PlaylistItem): SessionPlaylist {
	return withPhase(playlist, phaseId, (phase) =>
		phase.items.length >= PLAYLIST_LIMITS.items.max ? phase : { ...phase, items: [...phase.items, item] }
	);
}

export function removeItem(playlist: SessionPlaylist, phaseId: string, index: number): SessionPlaylist {
	return withPhase(playlist, phaseId, (phase) => ({ ...phase, items: phase.items.filter((_, i) => i !== index) }));
}

export function insertItem(
	playlist: SessionPlaylist,
	phaseId: string,
	index: number,
	item: PlaylistItem
): SessionPlaylist {
	return withPhase(playlist, phaseId, (phase) => {
		if (phase.items.length >= PLAYLIST_LIMITS.items.max) return phase;
		const items = [...phase.items];
		items.splice(Math.max(0, Math.min(items.length, index)), 0, item);
		return { ...phase, items };
	});
}

export function moveItem(playlist: SessionPlaylist, phaseId: string, from: number, to: number): SessionPlaylist {
	return withPhase(playlist, phaseId, (phase) => ({ ...phase, items: moved(phase.items, from, to) }));
}

export function movePhase(playlist: SessionPlaylist, from: number, to: number): SessionPlaylist {
	return { ...playlist, phases: moved(playlist.phases, from, to) };
}

export function addPhase(playlist: SessionPlaylist, kind: PhaseKind): SessionPlaylist {
	if (playlist.phases.length >= PLAYLIST_LIMITS.phases.max) return playlist;
	return { ...playlist, phases: [...playlist.phases, newPhase(kind, newPhaseId(playlist))] };
}

export function removePhase(playlist: SessionPlaylist, phaseId: string): SessionPlaylist {
	return { ...playlist, phases: playlist.phases.filter((phase) => phase.id !== phaseId) };
}

/** Puts a phase back at `index`; one whose id was taken in the meantime gets a new one. */
export function insertPhase(playlist: SessionPlaylist, index: number, phase: PhasePlan): SessionPlaylist {
	if (playlist.phases.length >= PLAYLIST_LIMITS.phases.max) return playlist;
	const clashes = playlist.phases.some((other) => other.id === phase.id);
	const phases = [...playlist.phases];
	phases.splice(
		Math.max(0, Math.min(phases.length, index)),
		0,
		clashes ? { ...phase, id: newPhaseId(playlist) } : phase
	);
	return { ...playlist, phases };
}

export function updatePhase(
	playlist: SessionPlaylist,
	phaseId: string,
	fields: Partial<Pick<PhasePlan, 'name' | 'kind' | 'minutes'>>
): SessionPlaylist {
	return withPhase(playlist, phaseId, (phase) => ({ ...phase, ...fields }));
}

export interface PhaseErrors {
	name?: string;
	minutes?: string;
	items?: string;
}

export interface PlaylistErrors {
	title?: string;
	/** The playlist as a whole (no phases, too many). */
	phases?: string;
	/** By phase id; a phase without problems has no entry. */
	byPhase: Record<string, PhaseErrors>;
}

/** What is wrong with a draft, in words to show at each field; every rule of `parsePlaylist` a person can break. */
export function validatePlaylist(playlist: SessionPlaylist): PlaylistErrors {
	const errors: PlaylistErrors = { byPhase: {} };
	const title = playlist.title.trim();
	if (title === '') errors.title = 'Give the playlist a title.';
	else if (title.length > PLAYLIST_LIMITS.text)
		errors.title = `A title can be at most ${PLAYLIST_LIMITS.text} characters.`;
	if (playlist.phases.length < PLAYLIST_LIMITS.phases.min) errors.phases = 'A playlist needs at least one phase.';
	if (playlist.phases.length > PLAYLIST_LIMITS.phases.max)
		errors.phases = `A playlist can have at most ${PLAYLIST_LIMITS.phases.max} phases.`;
	const ids = playlist.phases.map((phase) => phase.id);
	const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
	if (repeated !== undefined) errors.phases = `Two phases share the id “${repeated}”.`;
	for (const phase of playlist.phases) {
		const found: PhaseErrors = {};
		const name = phase.name.trim();
		if (name === '') found.name = 'Give the phase a name.';
		else if (name.length > PLAYLIST_LIMITS.text)
			found.name = `A name can be at most ${PLAYLIST_LIMITS.text} characters.`;
		const { min, max } = PLAYLIST_LIMITS.minutes;
		if (!Number.isFinite(phase.minutes) || phase.minutes < min || phase.minutes > max)
			found.minutes = `The planned length must be from ${min} to ${max} minutes.`;
		if (phase.items.length < PLAYLIST_LIMITS.items.min)
			found.items = 'Add at least one track or soundscape: a phase with nothing in it would be silent.';
		else if (phase.items.length > PLAYLIST_LIMITS.items.max)
			found.items = `A phase can have at most ${PLAYLIST_LIMITS.items.max} items.`;
		if (Object.keys(found).length > 0) errors.byPhase[phase.id] = found;
	}
	return errors;
}

export function isPlaylistValid(errors: PlaylistErrors): boolean {
	return !errors.title && !errors.phases && Object.keys(errors.byPhase).length === 0;
}

/** Seconds of recorded music in a phase, from the durations known; soundscapes fill the rest of its length. */
export function trackSeconds(phase: PhasePlan, durationOf: (trackId: string) => Seconds | undefined): Seconds {
	return phase.items.reduce((sum, item) => sum + (item.kind === 'track' ? (durationOf(item.trackId) ?? 0) : 0), 0);
}

/**
 * A session playlist of imported tracks in their order (an M3U playlist's): one phase as long as
 * the tracks, to divide into the arc in the editor. Past the item limit the rest are left out.
 * Needs at least one track.
 */
export function playlistFromTracks(
	id: string,
	title: string,
	tracks: readonly { id: string; durationSeconds: Seconds }[]
): SessionPlaylist {
	const kept = tracks.slice(0, PLAYLIST_LIMITS.items.max);
	const seconds = kept.reduce((sum, track) => sum + track.durationSeconds, 0);
	const { min, max } = PLAYLIST_LIMITS.minutes;
	const name = title.trim().slice(0, PLAYLIST_LIMITS.text) || 'Your music';
	return {
		version: 1,
		id,
		title: name,
		summary: '',
		phases: [
			{
				id: 'phase-1',
				name: 'Your music',
				kind: 'deepening',
				minutes: Math.min(max, Math.max(min, Math.ceil(seconds / 60))),
				items: kept.map((track) => importedItem(track.id))
			}
		]
	};
}
