import ms from 'ms';
import { shown, usageError } from './errors.ts';

/** The longest duration accepted (10 years): beyond it dates overflow and nothing useful lives that long. */
export const MAX_DURATION_S = 10 * 365 * 86_400;

/** Parse a human duration ("90s", "30m", "2h", "1d") into whole seconds. Invalid or non-positive → usage error. */
export function parseDurationSeconds(input: string, what = 'duration'): number {
  const trimmed = input.trim();
  // ms() treats a bare number as milliseconds, which surprises people who write "--ttl 3600": reject it.
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    throw usageError(`invalid ${what} ${shown(input)}: add a unit`, 'use a unit, e.g. 90s, 30m, 2h or 1d');
  }
  const value = (ms as unknown as (s: string) => number | undefined)(trimmed);
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw usageError(`invalid ${what} ${shown(input)}`, 'use a positive duration such as 90s, 30m, 2h or 1d');
  }
  const seconds = Math.round(value / 1000);
  if (seconds < 1) throw usageError(`invalid ${what} ${shown(input)}: shorter than one second`);
  if (seconds > MAX_DURATION_S) throw usageError(`invalid ${what} ${shown(input)}: longer than 10 years`);
  return seconds;
}

export function formatDuration(seconds: number): string {
  return ms(seconds * 1000, { long: false });
}
