/** Where `needle` first occurs in `haystack`, or −1: for tests that change one part of a file's bytes. */
export function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
	outer: for (let i = 0; i + needle.length <= haystack.length; i += 1) {
		for (let j = 0; j < needle.length; j += 1) if (haystack[i + j] !== needle[j]) continue outer;
		return i;
	}
	return -1;
}
