// @ts-check
// Runs jobs in worker threads (one per core, at most `limit`), in order of submission;
// results come back keyed by job index so output order never depends on timing.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * @template J, R
 * @param {J[]} jobs
 * @param {{ limit?: number; onResult?: (result: R, index: number) => void }} [options]
 * @returns {Promise<R[]>}
 */
export function runInWorkers(jobs, options = {}) {
	const workerUrl = new URL('./worker.js', import.meta.url);
	const width = Math.max(1, Math.min(options.limit ?? 2, availableParallelism(), jobs.length));
	/** @type {R[]} */
	const results = new Array(jobs.length);
	let next = 0;
	let done = 0;
	return new Promise((resolve, reject) => {
		/** @type {Worker[]} */
		const workers = [];
		const stopAll = () => {
			for (const w of workers) void w.terminate();
		};
		/** @param {Worker} worker */
		const feed = (worker) => {
			if (next >= jobs.length) {
				void worker.terminate();
				return;
			}
			const index = next++;
			worker.once('message', (/** @type {R} */ result) => {
				results[index] = result;
				options.onResult?.(result, index);
				done++;
				if (done === jobs.length) {
					stopAll();
					resolve(results);
				} else feed(worker);
			});
			worker.postMessage(jobs[index]);
		};
		for (let i = 0; i < width; i++) {
			const worker = new Worker(workerUrl);
			worker.on('error', (error) => {
				stopAll();
				reject(error);
			});
			workers.push(worker);
			feed(worker);
		}
	});
}
