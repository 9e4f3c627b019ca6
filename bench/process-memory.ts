/**
 * A bench command that runs in Node (vitest.bench.config.ts registers it): the resident memory of
 * the bench browser's renderer processes, in bytes. A page can read its JS heap through the
 * DevTools protocol, but not what the browser's own code holds for it, such as the samples
 * decodeAudioData makes; the take-home bench needs both.
 *
 * The renderers are found by asking this browser (SystemInfo.getProcessInfo), so other browsers
 * on the machine are not counted; their memory is read from /proc. null where either is missing
 * (not Chromium, not Linux).
 *
 * @example
 * const bytes = await commands.rendererMemory(); // in a bench file
 */
import { readFile } from 'node:fs/promises';
import type { BrowserCommand } from 'vitest/node';

interface ProcessInfo {
	readonly type: string;
	readonly id: number;
}

interface PlaywrightCommandContext {
	readonly context?: { browser(): { newBrowserCDPSession?(): Promise<CdpSession> } | null };
}

interface CdpSession {
	send(method: 'SystemInfo.getProcessInfo'): Promise<{ processInfo: ProcessInfo[] }>;
}

let session: Promise<CdpSession> | undefined;

async function residentBytes(pid: number): Promise<number> {
	try {
		const status = await readFile(`/proc/${pid}/status`, 'utf8');
		const kilobytes = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
		return kilobytes === undefined ? 0 : Number(kilobytes) * 1024;
	} catch {
		// The process ended between the listing and the read.
		return 0;
	}
}

export const rendererMemory: BrowserCommand<[]> = async (context): Promise<number | null> => {
	const browser = (context as unknown as PlaywrightCommandContext).context?.browser();
	if (!browser?.newBrowserCDPSession || process.platform !== 'linux') return null;
	session ??= browser.newBrowserCDPSession();
	const { processInfo } = await (await session).send('SystemInfo.getProcessInfo');
	const renderers = processInfo.filter((info) => info.type === 'renderer');
	const sizes = await Promise.all(renderers.map((info) => residentBytes(info.id)));
	return sizes.reduce((sum, bytes) => sum + bytes, 0);
};
