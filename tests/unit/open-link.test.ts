import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/lib/breath/settings';
import { BUILTIN_SCRIPTS } from '../../src/lib/grounding/builtin-scripts';
import type { GroundingScript } from '../../src/lib/grounding/script';
import { memoryBackend } from '../../src/lib/storage/key-value';
import { ScriptStore } from '../../src/lib/storage/script-store';
import { practiceFromSettings } from '../../src/lib/take-home/practice';
import { encodeFragment, LINK_MESSAGES, type LinkItem } from '../../src/lib/take-home/share-link';
import { LINK_SENDER_ID, TakeHomeStore } from '../../src/lib/take-home/take-home-store';
import { OpenState } from '../../src/routes/open/open.svelte';

const NOW = Date.UTC(2026, 4, 12, 9, 30);

const SCRIPT: GroundingScript = {
	version: 1,
	id: 'mine-feet0001',
	title: 'Feet on the floor',
	summary: 'A minute to land.',
	builtIn: false,
	steps: [
		{
			id: 'step-1',
			text: 'Feel your feet on the floor.',
			timing: { kind: 'timed', seconds: 40 },
			breath: null,
			chime: true,
			background: null
		}
	]
};

const practiceItem = (title: string): LinkItem => ({
	kind: 'breathing',
	practice: practiceFromSettings({ ...DEFAULT_SETTINGS, pattern: 'box' }, title)
});

function setup() {
	const backend = memoryBackend();
	const scripts = new ScriptStore(backend);
	const takeHome = new TakeHomeStore(backend);
	let n = 0;
	const open = () => new OpenState({ backend, scripts, takeHome, now: () => NOW, random: () => (n++ % 36) / 36 });
	return { backend, scripts, takeHome, open };
}

const hash = (item: LinkItem) => `#${encodeFragment(item)}`;

describe('OpenState', () => {
	it('shows what the link holds and stores nothing until Save', async () => {
		const { backend, open } = setup();
		const state = open();
		await state.load(hash({ kind: 'script', script: SCRIPT }));
		expect(state.status).toBe('preview');
		expect(state.item).toEqual({ kind: 'script', script: SCRIPT });
		expect(await backend.entries()).toEqual([]);
	});

	it('says so when there is no link, or a damaged one', async () => {
		const { open } = setup();
		const state = open();
		await state.load('');
		expect(state.status).toBe('nothing');
		await state.load('#1.damaged');
		expect(state.status).toBe('refused');
		expect(state.message).toBe(LINK_MESSAGES.damaged);
	});

	it('keeps a practice in a new record for links, and a later one in its place', async () => {
		const { takeHome, open } = setup();
		const first = open();
		await first.load(hash(practiceItem('Box, mornings')));
		await first.save();
		expect(first.status).toBe('saved');
		expect(first.notice).toBe('“Box, mornings” is saved on this device.');
		const record = await takeHome.get(LINK_SENDER_ID);
		expect(record).toMatchObject({
			from: { id: LINK_SENDER_ID, name: '', contact: '', supportLine: '' },
			createdAt: new Date(NOW).toISOString(),
			installedAt: NOW,
			scriptIds: [],
			breathing: { title: 'Box, mornings' }
		});

		const second = open();
		await second.load(hash(practiceItem('Box, evenings')));
		expect(second.replaces?.title).toBe('Box, mornings');
		await second.save();
		expect((await takeHome.get(LINK_SENDER_ID))?.breathing?.title).toBe('Box, evenings');
	});

	it('saves a script as the client’s own and names it in the record', async () => {
		const { scripts, takeHome, open } = setup();
		const state = open();
		await state.load(hash({ kind: 'script', script: SCRIPT }));
		await state.save();
		expect(state.savedScriptId).toBe(SCRIPT.id);
		expect(await scripts.get(SCRIPT.id)).toEqual(SCRIPT);
		expect((await takeHome.get(LINK_SENDER_ID))?.scriptIds).toEqual([SCRIPT.id]);
	});

	it('saves the same script only once, and says it is already here', async () => {
		const { scripts, takeHome, open } = setup();
		for (let i = 0; i < 2; i += 1) {
			const state = open();
			await state.load(hash({ kind: 'script', script: SCRIPT }));
			await state.save();
			expect(state.savedScriptId).toBe(SCRIPT.id);
			if (i === 1)
				expect(state.notice).toBe(
					'“Feet on the floor” is already on this device, word for word. Nothing new was saved.'
				);
		}
		expect((await scripts.listOwn()).length).toBe(1);
		expect((await takeHome.get(LINK_SENDER_ID))?.scriptIds).toEqual([SCRIPT.id]);
	});

	it('gives a script a new id when a different one has its id, and keeps the other as it was', async () => {
		const { scripts, takeHome, open } = setup();
		const mine: GroundingScript = { ...SCRIPT, title: 'My own, same id' };
		await scripts.save(mine);
		const state = open();
		await state.load(hash({ kind: 'script', script: SCRIPT }));
		await state.save();
		const id = state.savedScriptId!;
		expect(id).toMatch(/^link-[0-9a-z]{8}$/);
		expect(await scripts.get(SCRIPT.id)).toEqual(mine);
		expect(await scripts.get(id)).toEqual({ ...SCRIPT, id });
		const record = await takeHome.get(LINK_SENDER_ID);
		expect(record?.scriptIds).toEqual([id]);
		expect(record?.renamed).toEqual({ [SCRIPT.id]: id });

		// Opened again, the copy is found by its words.
		const again = open();
		await again.load(hash({ kind: 'script', script: SCRIPT }));
		await again.save();
		expect(again.savedScriptId).toBe(id);
		expect((await scripts.listOwn()).length).toBe(2);
	});

	it('gives an own script under a built-in’s id a new id', async () => {
		const { scripts, open } = setup();
		const state = open();
		const underBuiltInId = { ...SCRIPT, id: BUILTIN_SCRIPTS[0]!.id };
		await state.load(hash({ kind: 'script', script: underBuiltInId }));
		await state.save();
		expect(state.savedScriptId).toMatch(/^link-/);
		expect((await scripts.listOwn()).map((script) => script.title)).toEqual([SCRIPT.title]);
	});

	it('notes a built-in script in the record and copies nothing', async () => {
		const { scripts, takeHome, open } = setup();
		const builtIn = BUILTIN_SCRIPTS[2]!;
		const state = open();
		await state.load(hash({ kind: 'script', script: builtIn }));
		expect(state.item).toEqual({ kind: 'script', script: builtIn });
		await state.save();
		expect(state.savedScriptId).toBe(builtIn.id);
		expect(await scripts.listOwn()).toEqual([]);
		const record = await takeHome.get(LINK_SENDER_ID);
		expect(record?.builtInScriptIds).toEqual([builtIn.id]);
		expect(record?.scriptIds).toEqual([]);
	});

	it('keeps the preview and says why when the device can’t save', async () => {
		const { backend, open } = setup();
		backend.set = async () => {
			throw new DOMException('full', 'QuotaExceededError');
		};
		const state = open();
		await state.load(hash(practiceItem('Box')));
		await state.save();
		expect(state.status).toBe('preview');
		expect(state.message).toBe(
			'This could not be saved because this device is out of storage space. Nothing was changed.'
		);
	});
});
