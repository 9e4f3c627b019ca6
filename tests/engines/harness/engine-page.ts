/**
 * One way to drive a page in each of the three engines, for the journeys that must hold in all of
 * them. Playwright cannot download its own Firefox or WebKit here, so each engine comes with the
 * client that speaks its protocol:
 *
 *   chromium ─ Playwright (DevTools protocol)        ─ Debian's chromium, headless
 *   firefox  ─ puppeteer-core (WebDriver BiDi)       ─ Debian's firefox-esr, headless
 *   webkit   ─ webdriver (classic W3C WebDriver)     ─ WebKitWebDriver → MiniBrowser, under Xvfb
 *
 * Every engine plays into the PulseAudio server whose environment it is given, with no autoplay
 * exemption: sound starts from a tap, as it must on a phone. Controls are found by role and
 * accessible name in the page (a small resolver, `markTarget`), then clicked or typed into with
 * the driver's own input, which the engine treats as a user's. Errors are read from the recorder
 * the harness puts in every page it serves (harness/page-errors.js).
 *
 * @example
 * const engine = await launchEngine('webkit', { env: pulse.env, display: xvfb.name });
 * const page = await engine.newPage(server.url);
 * await page.goto('/breathe/');
 * await page.click({ role: 'button', name: 'Begin' });
 * expect(await page.errors()).toEqual([]);
 * await page.close();
 * await engine.close();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium, type Browser as PlaywrightBrowser, type Page as PlaywrightPage } from 'playwright';
import './quiet-webdriver';
import puppeteer, { type Browser as PuppeteerBrowser, type Page as PuppeteerPage } from 'puppeteer-core';
import WebDriver, { type Client as WebDriverClient } from 'webdriver';
import {
	chromiumArgs,
	chromiumExecutable,
	findFirefox,
	findMiniBrowser,
	findWebKitDriver
} from '../../../scripts/browser.js';

export type EngineName = 'chromium' | 'firefox' | 'webkit';
export const ENGINES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

export type Role =
	'button' | 'link' | 'radio' | 'checkbox' | 'textbox' | 'spinbutton' | 'combobox' | 'slider' | 'heading' | 'file';

/** A control as a person finds it: its role and what it is called. A string name matches exactly. */
export interface Target {
	readonly role: Role;
	readonly name: string | RegExp;
}

export type Key = ' ' | 'Enter' | 'Escape' | 'Tab' | 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | string;

/** Arguments cross into the page as JSON: plain data only (strings, numbers, arrays, plain objects). */
type PageArguments = unknown[];

export interface WaitOptions {
	readonly timeout?: number;
	/** What was being waited for, for the error. */
	readonly message?: string;
	readonly interval?: number;
}

export interface EnginePage {
	readonly engine: EngineName;
	/** The origin pages are opened on, e.g. http://localhost:41234. */
	readonly origin: string;
	goto(path: string): Promise<void>;
	reload(): Promise<void>;
	/** Runs `fn` in the page with `args` and returns its (awaited) result. `fn` must use nothing from outside its body. */
	evaluate<R, A extends PageArguments>(fn: (...args: A) => R, ...args: A): Promise<Awaited<R>>;
	/** Evaluates `fn` until it returns something truthy, and returns that. */
	waitFor<R, A extends PageArguments>(
		fn: (...args: A) => R,
		args: A,
		options?: WaitOptions
	): Promise<NonNullable<Awaited<R>>>;
	click(target: Target): Promise<void>;
	fill(target: Target, text: string): Promise<void>;
	/** A key pressed on whatever has focus. */
	press(key: Key): Promise<void>;
	setFiles(target: Target, paths: readonly string[]): Promise<void>;
	setViewport(width: number, height: number): Promise<void>;
	screenshot(path: string): Promise<void>;
	/** Every error the pages of this tab have had so far (uncaught, rejected, console.error, CSP, failed loads). */
	errors(): Promise<string[]>;
	close(): Promise<void>;
}

export interface Engine {
	readonly name: EngineName;
	/** The engine's own version string. */
	readonly version: string;
	/** A tab with storage of its own, as on a first visit. */
	newPage(origin: string): Promise<EnginePage>;
	close(): Promise<void>;
}

export interface LaunchOptions {
	/** Added to the browser's environment: the PulseAudio server to play into. */
	readonly env: Readonly<Record<string, string>>;
	/** The X display for WebKitGTK (it has no headless mode). */
	readonly display?: string;
}

// ——— in the page ———

interface MarkQuery {
	readonly role: Role;
	readonly source: string;
	readonly flags: string;
	readonly exact: string | null;
	readonly marker: string;
}

/**
 * Finds the one visible control with this role and name and marks it with `data-engine-target`, so
 * the driver can find it by CSS. The name follows the accessible-name rules that this app relies on
 * (aria-labelledby, aria-label, a label, the content); a radio or checkbox hidden under a styled
 * label is marked by its label, where a person would tap. Self-contained: it runs in the page.
 */
function markTarget(query: MarkQuery): { found: number; names: string[] } {
	const selectors: Record<string, string> = {
		button: 'button, [role="button"], input[type="button"], input[type="submit"], input[type="reset"]',
		link: 'a[href], [role="link"]',
		radio: 'input[type="radio"], [role="radio"]',
		checkbox: 'input[type="checkbox"], [role="checkbox"], [role="switch"]',
		textbox:
			'input:not([type]), input[type="text"], input[type="search"], input[type="email"], input[type="url"], input[type="tel"], textarea, [role="textbox"]',
		spinbutton: 'input[type="number"], [role="spinbutton"]',
		combobox: 'select, [role="combobox"]',
		slider: 'input[type="range"], [role="slider"]',
		heading: 'h1, h2, h3, h4, h5, h6, [role="heading"]',
		file: 'input[type="file"]'
	};
	const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();
	const nameOf = (element: Element): string => {
		const labelledBy = element.getAttribute('aria-labelledby');
		if (labelledBy) {
			return squash(
				labelledBy
					.split(/\s+/)
					.map((id) => document.getElementById(id)?.textContent ?? '')
					.join(' ')
			);
		}
		const label = element.getAttribute('aria-label');
		if (label) return squash(label);
		if (
			element instanceof HTMLInputElement ||
			element instanceof HTMLTextAreaElement ||
			element instanceof HTMLSelectElement
		) {
			const fromLabels = squash([...(element.labels ?? [])].map((item) => item.textContent).join(' '));
			if (fromLabels) return fromLabels;
			if (element instanceof HTMLInputElement && ['button', 'submit', 'reset'].includes(element.type)) {
				return squash(element.value);
			}
			return squash(element.getAttribute('title') ?? element.getAttribute('placeholder'));
		}
		return squash(element.textContent);
	};
	const shown = (element: Element) =>
		element.getClientRects().length > 0 &&
		getComputedStyle(element).visibility !== 'hidden' &&
		!element.closest('[hidden], [inert], [aria-hidden="true"]');
	const matcher = query.exact !== null ? null : new RegExp(query.source, query.flags);
	const candidates = [...document.querySelectorAll(selectors[query.role] ?? query.role)].filter(
		(element) => query.role === 'file' || shown(element)
	);
	const names = candidates.map(nameOf);
	const matching = candidates.filter((_, index) =>
		matcher ? matcher.test(names[index] ?? '') : names[index] === query.exact
	);
	for (const old of document.querySelectorAll(`[data-engine-target]`)) old.removeAttribute('data-engine-target');
	const only = matching.length === 1 ? matching[0] : undefined;
	if (only) {
		let target: Element = only;
		// A native radio or checkbox drawn over by its label (this app's choice cards): tap the label.
		if (only instanceof HTMLInputElement && ['radio', 'checkbox'].includes(only.type)) {
			const box = only.getBoundingClientRect();
			const label = only.labels?.[0];
			if (label && (box.width < 8 || box.height < 8 || getComputedStyle(only).opacity === '0')) target = label;
		}
		target.setAttribute('data-engine-target', query.marker);
		target.scrollIntoView({ block: 'center', inline: 'nearest' });
	}
	return { found: matching.length, names };
}

function describeTarget(target: Target): string {
	return `${target.role} “${typeof target.name === 'string' ? target.name : String(target.name)}”`;
}

let markers = 0;

/** Evaluable source for `fn(...args)`: one form every driver accepts. */
function callSource(fn: (...args: never[]) => unknown, args: readonly unknown[]): string {
	return `(${fn.toString()})(...${JSON.stringify(args)})`;
}

// ——— the shared part of every driver ———

abstract class BasePage implements EnginePage {
	abstract readonly engine: EngineName;
	readonly origin: string;
	/** Errors of pages already left. */
	readonly #earlier: string[] = [];

	constructor(origin: string) {
		this.origin = origin;
	}

	protected abstract run(source: string): Promise<unknown>;
	protected abstract navigate(url: string): Promise<void>;
	protected abstract refresh(): Promise<void>;
	protected abstract clickMarked(selector: string): Promise<void>;
	protected abstract fillMarked(selector: string, text: string): Promise<void>;
	protected abstract filesMarked(selector: string, paths: readonly string[]): Promise<void>;
	abstract press(key: Key): Promise<void>;
	abstract setViewport(width: number, height: number): Promise<void>;
	abstract screenshot(path: string): Promise<void>;
	abstract close(): Promise<void>;

	async evaluate<R, A extends PageArguments>(fn: (...args: A) => R, ...args: A): Promise<Awaited<R>> {
		return (await this.run(callSource(fn as (...args: never[]) => unknown, args))) as Awaited<R>;
	}

	async waitFor<R, A extends PageArguments>(
		fn: (...args: A) => R,
		args: A,
		{ timeout = 15_000, message, interval = 50 }: WaitOptions = {}
	): Promise<NonNullable<Awaited<R>>> {
		const deadline = Date.now() + timeout;
		let last: unknown;
		while (true) {
			try {
				const value = await this.evaluate(fn, ...args);
				if (value) return value as NonNullable<Awaited<R>>;
				last = value;
			} catch (error) {
				// A navigation in progress replaces the page under the script: look again.
				last = error;
			}
			if (Date.now() > deadline) {
				const detail = last instanceof Error ? `: ${last.message}` : '';
				throw new Error(
					`${this.engine}: timed out after ${timeout} ms waiting for ${message ?? fn.toString()}${detail}`
				);
			}
			await new Promise((resolve) => setTimeout(resolve, interval));
		}
	}

	async goto(path: string): Promise<void> {
		await this.#keepErrors();
		await this.navigate(new URL(path, this.origin).href);
	}

	async reload(): Promise<void> {
		await this.#keepErrors();
		await this.refresh();
	}

	async click(target: Target): Promise<void> {
		await this.clickMarked(await this.#mark(target));
	}

	async fill(target: Target, text: string): Promise<void> {
		await this.fillMarked(await this.#mark(target), text);
	}

	async setFiles(target: Target, paths: readonly string[]): Promise<void> {
		await this.filesMarked(await this.#mark(target), paths);
	}

	async errors(): Promise<string[]> {
		return [...this.#earlier, ...(await this.#pageErrors())];
	}

	/** Marks the control, waiting (as a person would look) up to 10 s for it to be there and alone. */
	async #mark(target: Target): Promise<string> {
		const marker = `t${++markers}`;
		const query: MarkQuery = {
			role: target.role,
			source: typeof target.name === 'string' ? '' : target.name.source,
			flags: typeof target.name === 'string' ? '' : target.name.flags,
			exact: typeof target.name === 'string' ? target.name : null,
			marker
		};
		const deadline = Date.now() + 10_000;
		let seen: { found: number; names: string[] } = { found: 0, names: [] };
		while (Date.now() < deadline) {
			try {
				seen = await this.evaluate(markTarget, query);
				if (seen.found === 1) return `[data-engine-target="${marker}"]`;
			} catch {
				// The page is loading; look again.
			}
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		const what = seen.found > 1 ? `${seen.found} controls match` : 'no control matches';
		throw new Error(
			`${this.engine}: ${what} ${describeTarget(target)}; ${target.role}s on the page: ${JSON.stringify(seen.names)}`
		);
	}

	async #pageErrors(): Promise<string[]> {
		try {
			return await this.evaluate(() => [
				...((window as unknown as { __engineErrors?: string[] }).__engineErrors ?? [])
			]);
		} catch {
			return [];
		}
	}

	async #keepErrors(): Promise<void> {
		this.#earlier.push(...(await this.#pageErrors()));
	}
}

// ——— Chromium, through Playwright ———

class PlaywrightEnginePage extends BasePage {
	readonly engine = 'chromium';
	readonly #page: PlaywrightPage;

	constructor(page: PlaywrightPage, origin: string) {
		super(origin);
		this.#page = page;
	}

	protected run(source: string): Promise<unknown> {
		return this.#page.evaluate(source);
	}
	protected async navigate(url: string): Promise<void> {
		await this.#page.goto(url);
	}
	protected async refresh(): Promise<void> {
		await this.#page.reload();
	}
	protected clickMarked(selector: string): Promise<void> {
		return this.#page.click(selector);
	}
	protected fillMarked(selector: string, text: string): Promise<void> {
		return this.#page.fill(selector, text);
	}
	protected filesMarked(selector: string, paths: readonly string[]): Promise<void> {
		return this.#page.setInputFiles(selector, [...paths]);
	}
	press(key: Key): Promise<void> {
		return this.#page.keyboard.press(key === ' ' ? 'Space' : key);
	}
	setViewport(width: number, height: number): Promise<void> {
		return this.#page.setViewportSize({ width, height });
	}
	async screenshot(path: string): Promise<void> {
		await this.#page.screenshot({ path });
	}
	async close(): Promise<void> {
		await this.#page.context().close();
	}
}

async function launchChromium(options: LaunchOptions): Promise<Engine> {
	const browser: PlaywrightBrowser = await chromium.launch({
		executablePath: chromiumExecutable(),
		// Sound goes to PulseAudio like the other engines': no autoplay exemption, and not muted.
		args: chromiumArgs.filter((arg) => !arg.startsWith('--autoplay-policy')),
		ignoreDefaultArgs: ['--mute-audio'],
		env: { ...process.env, ...options.env }
	});
	return {
		name: 'chromium',
		version: browser.version(),
		async newPage(origin) {
			const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
			return new PlaywrightEnginePage(await context.newPage(), origin);
		},
		close: () => browser.close()
	};
}

// ——— Firefox, through puppeteer-core over WebDriver BiDi ———

class PuppeteerEnginePage extends BasePage {
	readonly engine = 'firefox';
	readonly #page: PuppeteerPage;
	readonly #closeContext: () => Promise<void>;

	constructor(page: PuppeteerPage, origin: string, closeContext: () => Promise<void>) {
		super(origin);
		this.#page = page;
		this.#closeContext = closeContext;
	}

	protected run(source: string): Promise<unknown> {
		return this.#page.evaluate(source);
	}
	protected async navigate(url: string): Promise<void> {
		await this.#page.goto(url, { waitUntil: 'load' });
	}
	protected async refresh(): Promise<void> {
		await this.#page.reload({ waitUntil: 'load' });
	}
	protected async clickMarked(selector: string): Promise<void> {
		const handle = await this.#page.$(selector);
		if (!handle) throw new Error(`firefox: ${selector} went away before the click`);
		await handle.click();
		await handle.dispose();
	}
	protected async fillMarked(selector: string, text: string): Promise<void> {
		// Select what is there and type over it, as a person would.
		await this.#page.$eval(selector, (element) => {
			(element as HTMLInputElement).focus();
			(element as HTMLInputElement).select();
		});
		await this.#page.keyboard.type(text);
	}
	protected async filesMarked(selector: string, paths: readonly string[]): Promise<void> {
		const handle = await this.#page.$(selector);
		if (!handle) throw new Error(`firefox: ${selector} went away`);
		await (handle as import('puppeteer-core').ElementHandle<HTMLInputElement>).uploadFile(...paths);
		await handle.dispose();
	}
	async press(key: Key): Promise<void> {
		await this.#page.keyboard.press(key as import('puppeteer-core').KeyInput);
	}
	async setViewport(width: number, height: number): Promise<void> {
		await setFirefoxViewport(this.#page, width, height);
	}
	async screenshot(path: string): Promise<void> {
		await this.#page.screenshot({ path });
	}
	async close(): Promise<void> {
		await this.#closeContext();
	}
}

/**
 * Puppeteer sends the viewport and a screen-orientation override together; Firefox ESR 140 knows the
 * first and not the second (`emulation.setScreenOrientationOverride`), which is all that fails.
 */
async function setFirefoxViewport(page: PuppeteerPage, width: number, height: number): Promise<void> {
	try {
		await page.setViewport({ width, height });
	} catch (error) {
		if (!String(error).includes('setScreenOrientationOverride')) throw error;
	}
}

async function launchFirefox(options: LaunchOptions): Promise<Engine> {
	const executablePath = findFirefox();
	if (!executablePath) throw new Error('No Firefox found: run `npm run browser` to install firefox-esr.');
	const browser: PuppeteerBrowser = await puppeteer.launch({
		browser: 'firefox',
		executablePath,
		headless: true,
		defaultViewport: null,
		env: { ...process.env, ...options.env },
		extraPrefsFirefox: {
			// Offline machines: no update, telemetry or captive-portal checks reaching out.
			'network.captive-portal-service.enabled': false,
			'network.connectivity-service.enabled': false,
			'browser.safebrowsing.malware.enabled': false,
			'browser.safebrowsing.phishing.enabled': false,
			'media.cubeb.backend': 'pulse'
		}
	});
	return {
		name: 'firefox',
		version: await browser.version(),
		async newPage(origin) {
			const context = await browser.createBrowserContext();
			const page = await context.newPage();
			await setFirefoxViewport(page, 1100, 900);
			return new PuppeteerEnginePage(page, origin, () => context.close());
		},
		close: () => browser.close()
	};
}

// ——— WebKitGTK, through WebKitWebDriver (classic W3C WebDriver) ———

const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

/** WebDriver's codes for the keys that are not characters. */
const WEBDRIVER_KEYS: Record<string, string> = {
	Enter: '\uE007',
	Escape: '\uE00C',
	Tab: '\uE004',
	ArrowLeft: '\uE012',
	ArrowUp: '\uE013',
	ArrowRight: '\uE014',
	ArrowDown: '\uE015'
};

class WebDriverEnginePage extends BasePage {
	readonly engine = 'webkit';
	readonly #client: WebDriverClient;

	constructor(client: WebDriverClient, origin: string) {
		super(origin);
		this.#client = client;
	}

	protected async run(source: string): Promise<unknown> {
		// The page's promise is settled in the page; only plain data comes back.
		const result = (await this.#client.executeAsyncScript(
			`const done = arguments[arguments.length - 1];
			Promise.resolve().then(() => ${source}).then(
				(value) => done({ ok: true, value: value === undefined ? null : value }),
				(error) => done({ ok: false, error: String(error && error.stack ? error.message + '\\n' + error.stack : error) })
			);`,
			[]
		)) as { ok: true; value: unknown } | { ok: false; error: string };
		if (!result.ok) throw new Error(`webkit: ${result.error}`);
		return result.value;
	}
	protected async navigate(url: string): Promise<void> {
		await this.#client.navigateTo(url);
	}
	protected async refresh(): Promise<void> {
		await this.#client.refresh();
	}
	async #element(selector: string): Promise<string> {
		const found = (await this.#client.findElement('css selector', selector)) as Record<string, string>;
		const id = found[ELEMENT_KEY];
		if (!id) throw new Error(`webkit: ${selector} went away`);
		return id;
	}
	protected async clickMarked(selector: string): Promise<void> {
		await this.#client.elementClick(await this.#element(selector));
	}
	protected async fillMarked(selector: string, text: string): Promise<void> {
		const id = await this.#element(selector);
		await this.#client.elementClear(id);
		await this.#client.elementSendKeys(id, text);
	}
	protected async filesMarked(selector: string, paths: readonly string[]): Promise<void> {
		await this.#client.elementSendKeys(await this.#element(selector), paths.join('\n'));
	}
	async press(key: Key): Promise<void> {
		const value = WEBDRIVER_KEYS[key] ?? key;
		await this.#client.performActions([
			{
				type: 'key',
				id: 'keyboard',
				actions: [
					{ type: 'keyDown', value },
					{ type: 'keyUp', value }
				]
			}
		]);
		await this.#client.releaseActions();
	}
	async setViewport(width: number, height: number): Promise<void> {
		await this.#client.setWindowRect(0, 0, width, height);
	}
	async screenshot(path: string): Promise<void> {
		writeFileSync(path, Buffer.from(await this.#client.takeScreenshot(), 'base64'));
	}
	async close(): Promise<void> {
		await this.#client.deleteSession().catch(() => undefined);
	}
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			probe.close(() => resolve(port));
		});
	});
}

async function launchWebKit(options: LaunchOptions): Promise<Engine> {
	const driverPath = findWebKitDriver();
	const miniBrowser = findMiniBrowser();
	if (!driverPath || !miniBrowser) {
		throw new Error('No WebKitGTK found: run `npm run browser` to install webkit2gtk-driver.');
	}
	if (!options.display) throw new Error('WebKitGTK needs an X display (Xvfb).');
	const port = await freePort();
	const driver: ChildProcess = spawn(driverPath, [`--port=${port}`], {
		// Xvfb has no GPU: WebKit's accelerated compositing would run on a software GL (llvmpipe) and
		// take a whole core to draw the breath shape, starving every audio thread on the machine.
		// Without it the same page paints in about a fifth of a core; audio and scripts are unchanged.
		env: { ...process.env, ...options.env, DISPLAY: options.display, WEBKIT_DISABLE_COMPOSITING_MODE: '1' },
		stdio: 'ignore'
	});
	const open = async (): Promise<WebDriverClient> =>
		WebDriver.newSession({
			hostname: '127.0.0.1',
			port,
			logLevel: 'error',
			connectionRetryCount: 20,
			connectionRetryTimeout: 30_000,
			capabilities: {
				browserName: 'MiniBrowser',
				// WebKitWebDriver speaks classic WebDriver only; asking for BiDi fails the session.
				'wdio:enforceWebDriverClassic': true,
				'webkitgtk:browserOptions': { binary: miniBrowser, args: ['--automation'] }
			} as WebdriverIO.Capabilities
		});
	const first = await open();
	const version = String(first.capabilities.browserVersion ?? '');
	let spare: WebDriverClient | undefined = first;
	return {
		name: 'webkit',
		version: `MiniBrowser ${version}`,
		async newPage(origin) {
			// Each session is a MiniBrowser with ephemeral storage of its own: a first visit.
			const client = spare ?? (await open());
			spare = undefined;
			await client.setTimeouts(0, 60_000, 120_000);
			await client.setWindowRect(0, 0, 1100, 900);
			return new WebDriverEnginePage(client, origin);
		},
		async close() {
			await spare?.deleteSession().catch(() => undefined);
			driver.kill('SIGTERM');
		}
	};
}

export function launchEngine(name: EngineName, options: LaunchOptions): Promise<Engine> {
	switch (name) {
		case 'chromium':
			return launchChromium(options);
		case 'firefox':
			return launchFirefox(options);
		case 'webkit':
			return launchWebKit(options);
	}
}
