import { Transform } from 'node:stream';

/** Bytes as a progress line shows them: `12.3 MB`. */
export const megabytes = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

/** How often a long transfer reports while data flows. */
export const PROGRESS_EVERY_MS = 2000;

/**
 * A pass-through that counts the bytes going by for a progress line: `report(bytes, false)` at most every
 * `everyMs` while data flows, then `report(total, true)` once at the end. The report goes to the logger
 * (stderr in the CLI, never stdout, so `--json` output stays one document; `--quiet` silences it).
 */
export function byteProgress(
  report: (bytes: number, done: boolean) => void,
  everyMs = PROGRESS_EVERY_MS,
): Transform {
  let n = 0;
  let last = Date.now();
  return new Transform({
    transform(chunk: Buffer, _encoding, cb) {
      n += chunk.length;
      const now = Date.now();
      if (now - last >= everyMs) {
        last = now;
        report(n, false);
      }
      cb(null, chunk);
    },
    flush(cb) {
      report(n, true);
      cb();
    },
  });
}
