/**
 * The device's battery, where the browser tells (the Battery Status API: Chromium; not Safari or
 * Firefox, which removed it for privacy). Elsewhere `watchBattery` answers null and the check asks
 * the therapist to look for themselves.
 *
 * @example
 * const watch = await watchBattery((battery) => (power = battery));
 * watch?.stop();
 */

export interface BatteryReading {
	readonly charging: boolean;
	/** 0–1. */
	readonly level: number;
}

/** The part of the API used here (lib.dom has no types for it). */
interface BatteryManagerLike extends EventTarget {
	readonly charging: boolean;
	readonly level: number;
}

type NavigatorWithBattery = Navigator & { getBattery?: () => Promise<BatteryManagerLike> };

export interface BatteryWatch {
	stop(): void;
}

/** Reads the battery now and on every change; null where the browser gives no reading. */
export async function watchBattery(onChange: (reading: BatteryReading) => void): Promise<BatteryWatch | null> {
	const nav = typeof navigator === 'undefined' ? undefined : (navigator as NavigatorWithBattery);
	if (typeof nav?.getBattery !== 'function') return null;
	let battery: BatteryManagerLike;
	try {
		battery = await nav.getBattery();
	} catch {
		// Refused by a permissions policy: as if there were no API.
		return null;
	}
	const report = (): void => {
		const level = Number.isFinite(battery.level) ? battery.level : 1;
		onChange({ charging: battery.charging, level });
	};
	report();
	const events = ['chargingchange', 'levelchange'] as const;
	for (const event of events) battery.addEventListener(event, report);
	return { stop: () => events.forEach((event) => battery.removeEventListener(event, report)) };
}
