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
//   host.setOffline(true); // the network is gone: every connection is refused until setOffline(false)
//   host.failures(); // requests answered with an error status, e.g. ['404 /missing.js']
//   await host.close();
//
// `extra` serves files the build does not have (the cross-engine harness's error recorder and its
// baseline page) under their own paths, and `injectIntoHtml` adds script tags to every page served,
// the way a test runner's init script would, so that errors during a page's first load are caught
// in engines whose drivers have no init scripts (WebKitWebDriver speaks classic WebDriver only).
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
	'.txt': 'text/plain; charset=utf-8',
	'.m4a': 'audio/mp4',
	'.ogg': 'audio/ogg',
	'.flac': 'audio/flac'
};

/**
 * @typedef {object} StaticServer
 * @property {string} url The origin, e.g. http://localhost:41234
 * @property {(transform: ((source: string) => string) | null) => void} changeWorker From now on,
 *   service-worker.js is the built one passed through `transform` (null: the built one again).
 * @property {{ audioBytes: number, audioRequests: string[] }} stats Bytes of /audio/ files sent
 *   (bodies only) and each audio request as `path range`, since start or the last `resetStats`.
 * @property {() => void} resetStats
 * @property {(offline: boolean) => void} setOffline While offline, every connection is closed at once
 *   and no request is answered, as when the network is gone (not a 404: the browser sees a failure).
 * @property {() => string[]} failures Requests answered with an error status (400 or above) since
 *   start or the last `resetStats`, as `status path`.
 * @property {() => Promise<void>} close
 */

/**
 * @param {{ root: string, port?: number, extra?: Record<string, string>, injectIntoHtml?: string[] }} options
 *   `extra`: URL path → file on disk, served as they are. `injectIntoHtml`: script paths added at
 *   the top of every HTML page's head.
 * @returns {Promise<StaticServer>}
 */
export async function startStaticServer({ root, port = 0, extra = {}, injectIntoHtml = [] }) {
	const siteHeaders = readSiteHeaders(root);
	const injection = injectIntoHtml.map((src) => `<script src="${src}"></script>`).join('');
	let offline = false;
	/** @type {Set<import('node:net').Socket>} */
	const sockets = new Set();
	/** @type {string[]} */
	const failures = [];
	/** @type {((source: string) => string) | null} */
	let workerTransform = null;
	const stats = { audioBytes: 0, audioRequests: /** @type {string[]} */ ([]) };

	const server = createServer((request, response) => {
		if (offline) {
			request.socket.destroy();
			return;
		}
		const url = new URL(request.url ?? '/', 'http://localhost');
		let path;
		try {
			path = decodeURIComponent(url.pathname);
		} catch {
			path = url.pathname;
		}
		response.on('finish', () => {
			if (response.statusCode >= 400) failures.push(`${response.statusCode} ${path}`);
		});
		const file = extra[path] ?? normalize(join(root, path));
		if (
			(!extra[path] && !file.startsWith(normalize(root))) ||
			(request.method !== 'GET' && request.method !== 'HEAD')
		) {
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

		const html = extname(target) === '.html' && injection !== '';
		if ((path === '/service-worker.js' && workerTransform) || html) {
			const source = readFileSync(target, 'utf8');
			const body = html ? source.replace(/<head>/i, `<head>${injection}`) : (workerTransform?.(source) ?? source);
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

	server.on('connection', (socket) => {
		if (offline) {
			socket.destroy();
			return;
		}
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
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
			failures.length = 0;
		},
		setOffline: (value) => {
			offline = value;
			if (offline) for (const socket of sockets) socket.destroy();
		},
		failures: () => [...failures],
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
