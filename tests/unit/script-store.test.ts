import { describe, expect, it } from 'vitest';
import { BUILTIN_SCRIPTS } from '../../src/lib/grounding/builtin-scripts';
import { duplicateScript } from '../../src/lib/grounding/script';
import { memoryBackend, type KeyValueBackend } from '../../src/lib/storage/key-value';
import { scriptKey, ScriptStore } from '../../src/lib/storage/script-store';

const own = duplicateScript(BUILTIN_SCRIPTS[0]!, 'my-arrival', 'My arrival');

describe('ScriptStore', () => {
	it('saves, lists and reads back the therapist’s own scripts next to the built-in ones', async () => {
		const store = new ScriptStore(memoryBackend());
		expect((await store.save(own)).ok).toBe(true);
		expect((await store.listOwn()).map((script) => script.id)).toEqual(['my-arrival']);
		expect((await store.listAll()).length).toBe(BUILTIN_SCRIPTS.length + 1);
		expect(await store.get('my-arrival')).toEqual(own);
		expect((await store.get(BUILTIN_SCRIPTS[1]!.id))?.builtIn).toBe(true);
		expect(await store.get('nothing-here')).toBeNull();
	});

	it('refuses a script that fails its schema and keeps the stored version', async () => {
		const backend = memoryBackend();
		const store = new ScriptStore(backend);
		await store.save(own);
		const broken = { ...own, steps: [{ ...own.steps[0]!, text: '  ' }] };
		const result = await store.save(broken);
		expect(result.ok).toBe(false);
		expect(!result.ok && result.reason).toMatch(/^This script can’t be used\. Step 1: /);
		expect(await store.get('my-arrival')).toEqual(own);
	});

	it('says when the device is full and keeps the previous version', async () => {
		const backend = memoryBackend();
		await new ScriptStore(backend).save(own);
		const full: KeyValueBackend = {
			...backend,
			set: async () => {
				throw new DOMException('full', 'QuotaExceededError');
			}
		};
		const result = await new ScriptStore(full).save({ ...own, title: 'Changed' });
		expect(result).toEqual({
			ok: false,
			reason:
				'The script could not be saved because this device is out of storage space. The version saved before is kept.'
		});
		expect((await new ScriptStore(backend).get('my-arrival'))?.title).toBe('My arrival');
	});

	it('skips stored values that are not scripts, or sit under another script’s key, without touching them', async () => {
		const backend = memoryBackend({
			[scriptKey('junk')]: { hello: 'world' },
			[scriptKey('elsewhere')]: { ...own },
			'pacer-settings': { version: 1 }
		});
		const store = new ScriptStore(backend);
		expect(await store.listOwn()).toEqual([]);
		expect(await store.get('junk')).toBeNull();
		expect(backend.data.get(scriptKey('junk'))).toEqual({ hello: 'world' });
	});

	it('never changes or deletes a built-in script', async () => {
		const store = new ScriptStore(memoryBackend());
		expect((await store.save(BUILTIN_SCRIPTS[0]!)).ok).toBe(false);
		expect((await store.remove(BUILTIN_SCRIPTS[0]!.id)).ok).toBe(false);
	});
});
