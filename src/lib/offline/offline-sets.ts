/**
 * What "available offline" means for a playlist or a script, as plain data: the files it needs,
 * which of them may go when it is removed, and the words and figures shown for it. No storage, no
 * DOM: the store (audio-offline.svelte.ts) does the work.
 *
 * @example
 * const items = playlistItems(playlist); // its tracks' files; soundscapes need none
 * sizeLabel(items); // '6 MB'
 * progressText({ bytesDone: 7.1e6, bytesTotal: 12.4e6, itemsDone: 3, itemsTotal: 6 }); // '3 of 6 pieces · 7.1 of 12.4 MB'
 */
import { curatedTrack } from '../music/catalog';
import type { GroundingScript } from '../grounding/script';
import type { SessionPlaylist } from '../session/playlist';
import type { DownloadItem, DownloadProgress } from './downloads';

/** The files of these curated tracks, each once, in order; an unknown id has no file. */
export function trackItems(trackIds: Iterable<string>): DownloadItem[] {
	const items = new Map<string, DownloadItem>();
	for (const id of trackIds) {
		const track = curatedTrack(id);
		if (track && !items.has(track.file)) items.set(track.file, { url: track.file, bytes: track.bytes });
	}
	return [...items.values()];
}

/** The files a playlist needs offline: its tracks. Soundscapes are generated on the device. */
export function playlistItems(playlist: SessionPlaylist): DownloadItem[] {
	return trackItems(
		playlist.phases.flatMap((phase) => phase.items.flatMap((item) => (item.kind === 'track' ? [item.trackId] : [])))
	);
}

/**
 * The files that may go when a set is removed: those no set in `kept` (the other sets that are
 * fully available offline) still needs.
 */
export function removableItems(
	items: readonly DownloadItem[],
	kept: readonly (readonly DownloadItem[])[]
): DownloadItem[] {
	const needed = new Set(kept.flatMap((set) => set.map((item) => item.url)));
	return items.filter((item) => !needed.has(item.url));
}

export function totalBytes(items: readonly DownloadItem[]): number {
	return items.reduce((sum, item) => sum + item.bytes, 0);
}

const MB = 1_000_000;
const GB = 1_000_000_000;

/** `12.4 MB`, `980 kB`, `3.2 GB`: decimal units, as devices report their storage. */
export function formatBytes(bytes: number): string {
	if (bytes >= GB) return `${(bytes / GB).toFixed(1)} GB`;
	if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
	if (bytes >= 1_000) return `${Math.round(bytes / 1_000)} kB`;
	return `${bytes} bytes`;
}

/** A download's size for its button, in whole megabytes: `18 MB`; anything under a megabyte shows as `1 MB`. */
export function sizeLabel(bytes: number): string {
	return `${Math.max(1, Math.round(bytes / MB))} MB`;
}

/** `3 of 6 pieces · 7.1 of 12.4 MB`. */
export function progressText(progress: DownloadProgress): string {
	const pieces = progress.itemsTotal === 1 ? 'piece' : 'pieces';
	const done = (progress.bytesDone / MB).toFixed(1);
	const total = (progress.bytesTotal / MB).toFixed(1);
	return `${progress.itemsDone} of ${progress.itemsTotal} ${pieces} · ${done} of ${total} MB`;
}

/** What the browser answered when asked to keep the app's files (`navigator.storage.persist()`). */
export type Persistence = 'granted' | 'refused' | 'unknown';

/** What each answer means for the person, in plain words. */
export const PERSISTENCE_TEXT: Record<Persistence, string> = {
	granted: 'This device will keep these files until you remove them.',
	refused:
		'The browser may clear these files if the device runs short of space or the app isn’t opened for a while (Safari: after 7 days). Open Grounded now and then to keep them.',
	unknown:
		'This browser does not say whether it will keep these files. It may clear them if the device runs short of space or the app isn’t opened for a while: open Grounded now and then to keep them.'
};

/** The files a grounding script needs offline: its steps' track backgrounds (voice clips are already on the device). */
export function scriptItems(script: GroundingScript): DownloadItem[] {
	return trackItems(
		script.steps.flatMap((step) => (step.background?.kind === 'track' ? [step.background.trackId] : []))
	);
}
