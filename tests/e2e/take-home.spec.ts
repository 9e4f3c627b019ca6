/**
 * Take-home packs, therapist to client. The therapist records a step of a script in their voice
 * (Chromium's fake microphone), builds a pack with the script, the breathing practice and a
 * playlist, and saves the file. A second context with empty storage, the client's device, opens
 * it, previews it and installs it; then, with the network cut, plays the script, and the recorded
 * output holds the therapist's clip in its step. Opening the pack again changes nothing, a newer
 * pack replaces only the therapist's items, and bad packs are refused with what was there kept.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { indexOf } from '../support/bytes';
import { readFileSync } from 'node:fs';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { installAudioTap, tapContextIds } from '../support/audio-tap';
import { DEFAULT_SETTINGS } from '../../src/lib/breath/settings';
import { clipPath, type PackContents } from '../../src/lib/take-home/pack-format';
import { writePack, type PackAudio } from '../../src/lib/take-home/pack-writer';
import { practiceFromSettings } from '../../src/lib/take-home/practice';
import { wav } from '../support/wav';
import { onClock, onsetTimes, peakOver, runContexts } from '../support/grounding';
import { goOffline, waitUntilControlled } from '../support/offline-network';

test.describe.configure({ timeout: 240_000 });

const THERAPIST = 'Dr. Ana Ruiz';

const step = (page: Page, n: number) => page.getByRole('listitem', { name: `Step ${n}`, exact: true });

/** No system voices: steps without a recording are text only, whatever this machine has. */
async function noSystemVoices(target: Page | BrowserContext): Promise<void> {
	await target.addInitScript(() => {
		if ('speechSynthesis' in window) window.speechSynthesis.getVoices = () => [];
	});
}

/** The therapist's script: three short timed steps (3, 6 and 2 s), the second in their recorded voice. */
async function recordScript(page: Page): Promise<void> {
	await page.goto('/grounding/edit/');
	await page.getByLabel('Title').fill('Landing, in my voice');
	const texts = ['Arrive, just as you are.', 'Listen to my voice.', 'Rest here a moment.'];
	for (let n = 1; n <= 3; n += 1) {
		if (n > 1) await page.getByRole('button', { name: 'Add a step', exact: true }).click();
		await step(page, n)
			.getByLabel('What this step says')
			.fill(texts[n - 1]!);
		await step(page, n).getByLabel('Minutes').fill('0');
		await step(page, n)
			.getByLabel('Seconds')
			.fill(['3', '6', '2'][n - 1]!);
		await step(page, n).getByLabel('Seconds').blur();
		await step(page, n).getByLabel('Background').selectOption({ label: 'Warm drone (generated)' });
	}
	await step(page, 2).getByLabel('A chime as the step begins').check();
	await step(page, 2).getByRole('button', { name: 'Record my voice' }).click();
	await expect(step(page, 2).getByText(/Recording\s+0:02/)).toBeVisible({ timeout: 6_000 });
	await step(page, 2).getByRole('button', { name: 'Stop' }).click();
	await step(page, 2).getByRole('button', { name: 'Keep' }).click({ timeout: 15_000 });
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
}

/** Builds a pack on the take-home page and returns the saved file's bytes and name. */
async function makePack(page: Page, note: string): Promise<{ name: string; bytes: Buffer }> {
	await page.goto('/take-home/');
	await expect(page.getByRole('heading', { level: 1, name: 'A take-home pack for your client' })).toBeVisible();
	const script = page.getByRole('checkbox', { name: /Landing, in my voice/ });
	if (!(await script.isChecked())) await script.check();
	const playlist = page.getByRole('checkbox', { name: /^Closing and grounding/ });
	if (!(await playlist.isChecked())) await playlist.check();
	await expect(page.getByRole('checkbox', { name: /Include the breathing practice/ })).toBeChecked();
	await page.getByLabel('A personal note').fill(note);
	await page.getByLabel('Your name').fill(THERAPIST);
	await page.getByLabel('How to reach you').fill('ana@example.org');
	await page.getByLabel('A support line for hard moments').fill('Call 988');
	// A plan for the days after, with the therapist's script suggested, and words for the preparation card.
	const includePlan = page.getByRole('checkbox', { name: 'Include a plan' });
	if (!(await includePlan.isChecked())) await includePlan.check();
	await page.getByLabel('Date of the session (optional)').fill('2026-12-05');
	await page.getByLabel('Time it begins').first().fill('10:00');
	await page
		.getByRole('group', { name: /first three days/i })
		.getByRole('checkbox', { name: /Landing, in my voice/ })
		.check();
	await page.getByLabel('Intentions for the session (optional)').fill('To meet what comes with curiosity.');
	await expect(page.getByTestId('pack-size')).toContainText(/About \d/);
	await page.getByRole('button', { name: 'Make the pack' }).click();
	await expect(page.getByText(/^Ready:/)).toBeVisible({ timeout: 30_000 });
	const download = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Save the file' }).click();
	const file = await download;
	const path = await file.path();
	return { name: file.suggestedFilename(), bytes: readFileSync(path) };
}

async function openPackFile(page: Page, name: string, bytes: Buffer): Promise<void> {
	const chooser = page.waitForEvent('filechooser');
	await page.getByRole('button', { name: 'Choose the file…' }).click();
	await (await chooser).setFiles({ name, mimeType: 'application/octet-stream', buffer: bytes });
}

test('a pack goes from the therapist’s device to the client’s, previewed, installed, and played offline in the therapist’s voice', async ({
	browser
}) => {
	const therapist = await browser.newContext({ acceptDownloads: true });
	const therapistPage = await therapist.newPage();
	await recordScript(therapistPage);
	const first = await makePack(therapistPage, 'Go gently this week.');
	expect(first.name).toMatch(/^grounded-take-home-dr-ana-ruiz-\d{4}-\d\d-\d\d\.grounded$/);

	// The client's device: nothing stored.
	const client = await browser.newContext();
	await noSystemVoices(client);
	await installAudioTap(client);
	const page = await client.newPage();
	await page.goto('/');
	await waitUntilControlled(page);
	await openPackFile(page, first.name, first.bytes);
	const preview = page.getByRole('region', { name: 'Open a take-home pack' });
	await expect(preview.getByText(`${THERAPIST} made this pack on`)).toBeVisible();
	for (const title of ['Landing, in my voice', 'Your breathing practice', 'A note from your therapist'])
		await expect(preview.getByRole('listitem').filter({ hasText: title })).toContainText('New');
	// A curated playlist is named, not copied: every Grounded has it.
	await expect(preview.getByRole('listitem').filter({ hasText: 'Closing and grounding' })).toContainText(
		'Already here: it comes with Grounded'
	);
	await expect(preview.getByText('A plan for the days after your session')).toBeVisible();
	await expect(preview.getByText('Words for your preparation card')).toBeVisible();
	await page.setViewportSize({ width: 390, height: 844 });
	await preview.screenshot({ path: test.info().outputPath('preview-phone.png') });
	await page.setViewportSize({ width: 1280, height: 720 });
	// Nothing is stored before the confirm: a reload shows no pack.
	await page.reload();
	await expect(page.getByRole('heading', { name: `From ${THERAPIST}` })).toHaveCount(0);
	await openPackFile(page, first.name, first.bytes);
	await page.getByRole('button', { name: 'Put it on this device' }).click();
	await expect(page.getByText('It is on this device now.')).toBeVisible({ timeout: 30_000 });

	const from = page.getByRole('region', { name: `From ${THERAPIST}` });
	await expect(from).toBeVisible();
	await expect(from.getByText('Go gently this week.')).toBeVisible();
	await expect(from.getByText('Call 988')).toBeVisible();
	// The therapist's plan is offered with its date; once set, the first days suggest their script.
	await page.getByRole('link', { name: 'See the plan' }).click();
	await expect(page.getByRole('heading', { name: `A plan from ${THERAPIST}` })).toBeVisible();
	await expect(page.getByLabel('Date of the session')).toHaveValue('2026-12-05');
	await page.getByRole('button', { name: 'Set the plan' }).click();
	await expect(page.getByText('Your plan is set.')).toBeVisible();
	await expect(page.getByText('A short practice: Landing, in my voice').first()).toBeAttached();
	await page.goto('/integration/preparation/');
	await expect(page.getByLabel('My intentions')).toHaveValue('To meet what comes with curiosity.');
	await page.goto('/');
	await expect(from.getByRole('link', { name: /Landing, in my voice/ })).toContainText('In your therapist’s voice');
	await page.screenshot({ path: test.info().outputPath('client-home.png'), fullPage: true });

	// Opening the same pack again changes nothing.
	await openPackFile(page, first.name, first.bytes);
	await expect(preview.getByText('This pack is already on this device. Nothing would change.')).toBeVisible();
	await expect(page.getByRole('button', { name: 'Put it on this device' })).toHaveCount(0);
	await preview.getByRole('button', { name: 'Close' }).click();

	// The network cut: the script plays from this device, the clip in its step.
	const cut = await goOffline(client);
	await from.getByRole('link', { name: /Landing, in my voice/ }).click();
	await expect(page.getByRole('heading', { name: 'Landing, in my voice', level: 1 })).toBeVisible();
	await page.getByRole('radio', { name: /^Recorded voice where there is one/ }).check();
	const before = await tapContextIds(page);
	await page.getByRole('button', { name: 'Begin' }).click();
	await expect(page.getByTestId('step-text')).toHaveText('Arrive, just as you are.');
	const ids = await runContexts(page, before);
	await expect(page.getByText('The script has finished. Take a moment before you move.')).toBeVisible({
		timeout: 40_000
	});
	// Step 2 begins 3 s after the first chime; the voice sounds in it, from about a second in.
	const firstChime = (await onsetTimes(page, ids.chimes))[0]!;
	const stepTwo = await onClock(page, ids.chimes, ids.voice, firstChime + 3);
	const voice = await onsetTimes(page, ids.voice);
	// The fake microphone beeps: the clip has several onsets, every one of them inside step 2.
	expect(voice.length).toBeGreaterThanOrEqual(1);
	for (const onset of voice) {
		expect(onset - stepTwo).toBeGreaterThan(0.5);
		expect(onset - stepTwo).toBeLessThan(6);
	}
	expect(voice[0]! - stepTwo).toBeGreaterThan(0.5);
	expect(voice[0]! - stepTwo).toBeLessThan(1.8);
	expect((await peakOver(page, ids.voice, voice[0]! + 0.2, voice[0]! + 1.5)).db).toBeGreaterThan(-30);
	expect(cut.reachedNetwork).toEqual([]);
	await cut.restore();

	// The client makes something of their own, then a newer pack arrives.
	await page.goto('/grounding/edit/');
	await page.getByLabel('Title').fill('My own evening');
	await step(page, 1).getByLabel('What this step says').fill('Feel the bed under me.');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

	const second = await makePack(therapistPage, 'A new week: keep breathing slowly.');
	await page.goto('/');
	await openPackFile(page, second.name, second.bytes);
	await expect(preview.getByText(/It is newer than the one from Dr\. Ana Ruiz already here/)).toBeVisible();
	await expect(preview.getByRole('listitem').filter({ hasText: 'A note from your therapist' })).toContainText(
		'A newer version replaces the one here'
	);
	await page.getByRole('button', { name: 'Put it on this device' }).click();
	await expect(page.getByText('It is on this device now.')).toBeVisible({ timeout: 30_000 });
	await expect(from.getByText('A new week: keep breathing slowly.')).toBeVisible();
	await page.goto('/grounding/');
	await expect(page.getByRole('heading', { name: 'My own evening' })).toBeVisible();

	await therapist.close();
	await client.close();
});

test('bad packs are refused in plain words, naming the file, and what was there is kept', async ({ browser }) => {
	const therapist = await browser.newContext({ acceptDownloads: true });
	const therapistPage = await therapist.newPage();
	await therapistPage.goto('/breathe/');
	const good = await makePackWithoutScript(therapistPage);

	// This one comes as the share sheet sends it (the manifest's share_target): a POST the worker keeps.
	const client = await browser.newContext({ acceptDownloads: true });
	const page = await client.newPage();
	await page.goto('/');
	await waitUntilControlled(page);
	const landed = await page.evaluate(
		async ({ name, bytes }) => {
			const form = new FormData();
			form.append('pack', new File([new Uint8Array(bytes)], name));
			const response = await fetch('/take-home/receive/', { method: 'POST', body: form });
			return response.url;
		},
		{ name: good.name, bytes: [...good.bytes] }
	);
	expect(new URL(landed).pathname + new URL(landed).search).toBe('/take-home/receive/?shared=1');
	await page.goto('/take-home/receive/?shared=1');
	await expect(page.getByText(`${THERAPIST} made this pack on`)).toBeVisible();
	await page.getByRole('button', { name: 'Put it on this device' }).click();
	await expect(page.getByText('It is on this device now.')).toBeVisible({ timeout: 30_000 });
	await page.getByRole('link', { name: 'See it on the home page' }).click();
	const from = page.getByRole('region', { name: `From ${THERAPIST}` });
	await expect(from.getByText('Before the next session.')).toBeVisible();

	const cases: [string, Buffer, RegExp][] = [
		['empty.grounded', Buffer.alloc(0), /“empty\.grounded” can’t be opened\. The file is empty\./],
		[
			'cut.grounded',
			good.bytes.subarray(0, good.bytes.length - 40),
			/“cut\.grounded” can’t be opened\. The file is damaged/
		],
		['photo.grounded', Buffer.from('\xff\xd8\xff\xe0 not a pack'), /damaged or incomplete/],
		['other.grounded', Buffer.from(zipSync({ 'readme.txt': strToU8('hello') })), /doesn’t know/],
		[
			'climb.grounded',
			Buffer.from(zipSync({ 'manifest.json': strToU8('{}'), '../../evil.wav': new Uint8Array(8) })),
			/points outside the pack/
		],
		[
			'nested.grounded',
			Buffer.from(zipSync({ 'manifest.json': strToU8('{}'), 'tracks/inner.zip': new Uint8Array(8) })),
			/another archive/
		],
		['newer.grounded', withManifest(good.bytes, (m) => ({ ...m, version: 99 })), /made by a newer Grounded/],
		...(await packsRefusedInNode())
	];
	for (const [name, bytes, reason] of cases) {
		await openPackFile(page, name, bytes);
		// Some are refused on opening; the audio's are refused as it is verified, after the confirm.
		const confirm = page.getByRole('button', { name: 'Put it on this device' });
		const message = page.getByRole('region', { name: 'Open a take-home pack' }).locator('.message');
		await expect(confirm.or(message)).toBeVisible();
		if (await confirm.isVisible()) await confirm.click();
		await expect(message).toContainText(reason);
		await expect(message).toContainText('Nothing on this device was changed.');
		await expect(from.getByText('Before the next session.')).toBeVisible();
	}
	await page.reload();
	await expect(
		page.getByRole('region', { name: `From ${THERAPIST}` }).getByText('Before the next session.')
	).toBeVisible();

	// The pack's items are part of "Save a copy of my data" and go with "Erase all my data".
	await page.goto('/privacy/');
	const downloading = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Save a copy of my data' }).click();
	const copy = JSON.parse(readFileSync(await (await downloading).path(), 'utf8')) as { data: Record<string, unknown> };
	const record = Object.entries(copy.data).find(([key]) => key.startsWith('take-home:'));
	expect(record?.[1]).toMatchObject({ note: 'Before the next session.', from: { name: THERAPIST } });
	await page.getByRole('button', { name: 'Erase all my data' }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Erase everything' }).click();
	await expect(page.getByRole('status')).toContainText('has been erased');
	await page.goto('/');
	await expect(page.getByRole('heading', { name: 'Who is using Grounded here?' })).toBeVisible();
	await expect(page.getByRole('region', { name: `From ${THERAPIST}` })).toHaveCount(0);
	await therapist.close();
	await client.close();
});

/** A pack of just a note and the breathing practice. */
async function makePackWithoutScript(page: Page): Promise<{ name: string; bytes: Buffer }> {
	await page.goto('/take-home/');
	await page.getByLabel('A personal note').fill('Before the next session.');
	await page.getByLabel('Your name').fill(THERAPIST);
	await page.getByRole('button', { name: 'Make the pack' }).click();
	await expect(page.getByText(/^Ready:/)).toBeVisible({ timeout: 30_000 });
	const download = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Save the file' }).click();
	const file = await download;
	return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

/** The pack with its manifest changed (every other file as it was). */
function withManifest(pack: Buffer, change: (manifest: Record<string, unknown>) => Record<string, unknown>): Buffer {
	const files = unzipSync(new Uint8Array(pack));
	const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as Record<string, unknown>;
	files['manifest.json'] = strToU8(JSON.stringify(change(manifest)));
	return Buffer.from(zipSync(files));
}

/** A pack the app's own writer makes in Node: a script with one recorded step. */
async function nodePack(
	change: { note?: string; clip?: Uint8Array } = {}
): Promise<{ bytes: Uint8Array; clip: Uint8Array }> {
	const clip = change.clip ?? new Uint8Array(wav(660, 1, 24_000));
	const script = {
		version: 1 as const,
		id: 'node-script',
		title: 'Made in Node',
		summary: '',
		builtIn: false,
		steps: [
			{
				id: 'one',
				text: 'One.',
				timing: { kind: 'timed' as const, seconds: 3 },
				breath: null,
				chime: false,
				background: null
			}
		]
	};
	const path = clipPath(script.id, 'one');
	const contents: PackContents = {
		from: { id: 'node-therapist-0001', name: 'Node', contact: '', supportLine: '' },
		clientName: null,
		note: change.note ?? 'From Node.',
		scripts: [script],
		builtInScriptIds: [],
		clips: [{ scriptId: script.id, stepId: 'one', path, durationSeconds: 1, gainDb: 0, recordedAt: 1 }],
		breathing: practiceFromSettings(DEFAULT_SETTINGS, 'Breathing'),
		playlists: [],
		tracks: []
	};
	const audio: PackAudio[] = [{ path, blob: new Blob([clip as BlobPart], { type: 'audio/wav' }) }];
	const blob = await writePack(contents, audio, {
		createdAt: new Date('2026-12-01T10:00:00Z'),
		builtInTitles: new Map()
	});
	return { bytes: new Uint8Array(await blob.arrayBuffer()), clip };
}

/** The refusals that need a real pack to start from: each names what is wrong with it. */
async function packsRefusedInNode(): Promise<[string, Buffer, RegExp][]> {
	const { bytes, clip } = await nodePack();
	const at = indexOf(bytes, clip.subarray(400, 432));
	const flipped = Buffer.from(bytes);
	flipped[at] = flipped[at]! ^ 0xff;
	// Starts like a WAV and is fingerprinted rightly, but is no audio at all.
	const noAudio = (await nodePack({ clip: new Uint8Array([...strToU8('RIFF'), ...new Uint8Array(4_000).fill(7)]) }))
		.bytes;
	const files = unzipSync(bytes);
	const many: Record<string, Uint8Array> = { ...files };
	for (let n = 0; n < 2_001; n += 1) many[`clips/node-script/extra-${n}.wav`] = new Uint8Array(1);
	const twice = zipSync({ 'manifest.json': strToU8('{}'), 'manifest.jsoX': strToU8('{}') });
	for (let i = indexOf(twice, strToU8('manifest.jsoX')); i >= 0; i = indexOf(twice, strToU8('manifest.jsoX')))
		twice.set(strToU8('manifest.json'), i);
	return [
		['fingerprint.grounded', flipped, /does not match its fingerprint/],
		['not-audio.grounded', Buffer.from(noAudio), /A recording of “Made in Node” does not play/],
		['long-note.grounded', Buffer.from((await nodePack({ note: 'x'.repeat(5_000) })).bytes), /The note is too long/],
		[
			'sizes.grounded',
			withManifest(Buffer.from(bytes), (m) => ({
				...m,
				files: (m.files as { path: string; bytes: number }[]).map((f) =>
					f.path.startsWith('clips/') ? { ...f, bytes: f.bytes + 1 } : f
				)
			})),
			/is not the size its manifest says/
		],
		[
			'huge.grounded',
			withManifest(Buffer.from(bytes), (m) => ({
				...m,
				files: (m.files as { path: string; bytes: number }[]).map((f) =>
					f.path.startsWith('clips/') ? { ...f, bytes: 40_000_000 } : f
				)
			})),
			/is larger than a pack may hold/
		],
		['many.grounded', Buffer.from(zipSync(many)), /too many files/],
		[
			'backslash.grounded',
			Buffer.from(zipSync({ 'manifest.json': strToU8('{}'), 'clips\\a\\b.wav': new Uint8Array(8) })),
			/backslash/
		],
		[
			'absolute.grounded',
			Buffer.from(zipSync({ 'manifest.json': strToU8('{}'), '/etc/passwd': new Uint8Array(8) })),
			/absolute path/
		],
		['twice.grounded', Buffer.from(twice), /two files named/]
	];
}
