/**
 * The pre-session check, as plain data: what the console knows about the room's device (the
 * playlist's files, storage, the screen, power, the output, the test sound, the therapist's own
 * ticks) turned into the lines the therapist reads, each with its state and the one thing that
 * fixes it. No audio, DOM or storage: the console gathers the facts and performs the fixes.
 *
 * A line that an app cannot put right (a laptop on battery, a browser that cannot keep the screen
 * awake) is settled by the therapist's own "Done": they are the ones who plug in or change the
 * setting. The check never blocks starting: it only says what is left.
 *
 * @example
 * const lines = readinessLines(facts);
 * readinessSummary(lines); // { settled: true, open: 1, text: '1 line to look at. You can still start.' }
 */

/** The hand-ticked lines: what no browser can see. */
export const HAND_CHECKS = [
	{ id: 'notifications', title: 'Notifications silenced on this device' },
	{ id: 'do-not-disturb', title: 'The client’s phone on do-not-disturb' },
	{ id: 'door-sign', title: 'A sign on the door' }
] as const;

export type HandCheckId = (typeof HAND_CHECKS)[number]['id'];

export type LineId = 'downloads' | 'storage' | 'screen' | 'power' | 'output' | 'test-sound' | HandCheckId;

/**
 * - `ok`: nothing to do.
 * - `attention`: something to fix; the line names the tap.
 * - `checking`: not known yet (a moment).
 * - `done-by-hand`: the therapist saw to it (or an app cannot tell, and they ticked it).
 */
export type LineState = 'ok' | 'attention' | 'checking' | 'done-by-hand';

/** The tap a line offers. The console performs it; the component only shows it. */
export type LineAction =
	| 'finish-downloading'
	| 'cancel-download'
	| 'ask-storage'
	| 'mark-done'
	| 'choose-output'
	| 'list-outputs'
	| 'play-test-sound'
	| 'edit-playlist'
	| 'none';

export interface ReadinessLine {
	readonly id: LineId;
	readonly title: string;
	readonly state: LineState;
	/** The state in plain words. */
	readonly detail: string;
	readonly action: LineAction;
	/** The action's button text, where there is one. */
	readonly actionLabel: string;
}

export type DownloadFacts =
	| { readonly kind: 'checking' }
	/** Nothing to download: imported music and generated soundscapes are on the device already. */
	| { readonly kind: 'nothing-to-download' }
	| { readonly kind: 'on-device' }
	| {
			readonly kind: 'missing';
			readonly itemsCached: number;
			readonly itemsTotal: number;
			/** The size of what is missing, e.g. "18 MB". */
			readonly missingSize: string;
			/** What the last try ended with, if it failed. */
			readonly message: string;
			/** Another download runs: this one waits for it. */
			readonly waiting: boolean;
	  }
	| { readonly kind: 'downloading'; readonly progress: string; readonly retrying: string | null };

export type StorageFacts = 'checking' | 'granted' | 'refused' | 'unknown';

export type ScreenFacts = 'checking' | 'stays-awake' | 'refused' | 'unsupported';

export type PowerFacts =
	| { readonly kind: 'checking' }
	/** No Battery Status API (Safari, Firefox): check by hand. */
	| { readonly kind: 'unknown' }
	| { readonly kind: 'known'; readonly charging: boolean; /** 0–1 */ readonly level: number };

/** A speaker the music can be sent to. */
export interface OutputDevice {
	/** The browser's id for it; '' for the system's default. */
	readonly id: string;
	readonly label: string;
}

export type OutputFacts =
	| { readonly kind: 'checking' }
	/** The browser cannot send the music to a chosen device: the system's output plays it. */
	| { readonly kind: 'system' }
	| {
			readonly kind: 'choosable';
			/** The outputs the browser names; empty until it is allowed to name them. */
			readonly devices: readonly OutputDevice[];
			/** The chosen device's id; '' for the system's default. */
			readonly chosenId: string;
			/** The device chosen before, by name, when it is not connected now. */
			readonly missing: string | null;
	  };

export type TestSoundFacts = 'not-played' | 'playing' | 'played' | 'failed';

export interface ReadinessFacts {
	readonly downloads: DownloadFacts;
	/** The therapist's own pieces this playlist names that are no longer in “Your music” here. */
	readonly missingImported: number;
	readonly storage: StorageFacts;
	readonly screen: ScreenFacts;
	readonly power: PowerFacts;
	readonly output: OutputFacts;
	readonly testSound: TestSoundFacts;
	/** Lines the therapist marked done by hand (the hand checks, and lines an app cannot fix). */
	readonly doneByHand: ReadonlySet<LineId>;
}

/** Below this, even a charging device is worth a look: it may not last a session if unplugged. */
export const LOW_BATTERY = 0.3;

function line(
	id: LineId,
	title: string,
	state: LineState,
	detail: string,
	action: LineAction = 'none',
	actionLabel = ''
): ReadinessLine {
	return { id, title, state, detail, action, actionLabel };
}

/** An attention line that only the therapist can put right: settled by their "Done". */
function byHand(
	id: LineId,
	title: string,
	detail: string,
	doneDetail: string,
	done: ReadonlySet<LineId>
): ReadinessLine {
	return done.has(id)
		? line(id, title, 'done-by-hand', doneDetail, 'mark-done', 'Done')
		: line(id, title, 'attention', detail, 'mark-done', 'Done');
}

function downloadsLine(facts: DownloadFacts, missingImported: number): ReadinessLine {
	const title = 'The music is on this device';
	// A download can't bring these back, so they come first: the playlist must change, or the files come back.
	if (missingImported > 0 && facts.kind !== 'downloading' && facts.kind !== 'checking') {
		const pieces = missingImported === 1 ? 'One of your own pieces' : `${missingImported} of your own pieces`;
		const are = missingImported === 1 ? 'is' : 'are';
		const rest = facts.kind === 'missing' ? ' Some of Grounded’s pieces are not downloaded yet either.' : '';
		return line(
			'downloads',
			title,
			'attention',
			`${pieces} in this playlist ${are} no longer in “Your music” on this device: the session passes over ${missingImported === 1 ? 'it' : 'them'}. Import ${missingImported === 1 ? 'it' : 'them'} again, or change the playlist.${rest}`,
			'edit-playlist',
			'Change the playlist'
		);
	}
	switch (facts.kind) {
		case 'checking':
			return line('downloads', title, 'checking', 'Checking this device…');
		case 'nothing-to-download':
			return line('downloads', title, 'ok', 'Everything in this playlist plays from this device.');
		case 'on-device':
			return line('downloads', title, 'ok', 'Every piece is on this device: it plays without the network.');
		case 'downloading':
			return line('downloads', title, 'checking', facts.retrying ?? facts.progress, 'cancel-download', 'Cancel');
		case 'missing': {
			const have =
				facts.itemsCached > 0
					? `${facts.itemsCached} of ${facts.itemsTotal} pieces are on this device.`
					: `None of its ${facts.itemsTotal} pieces are on this device yet.`;
			const waiting = facts.waiting ? ' Waiting for the other download to finish.' : '';
			const message = facts.message ? ` ${facts.message}` : '';
			return line(
				'downloads',
				title,
				'attention',
				`${have} Without them, the music needs the network all session.${waiting}${message}`,
				'finish-downloading',
				`Finish downloading (${facts.missingSize})`
			);
		}
	}
}

function storageLine(facts: StorageFacts): ReadinessLine {
	const title = 'The music stays stored';
	switch (facts) {
		case 'checking':
			return line('storage', title, 'checking', 'Checking…');
		case 'granted':
			return line('storage', title, 'ok', 'This device keeps the music until you remove it.');
		case 'refused':
			return line(
				'storage',
				title,
				'attention',
				'The browser may clear stored music when space runs short. It said no when asked; it may say yes later (on some browsers, after the app is installed or used more).',
				'ask-storage',
				'Ask again'
			);
		case 'unknown':
			return line(
				'storage',
				title,
				'attention',
				'The browser may clear stored music when space runs short, unless it is asked to keep it.',
				'ask-storage',
				'Ask to keep it'
			);
	}
}

function screenLine(facts: ScreenFacts, done: ReadonlySet<LineId>): ReadinessLine {
	const title = 'The screen stays awake';
	switch (facts) {
		case 'checking':
			return line('screen', title, 'checking', 'Checking…');
		case 'stays-awake':
			return line('screen', title, 'ok', 'The screen stays on while the music plays.');
		case 'refused':
			return byHand(
				'screen',
				title,
				'The device refused to keep the screen on (a battery saver may be on). Turn the saver off, or set the screen’s auto-lock to “Never” for the session.',
				'You saw to the screen yourself.',
				done
			);
		case 'unsupported':
			return byHand(
				'screen',
				title,
				'This browser cannot keep the screen on. Set the screen’s auto-lock to “Never” for the session; the music plays on if the screen locks.',
				'You saw to the screen yourself.',
				done
			);
	}
}

function percent(level: number): string {
	return `${Math.round(Math.min(1, Math.max(0, level)) * 100)}%`;
}

function powerLine(facts: PowerFacts, done: ReadonlySet<LineId>): ReadinessLine {
	const title = 'Power for three hours';
	switch (facts.kind) {
		case 'checking':
			return line('power', title, 'checking', 'Checking…');
		case 'unknown':
			return byHand(
				'power',
				title,
				'This browser does not show the battery. Plug the device in, or check it has enough charge for about three hours.',
				'You checked the power yourself.',
				done
			);
		case 'known':
			if (facts.charging && facts.level >= LOW_BATTERY)
				return line('power', title, 'ok', `Plugged in, ${percent(facts.level)} charged.`);
			if (facts.charging)
				return byHand(
					'power',
					title,
					`Plugged in, but only ${percent(facts.level)} charged: keep it plugged in all session.`,
					`Plugged in, ${percent(facts.level)} charged. You saw to it.`,
					done
				);
			return byHand(
				'power',
				title,
				`On battery, ${percent(facts.level)}. Plug in for a session of about three hours.`,
				`On battery, ${percent(facts.level)}. You saw to it.`,
				done
			);
	}
}

function outputLine(facts: OutputFacts): ReadinessLine {
	const title = 'The music plays from the right speaker';
	switch (facts.kind) {
		case 'checking':
			return line('output', title, 'checking', 'Checking…');
		case 'system':
			return line(
				'output',
				title,
				'ok',
				'The system chooses the speaker: this browser can’t send the music to another one. Choose it in the device’s sound or AirPlay/Bluetooth settings, then play the test sound.'
			);
		case 'choosable': {
			if (facts.devices.length === 0)
				return line(
					'output',
					title,
					'ok',
					'The system’s speaker plays the music. To choose another, the browser lists speakers only for pages allowed the microphone; Grounded records nothing and closes it at once.',
					'list-outputs',
					'Show the speakers'
				);
			const chosen = facts.devices.find((device) => device.id === facts.chosenId);
			const missing = facts.missing
				? `“${facts.missing}”, chosen before, is not connected: the system’s speaker plays instead. `
				: '';
			const playing =
				chosen && facts.chosenId !== '' ? `Playing from “${chosen.label}”.` : 'Playing from the system’s speaker.';
			return line(
				'output',
				title,
				facts.missing ? 'attention' : 'ok',
				`${missing}${playing}`,
				'choose-output',
				'Speaker'
			);
		}
	}
}

function testSoundLine(facts: TestSoundFacts): ReadinessLine {
	const title = 'A test sound at the session’s volume';
	switch (facts) {
		case 'not-played':
			return line(
				'test-sound',
				title,
				'attention',
				'Hear it in the room before the client does: it fades in and out like the music.',
				'play-test-sound',
				'Play a test sound'
			);
		case 'playing':
			return line('test-sound', title, 'checking', 'Playing… (about 6 seconds)', 'none');
		case 'played':
			return line(
				'test-sound',
				title,
				'ok',
				'Played. Too loud or too soft? Set the volume, then play it again.',
				'play-test-sound',
				'Play it again'
			);
		case 'failed':
			return line(
				'test-sound',
				title,
				'attention',
				'The test sound could not be played. Check that this device can play sound, then try again.',
				'play-test-sound',
				'Try again'
			);
	}
}

/** Every line of the check, in the order a therapist would go through the room. */
export function readinessLines(facts: ReadinessFacts): ReadinessLine[] {
	return [
		downloadsLine(facts.downloads, facts.missingImported),
		storageLine(facts.storage),
		screenLine(facts.screen, facts.doneByHand),
		powerLine(facts.power, facts.doneByHand),
		outputLine(facts.output),
		testSoundLine(facts.testSound),
		...HAND_CHECKS.map((check) =>
			facts.doneByHand.has(check.id)
				? line(check.id, check.title, 'done-by-hand', 'Done.', 'mark-done', 'Done')
				: line(check.id, check.title, 'attention', 'Only you can see to this.', 'mark-done', 'Done')
		)
	];
}

export interface ReadinessSummary {
	/** No line is still being checked. */
	readonly settled: boolean;
	/** Lines that want a look. */
	readonly open: number;
	readonly text: string;
}

export function readinessSummary(lines: readonly ReadinessLine[]): ReadinessSummary {
	const checking = lines.filter((each) => each.state === 'checking').length;
	const open = lines.filter((each) => each.state === 'attention').length;
	const settled = checking === 0;
	const text =
		open === 0 && settled
			? 'Ready for the room.'
			: open === 0
				? 'Checking…'
				: `${open} ${open === 1 ? 'line' : 'lines'} to look at. You can still start.`;
	return { settled, open, text };
}
