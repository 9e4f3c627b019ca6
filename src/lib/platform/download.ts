/** Offers text as a file download; nothing is sent anywhere. */
export function downloadText(fileName: string, text: string, type: string): void {
	const url = URL.createObjectURL(new Blob([text], { type }));
	const link = document.createElement('a');
	link.href = url;
	link.download = fileName;
	link.click();
	// The download holds its own reference by the next task; the URL is no longer needed.
	setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Offers a file (a Blob with its name) as a download; nothing is sent anywhere. */
export function downloadFile(file: File): void {
	const url = URL.createObjectURL(file);
	const link = document.createElement('a');
	link.href = url;
	link.download = file.name;
	link.click();
	// Large files: the download may take its reference a little later than with text.
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
