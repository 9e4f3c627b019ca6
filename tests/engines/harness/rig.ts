/**
 * Everything one engine's journeys run on, started once per worker and stopped by process id at the
 * end: a virtual display (WebKitGTK only), a private PulseAudio server to record what is played, a
 * static server for the built app (its own origin, so the journeys can cut its network without
 * touching anyone else's), and the browser. The bench starts the same rig.
 *
 * @example
 * const rig = await startRig('firefox');
 * const page = await rig.engine.newPage(rig.server.url);
 * const recording = rig.pulse.record();
 * …
 * await rig.stop();
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer, type StaticServer } from '../../support/static-server.js';
import { launchEngine, type Engine, type EngineName } from './engine-page';
import { startPulse, type PulseServer } from './pulse';
import { startXvfb, type VirtualDisplay } from './xvfb';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** Where the harness's own files are served: never a path of the app's. */
export const HARNESS_PATH = '/__engine';
export const BASELINE_PAGE = `${HARNESS_PATH}/baseline.html`;

export interface Rig {
	readonly engine: Engine;
	readonly server: StaticServer;
	readonly pulse: PulseServer;
	readonly display: VirtualDisplay | undefined;
	/** A folder of this rig's own for files the journeys make; removed by `stop`. */
	readonly scratch: string;
	stop(): Promise<void>;
}

/**
 * What the rig records is real-time audio, on a machine that runs other tests beside it: its
 * processes (this worker, and the servers and browser it starts, which inherit it) are scheduled
 * ahead of them, as the foreground app is on a phone. Allowed for root; elsewhere it stays as it is.
 */
const RIG_NICENESS = -10;

export async function startRig(name: EngineName, { root = 'build' }: { root?: string } = {}): Promise<Rig> {
	try {
		setPriority(RIG_NICENESS);
	} catch {
		// Not permitted: the journeys still run, with the machine's ordinary scheduling.
	}
	const scratch = mkdtempSync(join(tmpdir(), `grounded-${name}-`));
	const stops: (() => Promise<unknown>)[] = [];
	const stop = async (): Promise<void> => {
		for (const step of stops.reverse()) await step().catch(() => undefined);
		rmSync(scratch, { recursive: true, force: true });
	};
	try {
		const server = await startStaticServer({
			root,
			extra: {
				[`${HARNESS_PATH}/page-errors.js`]: here('./page-errors.js'),
				[BASELINE_PAGE]: here('./baseline.html'),
				[`${HARNESS_PATH}/baseline.js`]: here('./baseline.js')
			},
			injectIntoHtml: [`${HARNESS_PATH}/page-errors.js`]
		});
		stops.push(() => server.close());
		const pulse = await startPulse(join(scratch, 'pulse'));
		stops.push(() => pulse.stop());
		const display = name === 'webkit' ? await startXvfb() : undefined;
		if (display) stops.push(() => display.stop());
		const engine = await launchEngine(name, { env: pulse.env, display: display?.name });
		stops.push(() => engine.close());
		return { engine, server, pulse, display, scratch, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}
