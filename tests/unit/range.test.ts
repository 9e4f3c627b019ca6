import { describe, expect, it } from 'vitest';
import { parseRange, rangeResponse } from '../../src/lib/offline/range';

describe('parseRange', () => {
	it('reads first-last, open-ended and suffix ranges', () => {
		expect(parseRange('bytes=0-0', 10)).toEqual({ kind: 'partial', start: 0, end: 0 });
		expect(parseRange('bytes=2-5', 10)).toEqual({ kind: 'partial', start: 2, end: 5 });
		expect(parseRange('bytes=0-', 10)).toEqual({ kind: 'partial', start: 0, end: 9 });
		expect(parseRange('bytes=7-', 10)).toEqual({ kind: 'partial', start: 7, end: 9 });
		expect(parseRange('bytes=-3', 10)).toEqual({ kind: 'partial', start: 7, end: 9 });
		expect(parseRange('bytes=9-9', 10)).toEqual({ kind: 'partial', start: 9, end: 9 });
	});

	it('clamps an end or a suffix beyond the body to the body', () => {
		expect(parseRange('bytes=4-100', 10)).toEqual({ kind: 'partial', start: 4, end: 9 });
		expect(parseRange('bytes=-25', 10)).toEqual({ kind: 'partial', start: 0, end: 9 });
		expect(parseRange('bytes=0-99999999999999999999999', 10)).toEqual({ kind: 'partial', start: 0, end: 9 });
	});

	it('tolerates blanks and any case in the unit', () => {
		expect(parseRange('  bytes = 1 - 3 ', 10)).toEqual({ kind: 'partial', start: 1, end: 3 });
		expect(parseRange('Bytes=1-3', 10)).toEqual({ kind: 'partial', start: 1, end: 3 });
		expect(parseRange('bytes=\t-2', 10)).toEqual({ kind: 'partial', start: 8, end: 9 });
	});

	it('answers only the first satisfiable range of several', () => {
		expect(parseRange('bytes=0-1,5-6', 10)).toEqual({ kind: 'partial', start: 0, end: 1 });
		expect(parseRange('bytes=5-6, 0-1', 10)).toEqual({ kind: 'partial', start: 5, end: 6 });
		expect(parseRange('bytes=20-30, 2-3', 10)).toEqual({ kind: 'partial', start: 2, end: 3 });
		expect(parseRange('bytes=,1-2,', 10)).toEqual({ kind: 'partial', start: 1, end: 2 });
	});

	it('ignores a missing, malformed or non-bytes header', () => {
		for (const header of [
			null,
			'',
			'bytes',
			'bytes=',
			'bytes=-',
			'bytes=abc',
			'bytes=5-2',
			'bytes=1-2-3',
			'bytes=0x1-5',
			'bytes=-1.5',
			'bytes=0-1,oops',
			'items=0-1',
			'0-1'
		]) {
			expect(parseRange(header, 10), String(header)).toEqual({ kind: 'full' });
		}
	});

	it('finds a start at or past the end, a zero suffix or any range of an empty body unsatisfiable', () => {
		expect(parseRange('bytes=10-', 10)).toEqual({ kind: 'unsatisfiable' });
		expect(parseRange('bytes=10-20', 10)).toEqual({ kind: 'unsatisfiable' });
		expect(parseRange('bytes=-0', 10)).toEqual({ kind: 'unsatisfiable' });
		expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
		expect(parseRange('bytes=-5', 0)).toEqual({ kind: 'unsatisfiable' });
		expect(parseRange('bytes=20-30,40-', 10)).toEqual({ kind: 'unsatisfiable' });
		expect(parseRange(null, 0)).toEqual({ kind: 'full' });
	});
});

const BYTES = Uint8Array.from({ length: 10 }, (_, i) => 100 + i);

function stored(): Response {
	return new Response(BYTES, {
		status: 200,
		headers: { 'content-type': 'audio/mpeg', 'content-length': '10', etag: '"abc"', 'x-other': 'kept on 200' }
	});
}

const ask = (range?: string) =>
	new Request('https://grounded.test/audio/a.mp3', range === undefined ? {} : { headers: { range } });

async function body(response: Response): Promise<number[]> {
	return [...new Uint8Array(await response.arrayBuffer())];
}

describe('rangeResponse', () => {
	it('gives the whole file with Accept-Ranges when no range is asked', async () => {
		const response = await rangeResponse(ask(), stored());
		expect(response.status).toBe(200);
		expect(response.headers.get('accept-ranges')).toBe('bytes');
		expect(response.headers.get('content-type')).toBe('audio/mpeg');
		expect(response.headers.get('content-length')).toBe('10');
		expect(response.headers.get('x-other')).toBe('kept on 200');
		expect(response.headers.get('content-range')).toBeNull();
		expect(await body(response)).toEqual([...BYTES]);
	});

	it('answers Chromium’s first media request, bytes=0-, with a 206 of the whole body', async () => {
		const response = await rangeResponse(ask('bytes=0-'), stored());
		expect(response.status).toBe(206);
		expect(response.headers.get('content-range')).toBe('bytes 0-9/10');
		expect(response.headers.get('content-length')).toBe('10');
		expect(response.headers.get('accept-ranges')).toBe('bytes');
		expect(response.headers.get('content-type')).toBe('audio/mpeg');
		expect(await body(response)).toEqual([...BYTES]);
	});

	it('answers Safari’s probe, bytes=0-1, with the first two bytes', async () => {
		const response = await rangeResponse(ask('bytes=0-1'), stored());
		expect(response.status).toBe(206);
		expect(response.headers.get('content-range')).toBe('bytes 0-1/10');
		expect(response.headers.get('content-length')).toBe('2');
		expect(await body(response)).toEqual([100, 101]);
	});

	it('cuts a middle range, keeping the type and validators but not the whole file’s other headers', async () => {
		const response = await rangeResponse(ask('bytes=3-6'), stored());
		expect(response.status).toBe(206);
		expect(response.headers.get('content-range')).toBe('bytes 3-6/10');
		expect(response.headers.get('content-length')).toBe('4');
		expect(response.headers.get('etag')).toBe('"abc"');
		expect(response.headers.get('x-other')).toBeNull();
		expect(await body(response)).toEqual([103, 104, 105, 106]);
	});

	it('serves an open end, a suffix and an end beyond the file', async () => {
		const open = await rangeResponse(ask('bytes=8-'), stored());
		expect([open.status, open.headers.get('content-range'), await body(open)]).toEqual([
			206,
			'bytes 8-9/10',
			[108, 109]
		]);
		const suffix = await rangeResponse(ask('bytes=-3'), stored());
		expect([suffix.status, suffix.headers.get('content-range'), await body(suffix)]).toEqual([
			206,
			'bytes 7-9/10',
			[107, 108, 109]
		]);
		const beyond = await rangeResponse(ask('bytes=5-5000'), stored());
		expect([beyond.status, beyond.headers.get('content-length'), await body(beyond)]).toEqual([
			206,
			'5',
			[105, 106, 107, 108, 109]
		]);
	});

	it('serves the first of several ranges as a single part', async () => {
		const response = await rangeResponse(ask('bytes=0-1,5-6'), stored());
		expect(response.status).toBe(206);
		expect(response.headers.get('content-type')).toBe('audio/mpeg');
		expect(response.headers.get('content-range')).toBe('bytes 0-1/10');
		expect(await body(response)).toEqual([100, 101]);
	});

	it('ignores a malformed range and gives the whole file', async () => {
		const response = await rangeResponse(ask('bytes=6-2'), stored());
		expect(response.status).toBe(200);
		expect(response.headers.get('accept-ranges')).toBe('bytes');
		expect(response.headers.get('content-range')).toBeNull();
		expect(await body(response)).toEqual([...BYTES]);
	});

	it('refuses a range past the end with 416 and the real size', async () => {
		const response = await rangeResponse(ask('bytes=10-'), stored());
		expect(response.status).toBe(416);
		expect(response.headers.get('content-range')).toBe('bytes */10');
		expect(await body(response)).toEqual([]);
	});

	it('refuses any range of an empty file', async () => {
		const empty = new Response(new Uint8Array(0), { status: 200, headers: { 'content-type': 'audio/mpeg' } });
		const response = await rangeResponse(ask('bytes=0-'), empty);
		expect(response.status).toBe(416);
		expect(response.headers.get('content-range')).toBe('bytes */0');
	});

	it('passes on a stored response that is not a whole 200', async () => {
		const missing = new Response('gone', { status: 404 });
		const response = await rangeResponse(ask('bytes=0-'), missing);
		expect(response).toBe(missing);
	});
});
