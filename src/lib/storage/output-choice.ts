/**
 * The speaker the therapist chose for the session's music, kept on this device so that a reload
 * (or tomorrow's session) plays from it again. Browser device ids are per site and stay the same
 * until the site's data is cleared; the name is kept to say which speaker is missing when it is
 * not connected.
 *
 * @example
 * const choice = new OutputChoiceStore();
 * await choice.save({ deviceId: 'c0ffee…', label: 'Room speaker' });
 * (await choice.load())?.label; // 'Room speaker'
 */
import * as v from 'valibot';
import { indexedDbBackend, StoredValue, type KeyValueBackend, type Result } from './key-value';

export const OUTPUT_CHOICE_KEY = 'output-device';

const schema = v.object({
	version: v.literal(1),
	// Chromium's ids are 64 hex characters; anything much longer is not one.
	deviceId: v.pipe(v.string(), v.maxLength(512)),
	label: v.pipe(v.string(), v.maxLength(300))
});

export interface OutputChoice {
	/** '' for the system's default. */
	readonly deviceId: string;
	readonly label: string;
}

type StoredChoice = v.InferOutput<typeof schema>;

function parse(raw: unknown): StoredChoice | null {
	const parsed = v.safeParse(schema, raw);
	return parsed.success ? parsed.output : null;
}

export class OutputChoiceStore {
	readonly #stored: StoredValue<StoredChoice | null>;

	constructor(backend: KeyValueBackend = indexedDbBackend()) {
		this.#stored = new StoredValue(backend, OUTPUT_CHOICE_KEY, parse, 'The speaker you chose');
	}

	/** The choice, or null when none was made (or what is stored is not one). */
	async load(): Promise<OutputChoice | null> {
		const stored = await this.#stored.load();
		return stored && { deviceId: stored.deviceId, label: stored.label };
	}

	async save(choice: OutputChoice): Promise<Result<OutputChoice>> {
		const saved = await this.#stored.save({ version: 1, deviceId: choice.deviceId, label: choice.label });
		return saved.ok ? { ok: true, value: choice } : saved;
	}
}
