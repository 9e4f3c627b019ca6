/**
 * The session playlists Grounded ships. Each follows the arc practitioners
 * describe: a sparse, warm arrival; onset widening slowly after the dose;
 * the richest, still beat-less texture while effects are strongest; a long
 * thinning return; and simple, close grounding. Track ids refer to
 * src/lib/music/curated-tracks.json; soundscapes fill the time between.
 */
import type { PlaylistItem, SessionPlaylist, SoundscapeId } from './playlist';

const track = (trackId: string): PlaylistItem => ({ kind: 'track', trackId });
const scape = (soundscape: SoundscapeId, seed: number): PlaylistItem => ({ kind: 'soundscape', soundscape, seed });

export const CURATED_PLAYLISTS: readonly SessionPlaylist[] = [
	{
		version: 1,
		id: 'full-medicine-session',
		title: 'Full medicine session',
		summary: 'About three hours: arrival, onset after the dose, a long deepening, return, and grounding.',
		phases: [
			{
				id: 'arrival',
				name: 'Arrival',
				kind: 'arrival',
				minutes: 15,
				items: [
					track('arrival-harbour-first-light'),
					scape('warm-drone', 11),
					track('arrival-still-meadow'),
					scape('warm-drone', 12)
				]
			},
			{
				id: 'onset',
				name: 'Onset',
				kind: 'onset',
				minutes: 25,
				items: [
					track('onset-opening-sky'),
					scape('slow-pads', 21),
					track('onset-slow-tidewater'),
					scape('slow-pads', 22)
				]
			},
			{
				id: 'deepening',
				name: 'Deepening',
				kind: 'deepening',
				minutes: 50,
				items: [
					track('deepening-wide-horizon'),
					scape('slow-pads', 31),
					track('deepening-cloudlight'),
					scape('slow-pads', 32)
				]
			},
			{
				id: 'return',
				name: 'Return',
				kind: 'return',
				minutes: 45,
				items: [
					track('return-evening-field'),
					scape('warm-drone', 41),
					track('return-homeward-dusk'),
					scape('warm-drone', 42)
				]
			},
			{
				id: 'grounding',
				name: 'Grounding',
				kind: 'grounding',
				minutes: 45,
				items: [
					track('grounding-bowls-by-the-shore'),
					scape('sea', 51),
					track('grounding-quiet-rain'),
					scape('bowls', 52)
				]
			}
		]
	},
	{
		version: 1,
		id: 'psycholytic-session',
		title: 'Shorter psycholytic session',
		summary: 'About 75 minutes, for a lower dose with more talking: gentle, with room for words.',
		phases: [
			{
				id: 'arrival',
				name: 'Arrival',
				kind: 'arrival',
				minutes: 10,
				items: [track('arrival-still-meadow'), scape('warm-drone', 61)]
			},
			{
				id: 'onset',
				name: 'Onset',
				kind: 'onset',
				minutes: 15,
				items: [track('onset-slow-tidewater'), scape('slow-pads', 62)]
			},
			{
				id: 'deepening',
				name: 'Deepening',
				kind: 'deepening',
				minutes: 25,
				items: [track('deepening-cloudlight'), scape('slow-pads', 63)]
			},
			{
				id: 'return',
				name: 'Return',
				kind: 'return',
				minutes: 15,
				items: [track('return-evening-field'), scape('warm-drone', 64)]
			},
			{
				id: 'grounding',
				name: 'Grounding',
				kind: 'grounding',
				minutes: 10,
				items: [track('grounding-quiet-rain'), scape('sea', 65)]
			}
		]
	},
	{
		version: 1,
		id: 'closing-and-grounding',
		title: 'Closing and grounding',
		summary: 'About 30 minutes to close a session: the return, then water, the body’s weight, the room.',
		phases: [
			{
				id: 'return',
				name: 'Return',
				kind: 'return',
				minutes: 12,
				items: [track('return-homeward-dusk'), scape('warm-drone', 71)]
			},
			{
				id: 'grounding',
				name: 'Grounding',
				kind: 'grounding',
				minutes: 18,
				items: [
					track('grounding-bowls-by-the-shore'),
					scape('bowls', 72),
					track('grounding-quiet-rain'),
					scape('sea', 73)
				]
			}
		]
	},
	{
		version: 1,
		id: 'quiet-home-practice',
		title: 'Quiet home practice',
		summary: 'About 25 minutes for integration at home: settle, rest, come back to the room.',
		phases: [
			{
				id: 'settle',
				name: 'Settling',
				kind: 'arrival',
				minutes: 5,
				items: [track('arrival-harbour-first-light'), scape('warm-drone', 81)]
			},
			{
				id: 'rest',
				name: 'Resting',
				kind: 'return',
				minutes: 12,
				items: [track('return-evening-field'), scape('slow-pads', 82)]
			},
			{
				id: 'ground',
				name: 'Grounding',
				kind: 'grounding',
				minutes: 8,
				items: [track('grounding-quiet-rain'), scape('rain', 83)]
			}
		]
	}
];

/** Whether `id` is one of the playlists Grounded ships (the rest are the therapist's own). */
export function isCurated(id: string): boolean {
	return CURATED_PLAYLISTS.some((playlist) => playlist.id === id);
}
