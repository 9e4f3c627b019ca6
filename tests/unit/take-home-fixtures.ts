/** A small take-home pack and its parts, for the pack's unit tests. */
import { DEFAULT_SETTINGS } from '../../src/lib/breath/settings';
import { BUILTIN_SCRIPTS } from '../../src/lib/grounding/builtin-scripts';
import { duplicateScript } from '../../src/lib/grounding/script';
import { CURATED_PLAYLISTS } from '../../src/lib/session/curated-playlists';
import { clipPath, trackPath, type PackContents } from '../../src/lib/take-home/pack-format';
import { sha256Hex, writePack, type PackAudio } from '../../src/lib/take-home/pack-writer';
import { practiceFromSettings } from '../../src/lib/take-home/practice';

export const BUILT_IN_IDS = new Set(BUILTIN_SCRIPTS.map((script) => script.id));
export const BUILT_IN_TITLES = new Map(BUILTIN_SCRIPTS.map((script) => [script.id, script.title]));

/** A small WAV that is not silence: what a recorded clip looks like to the pack. */
export function wavBytes(seconds = 0.2, rate = 8000, frequency = 440): Uint8Array {
	const frames = Math.round(seconds * rate);
	const buffer = new ArrayBuffer(44 + frames * 2);
	const view = new DataView(buffer);
	const text = (at: number, value: string) => [...value].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
	text(0, 'RIFF');
	view.setUint32(4, 36 + frames * 2, true);
	text(8, 'WAVE');
	text(12, 'fmt ');
	view.setUint32(16, 16, true);
	view.setUint16(20, 1, true);
	view.setUint16(22, 1, true);
	view.setUint32(24, rate, true);
	view.setUint32(28, rate * 2, true);
	view.setUint16(32, 2, true);
	view.setUint16(34, 16, true);
	text(36, 'data');
	view.setUint32(40, frames * 2, true);
	for (let i = 0; i < frames; i += 1)
		view.setInt16(44 + i * 2, Math.round(8000 * Math.sin((2 * Math.PI * frequency * i) / rate)), true);
	return new Uint8Array(buffer);
}

export const OWN_SCRIPT = duplicateScript(BUILTIN_SCRIPTS[0]!, 'therapist-arrival', 'Arriving, in my voice');

export function sampleContents(overrides: Partial<PackContents> = {}): PackContents {
	const step = OWN_SCRIPT.steps[0]!;
	return {
		from: { id: 'therapist-0123456789', name: 'Dr. Ana Ruiz', contact: 'ana@example.org', supportLine: '988' },
		clientName: null,
		note: 'Go gently this week.',
		scripts: [OWN_SCRIPT],
		builtInScriptIds: [BUILTIN_SCRIPTS[1]!.id],
		clips: [
			{
				scriptId: OWN_SCRIPT.id,
				stepId: step.id,
				path: clipPath(OWN_SCRIPT.id, step.id),
				durationSeconds: 0.2,
				gainDb: 0,
				recordedAt: 1
			}
		],
		breathing: practiceFromSettings(DEFAULT_SETTINGS, 'Evening breathing'),
		playlists: [CURATED_PLAYLISTS[0]!],
		tracks: [],
		...overrides
	};
}

export async function samplePack(
	contents: PackContents = sampleContents(),
	audio: PackAudio[] = [
		{ path: contents.clips[0]!.path, blob: new Blob([wavBytes() as BlobPart], { type: 'audio/wav' }) }
	]
): Promise<Blob> {
	return writePack(contents, audio, { createdAt: new Date('2026-12-01T10:00:00Z'), builtInTitles: BUILT_IN_TITLES });
}

/** A pack with a track included, to test the file store too; `track` adds to or replaces its details. */
export async function packWithTrack(
	createdAt = '2026-12-01T10:00:00Z',
	track: Partial<PackContents['tracks'][number]> = {}
): Promise<{ blob: Blob; contents: PackContents }> {
	const audio = wavBytes(0.5, 8000, 220);
	const id = (await sha256Hex(audio as BufferSource)).slice(0, 16);
	const base = sampleContents();
	const contents = sampleContents({
		tracks: [
			{
				id,
				title: 'Low Tide',
				artist: null,
				fileName: 'low-tide.wav',
				durationSeconds: 0.5,
				loudnessLufs: -23,
				gainDb: 0,
				mime: 'audio/wav',
				path: trackPath(id, 'wav'),
				...track
			}
		]
	});
	const blob = await writePack(
		contents,
		[
			{ path: base.clips[0]!.path, blob: new Blob([wavBytes() as BlobPart]) },
			{ path: trackPath(id, 'wav'), blob: new Blob([audio as BlobPart]) }
		],
		{ createdAt: new Date(createdAt), builtInTitles: BUILT_IN_TITLES }
	);
	return { blob, contents };
}
