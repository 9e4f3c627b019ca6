/**
 * Audio files for import tests, made in Node.
 *
 * @example
 * await picker.setInputFiles([file('tone.wav', wav(440, 30))]);
 */

/** A mono 16-bit WAV of a sine tone; each frequency (or length) gives different bytes, so a different track. */
export function wav(frequency: number, seconds = 1, sampleRate = 22_050): Buffer {
	const samples = new Float32Array(Math.round(seconds * sampleRate));
	for (let i = 0; i < samples.length; i += 1) samples[i] = 0.3 * Math.sin((2 * Math.PI * frequency * i) / sampleRate);
	return pcmWav(samples, sampleRate);
}

/** A mono 16-bit PCM WAV of `samples` (−1…1). */
export function pcmWav(samples: Float32Array, sampleRate: number): Buffer {
	const data = Buffer.alloc(samples.length * 2);
	for (let i = 0; i < samples.length; i += 1) {
		const value = Math.max(-1, Math.min(1, samples[i]!));
		data.writeInt16LE(Math.round(value * 32_767), i * 2);
	}
	const header = Buffer.alloc(44);
	header.write('RIFF', 0, 'ascii');
	header.writeUInt32LE(36 + data.length, 4);
	header.write('WAVE', 8, 'ascii');
	header.write('fmt ', 12, 'ascii');
	header.writeUInt32LE(16, 16);
	header.writeUInt16LE(1, 20); // PCM
	header.writeUInt16LE(1, 22); // mono
	header.writeUInt32LE(sampleRate, 24);
	header.writeUInt32LE(sampleRate * 2, 28);
	header.writeUInt16LE(2, 32);
	header.writeUInt16LE(16, 34);
	header.write('data', 36, 'ascii');
	header.writeUInt32LE(data.length, 40);
	return Buffer.concat([header, data]);
}

/** A mono 32-bit float WAV of `samples`, to listen to (or measure) what a test recorded. */
export function floatWav(samples: Float32Array, sampleRate: number): Buffer {
	const header = Buffer.alloc(44);
	const bytes = samples.length * 4;
	header.write('RIFF', 0, 'ascii');
	header.writeUInt32LE(36 + bytes, 4);
	header.write('WAVE', 8, 'ascii');
	header.write('fmt ', 12, 'ascii');
	header.writeUInt32LE(16, 16);
	header.writeUInt16LE(3, 20); // IEEE float
	header.writeUInt16LE(1, 22);
	header.writeUInt32LE(sampleRate, 24);
	header.writeUInt32LE(sampleRate * 4, 28);
	header.writeUInt16LE(4, 32);
	header.writeUInt16LE(32, 34);
	header.write('data', 36, 'ascii');
	header.writeUInt32LE(bytes, 40);
	return Buffer.concat([header, Buffer.from(samples.buffer, samples.byteOffset, bytes)]);
}

/** A file for Playwright's setInputFiles. */
export const file = (name: string, buffer: Buffer, mimeType = 'audio/wav') => ({ name, mimeType, buffer });
