// Loaded by the cross-engine harness at the top of every page it serves (see static-server.js,
// `injectIntoHtml`), before the app's own scripts, so that an error during a page's first load is
// caught in every engine, including WebKitGTK, whose WebDriver has no init scripts or log events.
// The harness reads `window.__engineErrors` before it leaves a page.
(() => {
	/** @type {string[]} */
	const errors = [];
	Object.defineProperty(window, '__engineErrors', { value: errors });

	/** @param {unknown} value */
	const describe = (value) =>
		value instanceof Error ? `${value.name}: ${value.message}` : typeof value === 'string' ? value : String(value);

	window.addEventListener(
		'error',
		(event) => {
			const target = event.target;
			// In the capture phase, a script, link or media element that failed to load shows up here too.
			if (target instanceof HTMLElement && target !== document.documentElement) {
				// Firefox 140 fires `error` at a <link rel="modulepreload"> for a module already loaded (checked
				// by hand: a preload of a chunk the page had imported errs, the import itself succeeds). Vite's
				// preload helper adds such links as SvelteKit's router loads a page. A preload is advice: a module
				// that really fails shows as a failed request, or as the import's own error, both still counted.
				if (target instanceof HTMLLinkElement && target.rel === 'modulepreload') return;
				const source = target.getAttribute('src') ?? target.getAttribute('href') ?? '';
				errors.push(`failed to load <${target.localName}> ${source} on ${location.pathname}${location.search}`);
				return;
			}
			const place = event.filename ? ` (${event.filename}:${event.lineno})` : '';
			errors.push(`uncaught ${describe(event.error ?? event.message)}${place}`);
		},
		true
	);
	window.addEventListener('unhandledrejection', (event) => {
		errors.push(`unhandled rejection: ${describe(event.reason)}`);
	});
	document.addEventListener('securitypolicyviolation', (event) => {
		errors.push(`Content-Security-Policy: ${event.violatedDirective} blocked ${event.blockedURI}`);
	});
	const consoleError = console.error;
	console.error = (...args) => {
		errors.push(`console.error: ${args.map(describe).join(' ')}`);
		consoleError.apply(console, args);
	};
})();
