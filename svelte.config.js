import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { cspDirectives } from './scripts/security-policy.js';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: {
		runes: true
	},
	kit: {
		// Every page is prerendered to plain files: any static host or CDN can serve the app.
		adapter: adapter({ pages: 'build', assets: 'build', fallback: undefined, strict: true }),
		serviceWorker: { register: false },
		// Hash mode works with prerendering: each page's <meta> CSP lists the hash of its inline script.
		csp: { mode: 'hash', directives: cspDirectives },
		typescript: {
			// Type-check the configs, scripts and bench along with the app.
			config: (tsconfig) => {
				tsconfig.include.push(
					'../bench/**/*.ts',
					'../playwright*.config.ts',
					'../vitest.bench.config.ts',
					'../scripts/**/*.js',
					'../scripts/**/*.ts'
				);
			}
		}
	}
};

export default config;
