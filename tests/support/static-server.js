// A small static host for the built app (build/), for the tests and the bench that need to deliver a
// new version of the service worker. Browsers check for a new worker from the browser process, and
// neither Playwright's routes nor the DevTools Fetch domain see that request, so a changed
// service-worker.js can only come from the server itself. It sends the same headers a static host
// reading build/_headers would, answers byte ranges (media elements and resumed downloads ask for
// them), and counts the audio bytes it sends. Plain JS so that the bench (scripts/) can use it.
//
//   const host = await startStaticServer({ root: 'build' });
//   await page.goto(`${host.url}/session/`);
//   host.changeWorker((source) => source.replaceAll(version, `${version}-next`)); // a new deployment
//   host.stats.audioBytes; // audio sent since start
//   await host.close();
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { readSiteHeaders } from '../../scripts/headers-file.js';

/** @type {Record<string, string>} */
const TYPES = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript',
	'.css': 'text/css',
	'.json': 'application/json',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.webmanifest': 'application/manifest+json',
	'.mp3': 'audio/mpeg',
	'.wav': 'audio/wav',
	'.txt': 'text/plain; charset=utf-8'
};

/**
 * @typedef {object} StaticServer
 * @property {string} url The origin, e.g. http://localhost:41234
 * @property {(transform: ((source: string) => string) | null) => void} changeWorker From now on,
 *   service-worker.js is the built one passed through `transform` (null: the built one again).
 * @property {{ audioBytes: number, audioRequests: string[] }} stats Bytes of /audio/ files sent
 *   (bodies only) and each audio request as `path range`, since start or the last `resetStats`.
 * @property {() => void} resetStats
 * @property {() => Promise<void>} close
 */

/**
 * @param {{ root: string, port?: number }} options
 * @returns {Promise<StaticServer>}
 */
export async function startStaticServer({ root, port = 0 }) {
	const siteHeaders = readSiteHeaders(root);
	/** @type {((source: string) => string) | null} */
	let workerTransform = null;
	const stats = { audioBytes: 0, audioRequests: /** @type {string[]} */ ([]) };

	const server = createServer((request, response) => {
		const url = new URL(request.url ?? '/', 'http://localhost');
		let path;
		try {
			path = decodeURIComponent(url.pathname);
		} catch {
			path = url.pathname;
		}
		const file = normalize(join(root, path));
		if (!file.startsWith(normalize(root)) || (request.method !== 'GET' && request.method !== 'HEAD')) {
			response.writeHead(400).end();
			return;
		}
		for (const [name, value] of Object.entries(siteHeaders)) response.setHeader(name, value);

		let target = file;
		if (existsSync(target) && statSync(target).isDirectory()) {
			if (!path.endsWith('/')) {
				response.writeHead(308, { location: `${url.pathname}/${url.search}` }).end();
				return;
			}
			target = join(target, 'index.html');
		}
		if (!existsSync(target) || !statSync(target).isFile()) {
			response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
			return;
		}
		response.setHeader('content-type', TYPES[extname(target)] ?? 'application/octet-stream');
		response.setHeader('accept-ranges', 'bytes');
		response.setHeader(
			'cache-control',
			path.startsWith('/_app/immutable/') ? 'public, max-age=31536000, immutable' : 'no-cache'
		);

		if (path === '/service-worker.js' && workerTransform) {
			const body = workerTransform(readFileSync(target, 'utf8'));
			response.writeHead(200, { 'content-length': Buffer.byteLength(body) });
			response.end(request.method === 'HEAD' ? undefined : body);
			return;
		}

		const size = statSync(target).size;
		let start = 0;
		let end = size - 1;
		let status = 200;
		const range = request.headers.range;
		const asked = typeof range === 'string' ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
		if (asked && (asked[1] !== '' || asked[2] !== '')) {
			if (asked[1] === '') {
				start = Math.max(0, size - Number(asked[2]));
			} else {
				start = Number(asked[1]);
				if (asked[2] !== '') end = Math.min(size - 1, Number(asked[2]));
			}
			if (start >= size || start > end) {
				response.writeHead(416, { 'content-range': `bytes */${size}` }).end();
				return;
			}
			status = 206;
			response.setHeader('content-range', `bytes ${start}-${end}/${size}`);
		}
		response.setHeader('content-length', String(end - start + 1));
		response.writeHead(status);
		if (request.method === 'HEAD') {
			response.end();
			return;
		}
		const audio = path.startsWith('/audio/');
		if (audio) stats.audioRequests.push(`${path} ${range ?? ''}`.trim());
		const stream = createReadStream(target, { start, end });
		if (audio) stream.on('data', (chunk) => (stats.audioBytes += chunk.length));
		stream.pipe(response);
	});

	await new Promise((resolve) => server.listen(port, 'localhost', () => resolve(undefined)));
	const address = server.address();
	const actualPort = typeof address === 'object' && address ? address.port : port;
	return {
		url: `http://localhost:${actualPort}`,
		changeWorker: (transform) => {
			workerTransform = transform;
		},
		stats,
		resetStats: () => {
			stats.audioBytes = 0;
			stats.audioRequests.length = 0;
		},
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}

/** The build's version, which the service worker names its shell cache after. @param {string} root */
export function builtVersion(root) {
	return /** @type {{ version: string }} */ (JSON.parse(readFileSync(join(root, '_app/version.json'), 'utf8'))).version;
}
