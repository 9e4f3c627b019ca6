/**
 * Browsers built on WebKit: Safari on every device, every browser on iPhone and iPad (their
 * Chrome and Firefox included), and WebKitGTK. Only for working around a WebKit behaviour that
 * no feature test can reveal; say which one where it is used.
 *
 * @example
 * if (!isWebKit()) engine.prepare(firstTrack);
 */
export function isWebKit(): boolean {
	if (typeof navigator === 'undefined') return false;
	const ua = navigator.userAgent;
	// Blink and Gecko name themselves too ("Chrome/", "Edg/", "Firefox/"); on iOS they are WebKit and say CriOS or FxiOS.
	return /AppleWebKit\//.test(ua) && !/(Chrome|Chromium|Edg|Firefox)\//.test(ua);
}
