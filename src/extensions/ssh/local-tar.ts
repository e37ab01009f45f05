import { spawn, spawnSync } from 'node:child_process';
import { basename, dirname } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { PROGRESS_EVERY_MS } from '../../core/progress.ts';

/**
 * The tar `sandboxer cp SRC ID:DST` sends: a directory's contents (`./…`) or one file by its name, ownership
 * dropped (uid/gid 0, no user or group names), symlinks stored as links and never followed. GNU tar builds it
 * when the machine has one, else node-tar with the same member names and ownership (`system_tar: false`, or
 * SANDBOXER_SYSTEM_TAR=0, forces node-tar).
 */
export interface LocalTarSource {
  cwd: string;
  member: string;
  system_tar: boolean;
}

export function localTarSource(path: string, isDir: boolean, env: NodeJS.ProcessEnv): LocalTarSource {
  return {
    cwd: isDir ? path : dirname(path),
    member: isDir ? '.' : basename(path),
    system_tar: env.SANDBOXER_SYSTEM_TAR !== '0',
  };
}

/** A source as the mux agent receives it (JSON from its socket): the shape checked, else undefined. */
export function parseLocalTarSource(v: unknown): LocalTarSource | undefined {
  const s = v as Partial<LocalTarSource> | undefined;
  return s && typeof s.cwd === 'string' && typeof s.member === 'string' && typeof s.system_tar === 'boolean'
    ? { cwd: s.cwd, member: s.member, system_tar: s.system_tar }
    : undefined;
}

let gnu: boolean | undefined;

/** `tar` on PATH is GNU tar (the flags below are GNU's; bsdtar's differ). Asked once per process. */
function hasGnuTar(): boolean {
  gnu ??= /GNU tar/.test(spawnSync('tar', ['--version'], { encoding: 'utf8' }).stdout ?? '');
  return gnu;
}

/**
 * The tar bytes of a source. A GNU tar that fails (an unreadable file, a file that changed as it was read)
 * errors the stream with its words, so the copy fails instead of landing a partial tree as a whole one.
 */
export async function openLocalTar(src: LocalTarSource): Promise<Readable> {
  if (src.system_tar && hasGnuTar()) return gnuTar(src);
  const { create } = await import('tar');
  return create({ cwd: src.cwd, portable: true }, [src.member]) as unknown as Readable;
}

function gnuTar(src: LocalTarSource): Readable {
  // tar's own 10 KB records: bigger ones (-b 128) were a little cheaper to send, but pad the archive with up to
  // 63 KB of zeros after its end, and `podman cp -` (a copy into a service container) fails on what it leaves unread.
  const child = spawn(
    'tar',
    ['-cf', '-', '--owner=0', '--group=0', '--numeric-owner', '-C', src.cwd, '--', src.member],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // The stream ends only once tar exited 0: a failed tar never looks like a whole archive.
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  const said: Buffer[] = [];
  child.stderr.on('data', (d: Buffer) => said.push(d));
  child.stdout.pipe(out, { end: false });
  child.on('error', (e) => out.destroy(e));
  child.on('close', (code, signal) => {
    if (code === 0) return void out.end();
    const words = Buffer.concat(said).toString('utf8').trim().split('\n').slice(-3).join('; ');
    out.destroy(new Error(`tar of ${src.cwd} failed (${signal ?? `exit ${code}`}): ${words}`));
  });
  // The reader went away (the upload failed): stop reading files.
  out.on('close', () => child.exitCode === null && child.kill());
  return out;
}

/**
 * A tar of a local source, built only when read. Read here (a direct SSH connection, any other backend) it
 * runs the tar in this process. The SSH mux client instead hands `source` to its agent, which runs the tar
 * itself: one Node process and one 50 MB socket hop less on the data path (#13); the agent reports the bytes
 * it sent through `sent`. `progress(bytes, done)` is called at most every PROGRESS_EVERY_MS, then at the end.
 */
export class LocalTarStream extends Readable {
  private tar: Readable | undefined;
  private last = Date.now();

  constructor(
    readonly source: LocalTarSource,
    private readonly progress: (bytes: number, done: boolean) => void,
  ) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _read(): void {
    if (this.tar) return void this.tar.resume();
    let n = 0;
    openLocalTar(this.source).then(
      (tar) => {
        this.tar = tar;
        if (this.destroyed) return void tar.destroy();
        tar.on('data', (d: Buffer) => {
          n += d.length;
          this.sent(n, false);
          if (!this.push(d)) tar.pause();
        });
        tar.on('end', () => {
          this.sent(n, true);
          this.push(null);
        });
        tar.on('error', (e) => this.destroy(e));
      },
      (e: unknown) => this.destroy(e as Error),
    );
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.tar?.destroy();
    cb(err);
  }

  /**
   * Called once the command reading this tar has ended: resolves when the tar ended whole, rejects when it
   * failed. The command can end first (`tar -x` stops at the end blocks, which a failing tar writes too), so its
   * exit alone does not say the copy is whole. What it left unread is discarded.
   */
  settled(): Promise<void> {
    if (this.readableEnded) return Promise.resolve();
    // Unpiped first: the pipe's own cleanup on the channel's close would otherwise pause the stream again.
    this.unpipe();
    this.resume();
    return finished(this);
  }

  /** `bytes` of the tar sent so far (by this process or by the mux agent); `done` once, at its end. */
  sent(bytes: number, done: boolean): void {
    const now = Date.now();
    if (!done && now - this.last < PROGRESS_EVERY_MS) return;
    this.last = now;
    this.progress(bytes, done);
  }
}
