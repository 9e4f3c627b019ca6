/**
 * Build time only (Node). Grounded's security policy, in one place: the Content-Security-Policy that
 * SvelteKit writes into every prerendered page (svelte.config.js), and the
 * headers any static host should send (scripts/write-headers.mjs writes them
 * to build/_headers; `vite preview` serves them too).
 *
 * Nothing may load from another origin. Each exception below says why the
 * audio stack needs it.
 */

import { createHash } from 'node:crypto';

/**
 * SvelteKit's route announcer (the live region that tells screen-reader users
 * a new page has loaded) is hidden with this inline style attribute, which
 * `style-src 'self'` would block and so show the announcer on screen. Only
 * this exact attribute is allowed, by hash ('unsafe-hashes' covers attributes,
 * nothing else). tests/e2e/privacy.spec.ts checks it still matches SvelteKit's.
 */
export const ROUTE_ANNOUNCER_STYLE =
	'position: absolute; left: 0; top: 0; clip: rect(0 0 0 0); clip-path: inset(50%); overflow: hidden; white-space: nowrap; width: 1px; height: 1px';

/** @param {string} text */
function sha256(text) {
	return `sha256-${createHash('sha256').update(text).digest('base64')}`;
}

/** @type {Record<string, string[]>} CSP directives, in SvelteKit's `kit.csp.directives` form. */
export const cspDirectives = {
	'default-src': ['self'],
	// SvelteKit adds the sha256 hash of its inline start-up script to this list at build time.
	'script-src': ['self'],
	'style-src': ['self', 'unsafe-hashes', sha256(ROUTE_ANNOUNCER_STYLE)],
	'img-src': ['self'],
	'font-src': ['self'],
	// Recorded clips and howler's unlock sound are played from blob: and data: URLs.
	'media-src': ['self', 'blob:', 'data:'],
	'connect-src': ['self'],
	// Tone.js runs its clock in a Worker made from a blob: URL: a worker clock keeps
	// ticking when the page's own timers are throttled (Tone Ticker).
	'worker-src': ['self', 'blob:'],
	'manifest-src': ['self'],
	'object-src': ['none'],
	'base-uri': ['self'],
	'form-action': ['self'],
	'frame-src': ['none']
};

/** Directives a <meta> CSP cannot carry; they travel only in the header. */
const headerOnlyDirectives = {
	'frame-ancestors': ['none']
};

/**
 * Features the app uses: the microphone (therapists record their own voice)
 * and the screen wake lock. Everything else is off.
 */
export const permissionsPolicy = [
	'microphone=(self)',
	'screen-wake-lock=(self)',
	'camera=()',
	'geolocation=()',
	'payment=()',
	'usb=()',
	'midi=()',
	'interest-cohort=()'
].join(', ');

const keywords = new Set(['self', 'none', 'unsafe-inline', 'unsafe-eval', 'strict-dynamic', 'unsafe-hashes']);

/** @param {string} source */
function quote(source) {
	return keywords.has(source) || source.startsWith('sha256-') ? `'${source}'` : source;
}

/**
 * The CSP as a header value, with the script hashes found in the built pages.
 * @param {string[]} scriptHashes sources like `sha256-…`
 */
export function cspHeader(scriptHashes) {
	/** @type {Record<string, string[]>} */
	const all = { ...cspDirectives, ...headerOnlyDirectives };
	all['script-src'] = [...(all['script-src'] ?? []), ...scriptHashes];
	return Object.entries(all)
		.map(([name, sources]) => [name, ...sources.map(quote)].join(' '))
		.join('; ');
}

/**
 * Every security header, as name → value.
 * @param {string[]} scriptHashes
 * @returns {Record<string, string>}
 */
export function securityHeaders(scriptHashes) {
	return {
		'Content-Security-Policy': cspHeader(scriptHashes),
		'Referrer-Policy': 'no-referrer',
		'X-Content-Type-Options': 'nosniff',
		'Permissions-Policy': permissionsPolicy,
		'Cross-Origin-Opener-Policy': 'same-origin'
	};
}
