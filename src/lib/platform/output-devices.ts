/**
 * Which speakers the music may be sent to. Only where an AudioContext can be pointed at one
 * (`AudioContext.setSinkId`, Chromium 110+): the session's music plays through the engine's
 * context (every track element is routed into it), so a media element's own `setSinkId` would not
 * move it. Safari (iOS included) and Firefox have no `AudioContext.setSinkId`: there the system's
 * output (AirPlay, Bluetooth, the sound settings) decides, and the check says so.
 *
 * Browsers name outputs only to pages allowed the microphone; `askToNameOutputs` opens it for a
 * moment and closes it at once, recording nothing.
 *
 * @example
 * if (canChooseOutput()) devices = await listOutputs(); // [] until the browser names them
 */
import type { OutputDevice } from '../session/readiness';

export function canChooseOutput(): boolean {
	return typeof AudioContext !== 'undefined' && 'setSinkId' in AudioContext.prototype;
}

/**
 * The named outputs, the system's default first as '' ("The system’s speaker"). Empty when the
 * browser hides them (no permission yet: it then lists one entry with an empty id and no name).
 */
export async function listOutputs(): Promise<OutputDevice[]> {
	if (typeof navigator === 'undefined' || !navigator.mediaDevices?.enumerateDevices) return [];
	let devices: MediaDeviceInfo[];
	try {
		devices = await navigator.mediaDevices.enumerateDevices();
	} catch {
		return [];
	}
	const named = devices.filter(
		(device) =>
			device.kind === 'audiooutput' &&
			device.deviceId !== '' &&
			// Chromium lists the default twice: as "default" and under its own id.
			device.deviceId !== 'default' &&
			device.deviceId !== 'communications'
	);
	if (named.length === 0) return [];
	return [
		{ id: '', label: 'The system’s speaker' },
		...named.map((device, i) => ({ id: device.deviceId, label: device.label || `Speaker ${i + 1}` }))
	];
}

/** Lets the browser name its outputs: the microphone is opened and closed at once. Call from a tap. */
export async function askToNameOutputs(): Promise<boolean> {
	try {
		const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
		for (const track of stream.getTracks()) track.stop();
		return true;
	} catch {
		return false;
	}
}

/** Calls `onChange` when a speaker is plugged in or out; returns the way to stop. */
export function watchOutputs(onChange: () => void): () => void {
	const devices = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
	if (!devices) return () => undefined;
	devices.addEventListener('devicechange', onChange);
	return () => devices.removeEventListener('devicechange', onChange);
}
