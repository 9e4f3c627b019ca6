/**
 * The system share sheet for a file (AirDrop, Messages, mail, Nearby Share), where the browser
 * has one for files. `share` must be called directly in a tap, with the file already made:
 * browsers allow it only with a recent user activation.
 *
 * @example
 * if (canShareFile(file)) await shareFile(file); else downloadFile(file);
 */

/** Whether this browser can hand this file to the share sheet. */
export function canShareFile(file: File): boolean {
	if (typeof navigator === 'undefined' || typeof navigator.share !== 'function') return false;
	if (typeof navigator.canShare !== 'function') return false;
	try {
		// Files as the only field: some share targets refuse a file that comes with a title or text.
		return navigator.canShare({ files: [file] });
	} catch {
		return false;
	}
}

/** shared, cancelled by the person, or failed (then offer the download). */
export async function shareFile(file: File): Promise<'shared' | 'cancelled' | 'failed'> {
	try {
		await navigator.share({ files: [file] });
		return 'shared';
	} catch (error) {
		return error instanceof DOMException && error.name === 'AbortError' ? 'cancelled' : 'failed';
	}
}
