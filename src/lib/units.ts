/** Named units, so that no number leaves you guessing what it measures. */

/** Time in seconds (audio-clock time, durations, positions). */
export type Seconds = number;
/** Time in milliseconds (DOM timers, haptics). */
export type Milliseconds = number;
/** Level relative to full scale, in decibels. */
export type Decibels = number;
/** A linear gain, 0 (silent) to 1 (unity). */
export type GainValue = number;
/** Breathing rate. */
export type BreathsPerMinute = number;
/** Frequency in hertz. */
export type Hertz = number;

export const SECONDS_PER_MINUTE = 60;
