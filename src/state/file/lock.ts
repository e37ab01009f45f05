import { sleep } from '../../core/sleep.ts';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { SandboxerError } from '../../core/errors.ts';

/**
 * A cross-process lock: a lock file created with O_EXCL. A holder that died leaves a stale file, which is
 * taken over after `staleMs` by renaming it away (rename is atomic, so only one waiter wins the takeover).
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  opts: { timeoutMs?: number; staleMs?: number } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const staleMs = opts.staleMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.writeFile(`${process.pid} ${new Date().toISOString()}\n`);
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        const st = await stat(lockPath);
        if (Date.now() - st.mtimeMs > staleMs || (await holderIsDead(lockPath))) {
          const aside = `${lockPath}.stale-${process.pid}-${Date.now()}`;
          await rename(lockPath, aside).catch(() => {});
          await rm(aside, { force: true }).catch(() => {});
          continue;
        }
      } catch {
        continue; // vanished between open and stat: try again at once
      }
      if (Date.now() > deadline) {
        throw new SandboxerError('state_store', `timed out waiting for lock ${lockPath}`, {
          retryable: true,
          hint: 'another sandboxer process holds it; if none is running, delete the lock file',
        });
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 50);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function holderIsDead(lockPath: string): Promise<boolean> {
  try {
    const pid = Number((await readFile(lockPath, 'utf8')).split(' ')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
