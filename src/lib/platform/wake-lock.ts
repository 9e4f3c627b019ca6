/**
 * Keeps the screen awake while practising, where the platform allows.
 *
 * The browser releases a wake lock whenever the page is hidden, so it is asked
 * for again each time the page becomes visible while it is wanted.
 */
export class ScreenWakeLock {
	#wanted = false;
	#sentinel: WakeLockSentinel | undefined;
	readonly #onVisibility = (): void => {
		if (this.#wanted && document.visibilityState === 'visible') void this.#acquire();
	};

	get supported(): boolean {
		return typeof navigator !== 'undefined' && 'wakeLock' in navigator;
	}

	get held(): boolean {
		return this.#sentinel !== undefined && !this.#sentinel.released;
	}

	async request(): Promise<void> {
		if (this.#wanted) return;
		this.#wanted = true;
		document.addEventListener('visibilitychange', this.#onVisibility);
		await this.#acquire();
	}

	async release(): Promise<void> {
		this.#wanted = false;
		document.removeEventListener('visibilitychange', this.#onVisibility);
		const sentinel = this.#sentinel;
		this.#sentinel = undefined;
		try {
			await sentinel?.release();
		} catch {
			// Already released by the browser.
		}
	}

	async #acquire(): Promise<void> {
		if (!this.supported || this.held || document.visibilityState !== 'visible') return;
		try {
			this.#sentinel = await navigator.wakeLock.request('screen');
		} catch {
			// Refused (battery saver, policy): practice goes on; the screen may dim.
			this.#sentinel = undefined;
		}
	}
}

/** What `probeScreenWakeLock` found. */
export type WakeLockProbe = 'stays-awake' | 'refused' | 'unsupported';

/**
 * Whether the screen can be kept awake here: asks for the lock and lets it go at once (the session
 * asks again when it starts). A battery saver or a policy refuses it; older Safari has no API.
 */
export async function probeScreenWakeLock(): Promise<WakeLockProbe> {
	if (typeof navigator === 'undefined' || !('wakeLock' in navigator)) return 'unsupported';
	try {
		const sentinel = await navigator.wakeLock.request('screen');
		await sentinel.release();
		return 'stays-awake';
	} catch {
		return 'refused';
	}
}
