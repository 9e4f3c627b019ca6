/**
 * A virtual X display for WebKitGTK's MiniBrowser, which has no headless mode. Xvfb picks a free
 * display number itself (`-displayfd`), so several can run side by side.
 *
 * @example
 * const display = await startXvfb();
 * spawn('WebKitWebDriver', [], { env: { ...process.env, DISPLAY: display.name } });
 * await display.stop();
 */
import { spawn } from 'node:child_process';

export interface VirtualDisplay {
	/** The DISPLAY value, e.g. ":97". */
	readonly name: string;
	stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

export function startXvfb(): Promise<VirtualDisplay> {
	const server = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp', '-noreset'], {
		stdio: ['ignore', 'ignore', 'pipe', 'pipe']
	});
	let log = '';
	server.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			server.kill('SIGKILL');
			reject(new Error(`Xvfb did not start within ${START_TIMEOUT_MS} ms: ${log.trim()}`));
		}, START_TIMEOUT_MS);
		server.once('exit', () => {
			clearTimeout(timer);
			reject(new Error(`Xvfb exited: ${log.trim()}`));
		});
		const numberPipe = server.stdio[3];
		let written = '';
		numberPipe?.on('data', (chunk: Buffer) => {
			written += chunk.toString();
			if (!written.includes('\n')) return;
			clearTimeout(timer);
			server.removeAllListeners('exit');
			resolve({
				name: `:${written.trim()}`,
				stop: () =>
					new Promise((done) => {
						if (server.exitCode !== null) return done();
						server.once('exit', () => done());
						server.kill('SIGTERM');
					})
			});
		});
	});
}
