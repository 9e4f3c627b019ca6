/**
 * A track's own samples, to hear a recording against: decoded by the engine under test itself
 * (`decodeAudioData` on an OfflineAudioContext at the recorder's rate), downmixed to mono, and
 * carried back as base64. The engine's own decoder makes the closest reference to what its media
 * element plays.
 *
 * @example
 * const reference = await decodedTrack(tab, '/audio/curated/harbour.mp3', { to: 60, rate: 48_000 });
 * const { jumps } = trackJumps(recordedStretch, reference, 48_000);
 */
import type { Seconds } from '../../../src/lib/units';
import type { EnginePage } from './engine-page';

export async function decodedTrack(
	tab: EnginePage,
	path: string,
	{ from = 0, to, rate }: { from?: Seconds; to: Seconds; rate: number }
): Promise<Float32Array> {
	const base64 = await tab.evaluate(
		async (path: string, from: number, to: number, rate: number) => {
			const bytes = await (await fetch(path)).arrayBuffer();
			const decoded = await new OfflineAudioContext(1, 1, rate).decodeAudioData(bytes);
			const start = Math.min(decoded.length, Math.round(from * rate));
			const end = Math.min(decoded.length, Math.round(to * rate));
			const mono = new Float32Array(end - start);
			for (let channel = 0; channel < decoded.numberOfChannels; channel += 1) {
				const data = decoded.getChannelData(channel);
				for (let i = 0; i < mono.length; i += 1) mono[i]! += data[start + i]! / decoded.numberOfChannels;
			}
			const raw = new Uint8Array(mono.buffer);
			let text = '';
			for (let i = 0; i < raw.length; i += 0x8000) text += String.fromCharCode(...raw.subarray(i, i + 0x8000));
			return btoa(text);
		},
		path,
		from,
		to,
		rate
	);
	const buffer = Buffer.from(base64, 'base64');
	const out = new Float32Array(buffer.length / 4);
	new Uint8Array(out.buffer).set(buffer);
	return out;
}
