/**
 * Levels again the tracks imported under an older levelling rule (`needsLevelling`), from the
 * files the library keeps, so nobody has to import them again: each is read, decoded, measured
 * for loudness and true peak, given the gain of today's rule (`levelFile`, as an import does), and
 * saved with today's rule number.
 *
 * One track at a time, oldest import first, so only one decoded track is in memory. A track that
 * can't be levelled (its file is gone, or no longer decodes) keeps the gain it had and is reported
 * by title with the reason; the others go on. A track removed while this runs is passed over.
 *
 * @example
 * const result = await relevelTracks(store, {
 *   onProgress: (p) => (line = `Levelling ${p.done + 1} of ${p.total} earlier imports…`),
 *   signal: controller.signal
 * });
 * for (const { reason } of result.failed) show(reason); // “Eden”: its file is no longer on this device…
 */
import type { Result } from '../result';
import { levelFile, type LevelOptions } from './import-audio';
import { needsLevelling, type ImportedTrack, type ImportedTrackStore } from './imported-tracks';
import { readFileInfo } from './tags';

/** What the re-levelling needs of the library: an `ImportedTrackStore`, or a fake in tests. */
export type RelevelStore = Pick<ImportedTrackStore, 'list' | 'get' | 'fileOf' | 'setLevel'>;

export interface RelevelProgress {
	/** Tracks finished (levelled, failed or passed over). */
	done: number;
	/** Tracks that needed levelling when this began. */
	total: number;
	/** Title of the track being levelled; empty when all are done. */
	current: string;
}

export interface RelevelFailure {
	track: ImportedTrack;
	/** A sentence that starts with the track's title, ready to show. */
	reason: string;
}

export interface RelevelResult {
	/** The tracks as now saved, with their new gain. */
	levelled: ImportedTrack[];
	failed: RelevelFailure[];
	/** True when the signal stopped it before every track was handled. */
	cancelled: boolean;
}

/** The decoders and pause (see `levelFile`) are for tests to replace. */
export interface RelevelOptions extends LevelOptions {
	onProgress?(progress: RelevelProgress): void;
	/** Stops before the next track; a track already measured is still saved. */
	signal?: AbortSignal;
}

const KEPT = 'It keeps its earlier level.';

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

/** The track as saved, or why not; null for a track removed meanwhile. */
async function relevelOne(
	store: RelevelStore,
	track: ImportedTrack,
	options: RelevelOptions
): Promise<Result<ImportedTrack> | null> {
	const name = `“${track.title}”`;
	const file = await store.fileOf(track.id);
	if (!file) {
		if (!(await store.get(track.id))) return null;
		return { ok: false, reason: `${name}: its file is no longer on this device, so it could not be levelled. ${KEPT}` };
	}
	// Only its headers, for the rate its true peak is measured at.
	const { sampleRate } = await readFileInfo(file, track.mime);
	// Read afresh for each decode rather than held: a file may be a few hundred megabytes.
	const measured = await levelFile(() => file.arrayBuffer(), { ...options, fileSampleRate: sampleRate });
	if (!measured) return { ok: false, reason: `${name}: its file could not be read as audio just now. ${KEPT}` };
	const saved = await store.setLevel(track.id, measured.level);
	if (saved.ok) return saved;
	if (!(await store.get(track.id))) return null;
	return { ok: false, reason: `${name}: ${lowerFirst(saved.reason)} ${KEPT}` };
}

/** Levels again every track whose gain follows an older rule. Never throws for a bad track. */
export async function relevelTracks(store: RelevelStore, options: RelevelOptions = {}): Promise<RelevelResult> {
	const waiting = (await store.list()).filter(needsLevelling);
	const levelled: ImportedTrack[] = [];
	const failed: RelevelFailure[] = [];
	const total = waiting.length;
	for (const [done, track] of waiting.entries()) {
		if (options.signal?.aborted) return { levelled, failed, cancelled: true };
		options.onProgress?.({ done, total, current: track.title });
		let outcome: Result<ImportedTrack> | null;
		try {
			outcome = await relevelOne(store, track, options);
		} catch {
			// A bug or a browser fault with this one track; the others still get their turn.
			outcome = { ok: false, reason: `“${track.title}” could not be levelled just now. ${KEPT}` };
		}
		if (outcome?.ok) levelled.push(outcome.value);
		else if (outcome) failed.push({ track, reason: outcome.reason });
	}
	options.onProgress?.({ done: total, total, current: '' });
	return { levelled, failed, cancelled: false };
}
