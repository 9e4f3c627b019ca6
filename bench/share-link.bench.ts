/**
 * Bench, share links: how long the links Grounded makes for a QR code are, and the code each needs.
 * Every breathing pattern as a practice (the pacer's defaults, a title of 24 characters) and every
 * built-in script as the app links it (by its id); then, for scale, each built-in's full words as
 * an own copy would travel ("Duplicate to adapt", unchanged), and the longest practice there can be
 * (a title of 120 characters, every number unusual). Links are made for an app served at APP_URL.
 * Writes bench-results/share-link.json; `npm run bench` prints it.
 */
import { it } from 'vitest';
import { commands } from 'vitest/browser';
import { PATTERN_INFO, type PatternKind } from '../src/lib/breath/patterns';
import { DEFAULT_SETTINGS } from '../src/lib/breath/settings';
import { BUILTIN_SCRIPTS } from '../src/lib/grounding/builtin-scripts';
import { practiceFromSettings } from '../src/lib/take-home/practice';
import { QR_ECC, qrCodeOf } from '../src/lib/take-home/qr-code';
import { encodeShareLink, type LinkItem } from '../src/lib/take-home/share-link';

/** A title of the most characters a practice's title may have (120), in words that don't repeat. */
const LONGEST_TITLE =
	'Slow breathing for evenings after our sessions: in through the nose, out through the mouth, for as long as it feels kind';

/** An address of ordinary length for where Grounded is served (25 characters). */
const APP_URL = 'https://grounded.example/';

async function longest(items: LinkItem[]): Promise<{ chars: number; version: number; squares: number }> {
	const links = items.map((item) => encodeShareLink(item, APP_URL));
	const link = links.reduce((a, b) => (b.length > a.length ? b : a));
	const code = await qrCodeOf(link);
	if (!code) throw new Error(`no QR code holds ${link.length} characters`);
	return { chars: link.length, version: code.version, squares: code.size - 8 };
}

it('measures the links for every pattern and every built-in script', async () => {
	const patterns = (Object.keys(PATTERN_INFO) as PatternKind[]).map((pattern): LinkItem => ({
		kind: 'breathing',
		practice: practiceFromSettings({ ...DEFAULT_SETTINGS, pattern }, 'Slow breathing, evenings')
	}));
	const builtIns = BUILTIN_SCRIPTS.map((script): LinkItem => ({ kind: 'script', script }));
	const copies = BUILTIN_SCRIPTS.map((script): LinkItem => ({
		kind: 'script',
		script: { ...script, id: 'mine-k3x9q2ab', builtIn: false }
	}));
	const longestPractice: LinkItem = {
		kind: 'breathing',
		practice: {
			version: 1,
			title: LONGEST_TITLE,
			settings: {
				pattern: 'custom',
				coherentRate: 6.5,
				custom: { inhale: 4.5, holdIn: 1.5, exhale: 7.5, holdOut: 0.5 },
				cueSet: 'chimes',
				volume: 0.37,
				length: { kind: 'breaths', count: 120 },
				ramp: { enabled: true, fromRate: 9.5, minutes: 2.5 }
			}
		}
	};

	const app = await longest([...patterns, ...builtIns]);
	const copy = await longest(copies);
	const practice = await longest([longestPractice]);
	const figures = {
		share_link_max_chars: app.chars,
		share_link_qr_version: app.version,
		share_link_qr_squares: app.squares,
		share_link_qr_ecc: QR_ECC,
		share_link_script_copy_max_chars: copy.chars,
		share_link_script_copy_qr_version: copy.version,
		share_link_practice_longest_chars: practice.chars,
		share_link_practice_longest_qr_version: practice.version,
		share_link_app_url_chars: APP_URL.length
	};
	await commands.writeFile('bench-results/share-link.json', JSON.stringify(figures, null, 2));
});
