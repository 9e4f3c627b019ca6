/**
 * A private PulseAudio server with one null sink, so that what a browser sends to its speakers can
 * be recorded sample for sample, whatever the engine: Firefox plays through cubeb's PulseAudio
 * backend, WebKitGTK through GStreamer's pulsesink, Chromium through its own PulseAudio output.
 * Each server has its own runtime folder and socket, and is stopped by its process id; nothing
 * reaches a desktop's own sound server.
 *
 * @example
 * const pulse = await startPulse(mkdtempSync('/tmp/grounded-pulse-'));
 * const browser = await launch({ env: { ...process.env, ...pulse.env } });
 * const recording = pulse.record();
 * … // the journey plays something
 * const samples = await recording.stop(); // mono, at pulse.rate
 * await pulse.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The sink runs at the rate browsers most often use, so nothing is resampled twice. */
export const SINK_RATE = 48_000;
const SINK = 'grounded_recorder';
const START_TIMEOUT_MS = 10_000;
/** See `clientEnv`. */
export const CLIENT_LATENCY_MS = 150;

export interface Recording {
	readonly rate: number;
	/** Frames recorded so far: a mark to find a moment (a tap, say) in the samples afterwards. */
	frames(): number;
	/** Everything recorded so far, mono. The recording goes on. */
	samples(): Float32Array;
	/** Stops recording and returns everything, mono. */
	stop(): Promise<Float32Array>;
}

export interface PulseServer {
	/** Environment for a browser (or any PulseAudio client) that should play into this server. */
	readonly env: Readonly<Record<string, string>>;
	readonly rate: number;
	/** Starts recording the sink's monitor; resolves once samples are flowing. */
	record(): Promise<Recording>;
	/** Stops every recording, then the server, by its process id. */
	stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
	return new Promise((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null) resolve();
		else child.once('exit', () => resolve());
	});
}

export async function startPulse(dir: string): Promise<PulseServer> {
	const runtime = join(dir, 'run');
	mkdirSync(runtime, { recursive: true });
	const socket = join(dir, 'native');
	const server = `unix:${socket}`;
	const ownEnv = { HOME: dir, XDG_RUNTIME_DIR: runtime, PULSE_RUNTIME_PATH: runtime };
	const daemon = spawn(
		'pulseaudio',
		[
			'--daemonize=no',
			'--use-pid-file=no',
			'--exit-idle-time=-1',
			'--disallow-exit',
			'-n',
			`--load=module-native-protocol-unix socket=${socket} auth-anonymous=1`,
			`--load=module-null-sink sink_name=${SINK} rate=${SINK_RATE} channels=2`,
			'--log-target=stderr',
			'--log-level=error'
		],
		{ env: { ...process.env, ...ownEnv }, stdio: ['ignore', 'ignore', 'pipe'] }
	);
	let log = '';
	daemon.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
	// Every stream of a client holds this much audio (libpulse reads it for each stream it opens). On
	// 2 cores with three browsers at work, a browser's audio thread is sometimes late by tens of
	// milliseconds: a deeper buffer rides that out instead of playing a gap, and delays everything
	// by the same amount, which moves no onset relative to another.
	const clientEnv = { PULSE_SERVER: server, PULSE_SINK: SINK, PULSE_LATENCY_MSEC: String(CLIENT_LATENCY_MS) };

	const deadline = Date.now() + START_TIMEOUT_MS;
	while (true) {
		if (daemon.exitCode !== null) throw new Error(`PulseAudio would not start: ${log.trim()}`);
		if (existsSync(socket) && spawnSync('pactl', ['--server', server, 'info'], { timeout: 2_000 }).status === 0) break;
		if (Date.now() > deadline) {
			daemon.kill('SIGKILL');
			throw new Error(`PulseAudio did not answer within ${START_TIMEOUT_MS} ms: ${log.trim()}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 50));
	}

	const recorders = new Set<ChildProcess>();
	return {
		env: clientEnv,
		rate: SINK_RATE,
		async record(): Promise<Recording> {
			const recorder = spawn(
				'parec',
				[
					'--server',
					server,
					'--device',
					`${SINK}.monitor`,
					'--format=float32le',
					`--rate=${SINK_RATE}`,
					'--channels=1',
					'--latency-msec=10',
					'--raw'
				],
				{ stdio: ['ignore', 'pipe', 'pipe'] }
			);
			recorders.add(recorder);
			const chunks: Buffer[] = [];
			let bytes = 0;
			recorder.stdout?.on('data', (chunk: Buffer) => {
				chunks.push(chunk);
				bytes += chunk.length;
			});
			const samples = (): Float32Array => {
				const whole = Buffer.concat(chunks);
				// A copy on its own aligned buffer: a Float32Array needs its offset to be a multiple of 4.
				const out = new Float32Array(Math.floor(whole.length / 4));
				new Uint8Array(out.buffer).set(whole.subarray(0, out.length * 4));
				return out;
			};
			// parec takes a moment to connect: what plays before its first samples would be lost.
			await new Promise<void>((resolve, reject) => {
				recorder.stdout?.once('data', () => resolve());
				recorder.once('exit', (code) => reject(new Error(`parec stopped (${code}) before recording`)));
			});
			return {
				rate: SINK_RATE,
				frames: () => Math.floor(bytes / 4),
				samples,
				async stop() {
					recorder.kill('SIGTERM');
					await exited(recorder);
					recorders.delete(recorder);
					return samples();
				}
			};
		},
		async stop() {
			for (const recorder of recorders) recorder.kill('SIGKILL');
			daemon.kill('SIGTERM');
			const timer = setTimeout(() => daemon.kill('SIGKILL'), 3_000);
			await exited(daemon);
			clearTimeout(timer);
		}
	};
}
