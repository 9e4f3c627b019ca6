import { describe, it } from 'vitest';
import { integratedLoudness, samplePeak } from '../../scripts/music/loudness.js';
import { SOUNDSCAPES } from '../../src/lib/session/playlist';
import { renderSoundscape } from './render-soundscape';

describe('calibrate', () => {
	it.each(SOUNDSCAPES)('%s', async (id) => {
		const rows: string[] = [];
		const all: number[] = [];
		for (const seed of [1, 2, 3, 4, 5, 6]) {
			const rate = 24000;
			const r = await renderSoundscape({ id, seed, duration: 243.5, sampleRate: rate });
			const win = (a: number, b: number) => {
				const ch = [r.left.subarray(a * rate, b * rate), r.right.subarray(a * rate, b * rate)];
				return integratedLoudness(ch, rate);
			};
			const w = [3.5, 33.5, 63.5, 93.5, 123.5, 153.5, 183.5].map((a) => win(a, a + 60));
			all.push(...w);
			const ch = [r.left, r.right];
			rows.push(
				[id, seed, 'LUFS60', ...w.map((x) => x.toFixed(2)), 'whole', win(3.5, 123.5).toFixed(2), 'peak', (20 * Math.log10(samplePeak(ch))).toFixed(2), 'ms', r.elapsed.toFixed(0), 'nodes', Math.max(...r.liveNodes)].join(' ')
			);
		}
		const mean = all.reduce((a, b) => a + b) / all.length;
		rows.push(`${id} mean ${mean.toFixed(2)} min ${Math.min(...all).toFixed(2)} max ${Math.max(...all).toFixed(2)}`);
		console.log('ROWS\n' + rows.join('\n'));
	});
});
