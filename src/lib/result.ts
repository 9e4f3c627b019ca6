/**
 * What loaders, parsers and importers return: a value, or a reason in plain
 * words that can be shown to the person as it is. Exceptions are for bugs.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };
