/**
 * Journal prompts for the days after a session, on the themes of integration: the body, emotions,
 * relationships, boundaries, receiving care, and what wants to move into daily life. Written for
 * Grounded. Each is an invitation, never a task: any of them can be skipped, and an entry needs
 * none.
 *
 * @example
 * const prompt = promptOfTheDay(3); // the same prompt all day, a different one the next
 */

export type PromptTheme = 'session' | 'body' | 'emotions' | 'relationships' | 'boundaries' | 'care' | 'daily-life';

export interface JournalPrompt {
	readonly theme: PromptTheme;
	readonly text: string;
}

export const THEME_NAMES: Record<PromptTheme, string> = {
	session: 'The session',
	body: 'The body',
	emotions: 'Feelings',
	relationships: 'People',
	boundaries: 'Boundaries',
	care: 'Receiving care',
	'daily-life': 'Daily life'
};

export const JOURNAL_PROMPTS: readonly JournalPrompt[] = [
	{ theme: 'session', text: 'What do you remember first, when you think back to the session?' },
	{ theme: 'session', text: 'Was there an image, a sound or a moment that stayed with you?' },
	{ theme: 'session', text: 'If the session had a colour or a texture, what would it be?' },
	{ theme: 'body', text: 'Where in your body do you notice the session now, if anywhere?' },
	{ theme: 'body', text: 'What does your body seem to want today: rest, movement, warmth, food, quiet?' },
	{ theme: 'body', text: 'When you feel the weight of your body on the chair or bed, what do you notice?' },
	{ theme: 'emotions', text: 'Which feelings have come and gone since the session? Name as many as you like.' },
	{ theme: 'emotions', text: 'Is there a feeling that surprised you? What was it like to let it be there?' },
	{ theme: 'emotions', text: 'What felt lighter afterwards, and what still feels heavy?' },
	{ theme: 'relationships', text: 'Did someone come to mind during or after the session? What came with them?' },
	{ theme: 'relationships', text: 'How do the people close to you seem to you today?' },
	{ theme: 'relationships', text: 'Is there something you would like someone to know, whether or not you tell them?' },
	{ theme: 'boundaries', text: 'Where would you like to say a gentler yes, or a clearer no?' },
	{ theme: 'boundaries', text: 'What took your energy today, and what gave some back?' },
	{ theme: 'care', text: 'What kind of care did you receive recently, however small? How was it to receive it?' },
	{ theme: 'care', text: 'What would feel kind to give yourself this week?' },
	{ theme: 'care', text: 'Who or what helps you feel safe? Is there a way to have more of it near you?' },
	{
		theme: 'daily-life',
		text: 'Is there one small thing from the session you would like to carry into ordinary days?'
	},
	{ theme: 'daily-life', text: 'What would you like to keep doing, start, or let go of?' },
	{ theme: 'daily-life', text: 'What would you like to bring to your next session with your therapist?' }
];

/** The prompt offered first on a day of the plan: the session's own on day 0, then the themes in turn. */
export function promptOfTheDay(day: number | null): JournalPrompt {
	if (day === 0) return JOURNAL_PROMPTS[0]!;
	const index = day === null ? 0 : (day * 7) % JOURNAL_PROMPTS.length;
	return JOURNAL_PROMPTS[index]!;
}
