import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { sleep } from '../../core/sleep.ts';
import { SandboxerError } from '../../core/errors.ts';
import { localProcessGone } from '../../core/local-process.ts';

/**
 * A cross-process lock: a lock file created with O_EXCL holding `pid host token`. While held, a heartbeat
 * refreshes its mtime every `staleMs / 3`, so a holder that is alive but slow keeps it. A waiter takes it over
 * only when the heartbeat is stale (older than `staleMs`) or the holder's process is gone from this host, and
 * only the lock it judged (same token) — renaming it away first, so one waiter wins. Release removes the file
 * only while its token is still ours: a holder whose lock was taken over never deletes its successor's.
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  opts: { timeoutMs?: number; staleMs?: number } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const staleMs = opts.staleMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  const token = randomBytes(12).toString('hex');
  let delay = 2;
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.writeFile(`${process.pid} ${hostname()} ${token} ${new Date().toISOString()}\n`);
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await takeOverIfAbandoned(lockPath, staleMs)) continue;
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
  const heartbeat = setInterval(
    () => void beat(lockPath, token).then((ours) => ours || clearInterval(heartbeat)),
    Math.max(10, Math.floor(staleMs / 3)),
  );
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    if ((await holder(lockPath))?.token === token) await rm(lockPath, { force: true });
  }
}

interface Holder {
  pid: number;
  host: string;
  token: string;
}

async function holder(lockPath: string): Promise<Holder | undefined> {
  try {
    const [pid, host, token] = (await readFile(lockPath, 'utf8')).trim().split(' ');
    return { pid: Number(pid), host: host ?? '', token: token ?? '' };
  } catch {
    return undefined;
  }
}

/** Refresh the lock's mtime while it is still ours; false once it is not (taken over, or gone). */
async function beat(lockPath: string, token: string): Promise<boolean> {
  if ((await holder(lockPath))?.token !== token) return false;
  const now = new Date();
  await utimes(lockPath, now, now).catch(() => undefined);
  return true;
}

/** True when the lock was abandoned and is now out of the way (or vanished): try to create it again at once. */
export async function takeOverIfAbandoned(lockPath: string, staleMs: number): Promise<boolean> {
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(lockPath)).mtimeMs;
  } catch {
    return true; // vanished between open and stat
  }
  const judged = await holder(lockPath);
  if (!judged) return true;
  // On this host the process table decides (a live holder keeps its lock however starved its heartbeat is, e.g.
  // on a loaded machine); elsewhere only a stale heartbeat does.
  const local = judged.host === hostname() && Number.isInteger(judged.pid) && judged.pid > 0;
  const abandoned = local ? holderIsDead(judged) : Date.now() - mtimeMs > staleMs;
  if (!abandoned) return false;
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return true; // another waiter moved it first
  }
  const moved = await holder(aside);
  if (moved?.token !== judged.token) {
    // Between our look and the rename, someone else took it over and made a fresh lock: put theirs back.
    await link(aside, lockPath).catch(() => undefined);
  }
  await rm(aside, { force: true }).catch(() => undefined);
  return true;
}

/** Only a holder on this host can be seen to be gone; elsewhere the heartbeat decides. */
const holderIsDead = (h: Holder): boolean => localProcessGone(h.host, h.pid);
