/**
 * The one owner of what came from a therapist on this device: one record per sender, under
 * `take-home:<senderId>`, naming the scripts, playlists and tracks that sender's pack put here,
 * with their note, their contact, the breathing practice, and the plan for the days after and the
 * words for the preparation card when the pack had them (kept as they came, checked at install,
 * and read again through their own schemas where they are used: the plan's code is not loaded by
 * every page that reads a record). The scripts, clips, playlists and
 * tracks themselves live in their own stores, where the player, the console and "Your music"
 * find them; the record is what lets a newer pack from the same sender replace exactly those
 * and nothing the client made.
 *
 * Also the person's answer to "who are you here" (client or therapist), and this device's own
 * sender id, made once, for the packs a therapist makes here.
 *
 * Every read goes through a schema; a damaged record is left alone and not shown. A plan or
 * preparation seed that can't be read does not hide the record: it is refused where it is used.
 *
 * @example
 * const store = new TakeHomeStore();
 * const records = await store.list(); // newest pack first
 * const role = await store.role(); // 'client' | 'therapist' | null (not asked yet)
 */
import * as v from 'valibot';
import type { Result } from '../result';
import { indexedDbBackend, isQuotaError, StoredValue, type KeyValueBackend } from '../storage/key-value';
import type { PackSender } from './pack-format';
import { parsePractice, type BreathingPractice } from './practice';

export const TAKE_HOME_PREFIX = 'take-home:';
const ROLE_KEY = 'app-role';
const SENDER_KEY = 'take-home-sender';

/** Items that came in a link rather than a pack are kept under this sender. */
export const LINK_SENDER_ID = 'from-a-link';

export interface TakeHomeRecord {
	version: 1;
	from: PackSender;
	clientName: string | null;
	note: string | null;
	/** The pack's own creation time (ISO); a pack no newer than this one changes nothing. */
	createdAt: string;
	/** When it was put on this device, epoch milliseconds. */
	installedAt: number;
	scriptIds: string[];
	builtInScriptIds: string[];
	playlistIds: string[];
	trackIds: string[];
	/** A pack's script or playlist id that met one already here, made by someone else, and the id it was kept under. */
	renamed?: Record<string, string>;
	breathing: BreathingPractice | null;
	/**
	 * The sender's plan for the days after, as it is on this device: its scripts by the ids they are
	 * kept under here, its breathing practice as `{ kind: 'breathing', from: <sender id> }`. Absent
	 * in records made before plans.
	 */
	plan?: unknown;
	/** The words the sender suggested for the preparation card. Absent in records made before. */
	preparation?: unknown;
}

export type Role = 'client' | 'therapist';

const ids = v.array(v.pipe(v.string(), v.maxLength(80)));
const recordSchema = v.object({
	version: v.literal(1),
	from: v.object({ id: v.string(), name: v.string(), contact: v.string(), supportLine: v.string() }),
	clientName: v.nullable(v.string()),
	note: v.nullable(v.string()),
	createdAt: v.pipe(v.string(), v.isoTimestamp()),
	installedAt: v.pipe(v.number(), v.finite(), v.minValue(0)),
	scriptIds: ids,
	builtInScriptIds: ids,
	playlistIds: ids,
	trackIds: ids,
	renamed: v.optional(v.record(v.pipe(v.string(), v.maxLength(80)), v.pipe(v.string(), v.maxLength(80))), {}),
	breathing: v.nullable(v.unknown()),
	plan: v.optional(v.unknown(), null),
	preparation: v.optional(v.unknown(), null)
});

export function takeHomeKey(senderId: string): string {
	return `${TAKE_HOME_PREFIX}${senderId}`;
}

/** A stored value as a record, or null; `key` must be the one it was stored under. */
export function parseTakeHomeRecord(key: string, raw: unknown): TakeHomeRecord | null {
	const parsed = v.safeParse(recordSchema, raw);
	if (!parsed.success || takeHomeKey(parsed.output.from.id) !== key) return null;
	let breathing: BreathingPractice | null = null;
	if (parsed.output.breathing !== null) {
		const practice = parsePractice(parsed.output.breathing);
		if (!practice.ok) return null;
		breathing = practice.value;
	}
	return { ...parsed.output, breathing };
}

const parseRole = (raw: unknown): Role | null => (raw === 'client' || raw === 'therapist' ? raw : null);
const parseSender = (raw: unknown): string | null =>
	typeof raw === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(raw) ? raw : null;

export class TakeHomeStore {
	readonly #backend: KeyValueBackend;
	readonly #role: StoredValue<Role | null>;
	readonly #sender: StoredValue<string | null>;

	constructor(backend: KeyValueBackend = indexedDbBackend()) {
		this.#backend = backend;
		this.#role = new StoredValue(backend, ROLE_KEY, parseRole, 'Your choice');
		this.#sender = new StoredValue(backend, SENDER_KEY, parseSender, 'This device’s sender id');
	}

	get backend(): KeyValueBackend {
		return this.#backend;
	}

	/** Every readable record, the newest pack first. */
	async list(): Promise<TakeHomeRecord[]> {
		let all: [string, unknown][];
		try {
			all = await this.#backend.entries();
		} catch {
			return [];
		}
		const records: TakeHomeRecord[] = [];
		for (const [key, raw] of all) {
			if (typeof key !== 'string' || !key.startsWith(TAKE_HOME_PREFIX)) continue;
			const record = parseTakeHomeRecord(key, raw);
			if (record) records.push(record);
		}
		return records.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.installedAt - a.installedAt);
	}

	async get(senderId: string): Promise<TakeHomeRecord | null> {
		const key = takeHomeKey(senderId);
		try {
			return parseTakeHomeRecord(key, await this.#backend.get(key));
		} catch {
			return null;
		}
	}

	async save(record: TakeHomeRecord): Promise<Result<TakeHomeRecord>> {
		const key = takeHomeKey(record.from.id);
		if (!parseTakeHomeRecord(key, record)) return { ok: false, reason: 'This could not be saved: it is incomplete.' };
		try {
			await this.#backend.set(key, record);
			return { ok: true, value: record };
		} catch (error) {
			return {
				ok: false,
				reason: isQuotaError(error)
					? 'This could not be saved because this device is out of storage space. Nothing was changed.'
					: 'This could not be saved on this device just now. Nothing was changed.'
			};
		}
	}

	role(): Promise<Role | null> {
		return this.#role.load();
	}

	setRole(role: Role): Promise<Result<Role | null>> {
		return this.#role.save(role);
	}

	/** This device's sender id, made and kept the first time it is asked for. */
	async senderId(random: () => string = randomId): Promise<string> {
		const kept = await this.#sender.load();
		if (kept) return kept;
		const made = random();
		// If it can't be kept, packs made now still work; a later one would just not replace them.
		await this.#sender.save(made);
		return made;
	}
}

function randomId(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(12));
	return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
