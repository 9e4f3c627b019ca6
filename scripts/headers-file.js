// The `_headers` file: the format Netlify and Cloudflare Pages read to send
// headers with static files. We write it after every build and `vite preview`
// serves the same headers, so what we test is what a host sends.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { securityHeaders } from './security-policy.js';

/** @param {string} dir @returns {string[]} every .html file below dir */
function htmlFiles(dir) {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return htmlFiles(path);
		return entry.name.endsWith('.html') ? [path] : [];
	});
}

/**
 * The sha256 sources of every page's inline scripts, from the CSP SvelteKit wrote into each page.
 * @param {string} buildDir
 */
export function scriptHashes(buildDir) {
	const hashes = new Set();
	for (const file of htmlFiles(buildDir)) {
		const meta = readFileSync(file, 'utf8').match(/<meta http-equiv="content-security-policy" content="([^"]*)"/);
		for (const match of meta?.[1]?.matchAll(/'(sha256-[^']+)'/g) ?? []) hashes.add(match[1]);
	}
	return [...hashes].sort();
}

/** @param {string} buildDir */
export function writeHeadersFile(buildDir) {
	const headers = securityHeaders(scriptHashes(buildDir));
	const lines = ['/*', ...Object.entries(headers).map(([name, value]) => `  ${name}: ${value}`)];
	lines.push('/_app/immutable/*', '  Cache-Control: public, max-age=31536000, immutable');
	lines.push('/service-worker.js', '  Cache-Control: no-cache');
	writeFileSync(join(buildDir, '_headers'), lines.join('\n') + '\n');
	return headers;
}

/**
 * The headers for every path (the `/*` block) of a written `_headers` file.
 * @param {string} buildDir
 * @returns {Record<string, string>}
 */
export function readSiteHeaders(buildDir) {
	/** @type {Record<string, string>} */
	const headers = {};
	let inSiteBlock = false;
	for (const line of readFileSync(join(buildDir, '_headers'), 'utf8').split('\n')) {
		if (!line.startsWith(' ')) inSiteBlock = line.trim() === '/*';
		else if (inSiteBlock) {
			const colon = line.indexOf(':');
			headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
		}
	}
	return headers;
}

if (import.meta.url === `file://${process.argv[1]}`) {
	writeHeadersFile(process.argv[2] ?? 'build');
	console.log(`Wrote ${process.argv[2] ?? 'build'}/_headers`);
}
