/**
 * How much of this device the app's caches take, measured from what is stored (each entry's body
 * size), not from estimates: the storage page shows music and the app itself apart.
 *
 * @example
 * const music = await cacheBytes((name) => name === AUDIO_CACHE); // bytes, or null if unreadable
 */

/** Bytes stored in every cache whose name `include` accepts; null when caches cannot be read here. */
export async function cacheBytes(
	include: (name: string) => boolean,
	storage: CacheStorage | undefined = globalThis.caches
): Promise<number | null> {
	if (!storage) return null;
	try {
		let total = 0;
		for (const name of (await storage.keys()).filter(include)) {
			const cache = await storage.open(name);
			for (const request of await cache.keys()) {
				const response = await cache.match(request);
				// Chromium hands out a stored body as a Blob without reading it, so this stays cheap.
				if (response) total += (await response.blob()).size;
			}
		}
		return total;
	} catch {
		return null;
	}
}
