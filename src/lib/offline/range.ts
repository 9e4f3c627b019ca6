/**
 * Byte ranges for audio answered from the Cache API.
 *
 * Media elements ask for byte ranges (Chromium starts with `bytes=0-`, Safari with `bytes=0-1`)
 * and Safari refuses to play a plain 200 given to a range request. The cache holds each file
 * whole, so a range is cut from the stored body and sent as a 206, the approach of Workbox's
 * range-requests plugin (developer.chrome.com/docs/workbox/serving-cached-audio-and-video).
 *
 * Uses only `Request`, `Response`, `Blob` and `Headers`, so it runs in the service worker,
 * in a page and in Node.
 *
 * @example
 * const cached = await cache.match(request, { ignoreVary: true });
 * if (cached) return rangeResponse(request, cached); // 200, 206 or 416
 */

/** What a Range header asks of a body of a given size; `end` is inclusive, as in the header. */
export type ByteRange = { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

const FULL: ByteRange = { kind: 'full' };
const UNSATISFIABLE: ByteRange = { kind: 'unsatisfiable' };

/** `first-last`, `first-` or `-suffix`; blanks around the dash are tolerated. */
const RANGE_SPEC = /^(\d*)[ \t]*-[ \t]*(\d*)$/;

/**
 * Reads a Range header (RFC 9110 §14.1.2, §14.2) against a body of `size` bytes.
 *
 * A header that is missing, malformed or in a unit other than bytes is ignored (`full`), as the
 * RFC asks. Of several ranges only the first satisfiable one is answered: media elements never
 * ask for more than one, and a server may answer fewer ranges than asked for, which spares the
 * worker from building multipart/byteranges bodies.
 *
 * @example
 * parseRange('bytes=0-', 10); // { kind: 'partial', start: 0, end: 9 }
 * parseRange('bytes=-4', 10); // { kind: 'partial', start: 6, end: 9 }
 * parseRange('bytes=10-', 10); // { kind: 'unsatisfiable' }
 */
export function parseRange(header: string | null, size: number): ByteRange {
	if (header === null) return FULL;
	const equals = header.indexOf('=');
	if (equals < 0 || header.slice(0, equals).trim().toLowerCase() !== 'bytes') return FULL;
	// Empty list elements (`bytes=0-1,,4-5`) are allowed by the list syntax (RFC 9110 §5.6.1).
	const specs = header
		.slice(equals + 1)
		.split(',')
		.map((spec) => spec.trim())
		.filter((spec) => spec !== '');
	if (specs.length === 0) return FULL;

	const ranges: ByteRange[] = [];
	for (const spec of specs) {
		const range = parseSpec(spec, size);
		// One invalid range-spec makes the whole header invalid, so it is ignored.
		if (range === undefined) return FULL;
		ranges.push(range);
	}
	return ranges.find((range) => range.kind === 'partial') ?? UNSATISFIABLE;
}

/** A single range-spec against `size`; undefined when it breaks the syntax. */
function parseSpec(spec: string, size: number): ByteRange | undefined {
	const match = RANGE_SPEC.exec(spec);
	if (!match) return undefined;
	const [, first = '', last = ''] = match;
	if (first === '' && last === '') return undefined;
	if (first === '') {
		// A suffix: the last n bytes. Zero bytes, or any suffix of an empty body, cannot be served.
		const length = Number(last);
		if (length === 0 || size === 0) return UNSATISFIABLE;
		return { kind: 'partial', start: Math.max(0, size - length), end: size - 1 };
	}
	const start = Number(first);
	const end = last === '' ? Number.POSITIVE_INFINITY : Number(last);
	if (end < start) return undefined;
	if (start >= size) return UNSATISFIABLE;
	return { kind: 'partial', start, end: Math.min(end, size - 1) };
}

/** Headers of the stored response that still describe a slice of it. Length and encoding describe the whole. */
const KEPT_ON_PARTIAL = ['content-type', 'etag', 'last-modified', 'cache-control'];

/**
 * Answers `request` from `cached`, a whole 200 response taken from the Cache API: the response
 * itself when no range is asked (or the header is ignored), a 206 slice for a range, a 416 for
 * a range past the end. A response that is not a 200 is returned as it is: it has no body to cut.
 *
 * `If-Range` is not honoured: audio files are stored under content-hashed names, so the stored
 * bytes are the only version that URL has ever had, and a copy written by the download manager
 * carries no validators to compare with, which would turn every seek into a whole-file answer.
 */
export async function rangeResponse(request: Request, cached: Response): Promise<Response> {
	if (cached.status !== 200) return cached;
	const header = request.headers.get('range');
	if (header === null) return withAcceptRanges(cached, cached.body);

	const blob = await cached.blob();
	const range = parseRange(header, blob.size);
	if (range.kind === 'full') return withAcceptRanges(cached, blob);
	if (range.kind === 'unsatisfiable') {
		return new Response(null, {
			status: 416,
			statusText: 'Range Not Satisfiable',
			headers: { 'accept-ranges': 'bytes', 'content-range': `bytes */${blob.size}` }
		});
	}
	const headers = new Headers();
	for (const name of KEPT_ON_PARTIAL) {
		const value = cached.headers.get(name);
		if (value !== null) headers.set(name, value);
	}
	headers.set('accept-ranges', 'bytes');
	headers.set('content-range', `bytes ${range.start}-${range.end}/${blob.size}`);
	headers.set('content-length', String(range.end - range.start + 1));
	return new Response(blob.slice(range.start, range.end + 1), {
		status: 206,
		statusText: 'Partial Content',
		headers
	});
}

/** A copy of the whole response that says ranges are welcome; responses from the cache have immutable headers. */
function withAcceptRanges(cached: Response, body: BodyInit | null): Response {
	const headers = new Headers(cached.headers);
	headers.set('accept-ranges', 'bytes');
	return new Response(body, { status: 200, statusText: cached.statusText, headers });
}
