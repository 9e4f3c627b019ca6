import { describe, expect, it } from 'vitest';
import { isPlaying, setPlaying, subscribeAudioActivity } from '../../src/lib/platform/audio-activity';

describe('audio activity', () => {
	it('is playing while any owner plays, and tells listeners only of changes', () => {
		const heard: boolean[] = [];
		const stop = subscribeAudioActivity((playing) => heard.push(playing));
		expect(heard).toEqual([false]);
		setPlaying('music', true);
		setPlaying('voice', true);
		setPlaying('music', true);
		expect(isPlaying()).toBe(true);
		setPlaying('music', false);
		expect(isPlaying()).toBe(true);
		setPlaying('voice', false);
		setPlaying('voice', false);
		expect(isPlaying()).toBe(false);
		expect(heard).toEqual([false, true, false]);
		stop();
		setPlaying('music', true);
		expect(heard).toEqual([false, true, false]);
		setPlaying('music', false);
	});
});
