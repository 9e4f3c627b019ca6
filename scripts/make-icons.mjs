// Renders static/icons/icon.svg (the one hand-edited source of the mark) to the PNG icons
// the manifest and iOS need, with headless Chromium so the output matches what browsers draw.
// Run `node scripts/make-icons.mjs` after editing icon.svg and commit the PNGs it writes.
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { chromiumArgs, chromiumExecutable } from './browser.js';

const iconsDir = fileURLToPath(new URL('../static/icons/', import.meta.url));
const staticDir = fileURLToPath(new URL('../static/', import.meta.url));
const background = '#0e1116';

/**
 * `scale` shrinks the mark inside the square. Maskable icons are cropped by the launcher to
 * any shape that contains the centre circle of 80 % diameter, so their mark is drawn smaller
 * to sit well inside it. Every PNG is opaque: iOS fills transparency with black, and Android
 * puts transparent "any" icons on a white plate, so the page background is the icon colour.
 * @type {{ file: string; size: number; scale: number }[]}
 */
const targets = [
	{ file: 'icon-192.png', size: 192, scale: 1 },
	{ file: 'icon-512.png', size: 512, scale: 1 },
	{ file: 'icon-maskable-512.png', size: 512, scale: 0.84 },
	{ file: 'apple-touch-icon.png', size: 180, scale: 1 }
];

const svg = await readFile(`${iconsDir}icon.svg`, 'utf8');

/**
 * @param {number} size
 * @param {number} scale
 */
function pageFor(size, scale) {
	const markSize = Math.round(size * scale);
	// The SVG's own width/height would fix it at 512 px; the wrapper decides the size instead.
	const sized = svg.replace(/<svg\b([^>]*?)\swidth="[^"]*"\s+height="[^"]*"/, '<svg$1');
	return `<!doctype html>
<html>
	<head>
		<style>
			html, body { margin: 0; width: ${size}px; height: ${size}px; background: ${background}; overflow: hidden; }
			body { display: grid; place-items: center; }
			svg { display: block; width: ${markSize}px; height: ${markSize}px; }
		</style>
	</head>
	<body>${sized}</body>
</html>`;
}

const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs });
try {
	for (const { file, size, scale } of targets) {
		const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
		await page.setContent(pageFor(size, scale));
		const png = await page.screenshot({ omitBackground: false, clip: { x: 0, y: 0, width: size, height: size } });
		await writeFile(`${iconsDir}${file}`, png);
		await page.close();
		console.log(`wrote static/icons/${file} (${size}×${size})`);
	}
} finally {
	await browser.close();
}

// Browsers that ask for /favicon.svg by convention get the same mark.
await copyFile(`${iconsDir}icon.svg`, `${staticDir}favicon.svg`);
console.log('wrote static/favicon.svg');
