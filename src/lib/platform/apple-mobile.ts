/**
 * iPhone and iPad (iPadOS reports itself as a Mac with a touch screen). Their Safari plays a media
 * element only once that element has been started or loaded inside a tap, and routes Web Audio
 * through the ringer's mute switch; the audio code works around both there and only there.
 *
 * @example
 * if (isAppleMobile()) routeThroughMediaElement();
 */
export function isAppleMobile(): boolean {
	if (typeof navigator === 'undefined') return false;
	const ua = navigator.userAgent;
	return /iPad|iPhone|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
}
