/**
 * Names for things the therapist makes: ids that nothing else has, and the
 * title of a copy. Pure.
 *
 * @example
 * randomId('mine', ['mine-k3x9q2ab']); // 'mine-0f7c1zqa'
 * myVersionTitle('Full medicine session', 120); // 'Full medicine session (my version)'
 */

const MY_VERSION = ' (my version)';

/**
 * An id such as "mine-k3x9q2ab" that none of `taken` is. Random rather than
 * counted, so that a new thing never inherits what was keyed to a deleted one
 * with the same id (a script's voice clips, a session's saved place).
 */
export function randomId(prefix: string, taken: Iterable<string>, random: () => number = Math.random): string {
	const used = new Set(taken);
	for (;;) {
		let tail = '';
		for (let i = 0; i < 8; i += 1) tail += Math.floor(random() * 36).toString(36);
		const id = `${prefix}-${tail}`;
		if (!used.has(id)) return id;
	}
}

/** “<title> (my version)”, the title cut with an ellipsis so that the whole stays within `limit` characters. */
export function myVersionTitle(title: string, limit: number): string {
	const room = limit - MY_VERSION.length;
	const base = title.length > room ? `${title.slice(0, room - 1).trimEnd()}…` : title;
	return `${base}${MY_VERSION}`;
}
