/**
 * A link as a QR code, drawn as one SVG path of dark squares for a page to show on a light card.
 * uqr makes the code; it is loaded on first use, so no page carries it on its first load.
 *
 * Error correction M: a code on a screen is never torn or dirty, but glare, moiré and a dim,
 * unsteady hand cost a few squares, and M gets back up to 15% of them (L only 7%). Where the
 * code has room to spare at its size, uqr raises the level for free (boostEcc). Four squares of
 * quiet zone all round, as the standard asks: scanners find the code by its empty border.
 *
 * @example
 * const code = await qrCodeOf(link); // { version: 5, size: 45, path: 'M4 4h7v1h-7z…' }, or null if too long
 * // <svg viewBox="0 0 {code.size} {code.size}"><rect width="100%" height="100%" fill="#f4f1ea"/><path d={code.path}/></svg>
 */

export const QR_ECC = 'M';
export const QR_QUIET_ZONE = 4;

/** The most characters a link may have to fit a code at QR_ECC: version 40 (177 × 177 squares), bytes. */
export const QR_MAX_CHARS = 2331;

export interface QrCode {
	/** 1 (21 × 21 squares) to 40 (177 × 177). */
	readonly version: number;
	/** Squares across, quiet zone included: the SVG's viewBox is 0 0 size size. */
	readonly size: number;
	/** Every dark square, one unit each, as path data. */
	readonly path: string;
}

/** The code for `text`; null when it is too long for any QR code at QR_ECC. */
export async function qrCodeOf(text: string): Promise<QrCode | null> {
	const { encode } = await import('uqr');
	if (text.length > QR_MAX_CHARS) return null;
	try {
		const code = encode(text, { ecc: QR_ECC, boostEcc: true, border: QR_QUIET_ZONE });
		return { version: code.version, size: code.size, path: pathOf(code.data) };
	} catch {
		// uqr throws "Data too long" past version 40 (text with characters of more than one byte).
		return null;
	}
}

/** Dark squares as path data: each run of dark squares in a row is one rectangle. */
export function pathOf(rows: readonly (readonly boolean[])[]): string {
	let path = '';
	rows.forEach((row, y) => {
		let x = 0;
		while (x < row.length) {
			if (!row[x]) {
				x += 1;
				continue;
			}
			const start = x;
			while (row[x]) x += 1;
			path += `M${start} ${y}h${x - start}v1h${start - x}z`;
		}
	});
	return path;
}
