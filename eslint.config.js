import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
	{
		ignores: ['build/', '.svelte-kit/', 'node_modules/', 'test-results/', 'playwright-report/', 'bench-results/']
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	prettier,
	...svelte.configs.prettier,
	{
		languageOptions: {
			globals: { ...globals.browser, ...globals.node }
		}
	},
	{
		// Type-aware rules for TypeScript, Svelte components and rune modules.
		files: ['**/*.ts', '**/*.svelte', '**/*.svelte.ts'],
		languageOptions: {
			parserOptions: {
				// The service worker has its own lib (webworker), outside the app's tsconfig.
				projectService: { allowDefaultProject: ['src/service-worker.ts'] },
				extraFileExtensions: ['.svelte'],
				parser: ts.parser,
				svelteConfig
			}
		},
		rules: {
			// A promise left floating hides failures; await it, or mark it `void` with a reason.
			'@typescript-eslint/no-floating-promises': 'error',
			'@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
			'@typescript-eslint/no-explicit-any': 'error',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
		}
	},
	{
		// Pure core: breath, sessions, scripts, loudness, M3U and voice-clip maths know nothing of audio, DOM or storage.
		files: [
			'src/lib/breath/**/*.ts',
			'src/lib/session/**/*.ts',
			'src/lib/grounding/**/*.ts',
			'src/lib/loudness/**/*.ts',
			'src/lib/library/m3u.ts',
			'src/lib/library/id3.ts',
			'src/lib/voice/clip.ts',
			'src/lib/result.ts',
			'src/lib/units.ts'
		],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: ['tone', 'howler', 'idb-keyval', '$app/*', '*/audio/*', '*/storage/*', '*/platform/*'],
							message: 'The pure core imports no audio, storage or platform code.'
						}
					]
				}
			],
			'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'indexedDB', 'AudioContext', 'localStorage']
		}
	},
	{
		// Components render state and call methods; they never make audio nodes or open stores.
		files: ['src/**/*.svelte'],
		rules: {
			'no-restricted-imports': [
				'error',
				{ patterns: [{ group: ['tone', 'howler', 'idb-keyval'], message: 'Go through the owning module in src/lib.' }] }
			],
			'no-restricted-globals': ['error', 'AudioContext', 'indexedDB']
		}
	}
);
