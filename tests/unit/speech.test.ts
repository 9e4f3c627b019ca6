import { describe, expect, it } from 'vitest';
import { sentencesOf } from '../../src/lib/audio/speech';

describe('sentencesOf', () => {
	it('splits a step’s text into sentences, keeping their punctuation', () => {
		expect(sentencesOf('Feel your feet. Let the floor hold you! Is your jaw soft? Rest…')).toEqual([
			'Feel your feet.',
			'Let the floor hold you!',
			'Is your jaw soft?',
			'Rest…'
		]);
	});

	it('keeps closing quotes with their sentence, splits at line breaks, and drops empty parts', () => {
		expect(sentencesOf('Say “I am here.” Then wait.\n\nAnd breathe')).toEqual([
			'Say “I am here.”',
			'Then wait.',
			'And breathe'
		]);
		expect(sentencesOf('   ')).toEqual([]);
	});
});
