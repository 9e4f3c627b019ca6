/**
 * The one owner of the therapist's own grounding scripts on this device (the
 * built-in ones ship with the code and are never stored). Every script read
 * back goes through `parseScript`; see OwnCollection for the rules.
 *
 * @example
 * const store = new ScriptStore();
 * const saved = await store.save(script);
 * if (!saved.ok) show(saved.reason); // the previous version is kept
 */
import { indexedDbBackend, type KeyValueBackend } from './key-value';
import { OwnCollection } from './own-collection';
import { BUILTIN_SCRIPTS } from '../grounding/builtin-scripts';
import { parseScript, type GroundingScript } from '../grounding/script';

export const SCRIPT_PREFIX = 'grounding-script:';

export function scriptKey(id: string): string {
	return `${SCRIPT_PREFIX}${id}`;
}

export class ScriptStore extends OwnCollection<GroundingScript> {
	constructor(backend: KeyValueBackend = indexedDbBackend()) {
		super(backend, {
			prefix: SCRIPT_PREFIX,
			parse: parseScript,
			shipped: BUILTIN_SCRIPTS,
			shippedWord: 'built-in',
			noun: 'script',
			asOwn: (script) => ({ ...script, builtIn: false })
		});
	}
}
