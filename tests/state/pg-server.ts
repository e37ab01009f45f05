import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';

/**
 * A throwaway PostgreSQL server on loopback for the tests: initdb + pg_ctl from Debian's `postgresql` package
 * (/usr/lib/postgresql/<major>/bin) in a temp directory, trust auth on 127.0.0.1, a free port. As root it runs
 * as the `postgres` user (the server refuses root). `pgBinDir()` is undefined when the binaries are absent.
 */
export function pgBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : undefined;
}

export const PG_SKIP_REASON =
  'PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql; scripts/ci.sh does)';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface PgServer {
  url: string;
  /** A fresh database on this server, for one test file or one store. */
  database(name: string): string;
  stop(): void;
}

/** Where a running server is: what a test file needs to create its databases on it (JSON, for vitest's provide). */
export interface PgAddress {
  bin: string;
  dir: string;
  port: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The integration project's one PostgreSQL server (tests/state/pg-global.ts), absent without PostgreSQL. */
    pg?: PgAddress;
  }
}

/** Runs a PostgreSQL client or server binary (as `postgres` when root: the server refuses root). */
function pgRun(a: Pick<PgAddress, 'bin' | 'dir'>, cmd: string, args: string[]): string {
  const asRoot = process.getuid?.() === 0;
  return execFileSync(
    asRoot ? 'runuser' : join(a.bin, cmd),
    asRoot ? ['-u', 'postgres', '--', join(a.bin, cmd), ...args] : args,
    { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', cwd: a.dir },
  );
}

/** A server's databases as a test file sees them: `database(name)` makes a fresh one each call. */
function server(a: PgAddress, stop: () => void): PgServer {
  const base = `postgres://sandboxer@127.0.0.1:${a.port}`;
  return {
    url: `${base}/postgres`,
    database(name) {
      // Files share the server: a name is made unique to this call (test files reuse theirs, run after run).
      const db = `${name}_${randomBytes(4).toString('hex')}`;
      pgRun(a, 'createdb', ['-h', '127.0.0.1', '-p', String(a.port), '-U', 'sandboxer', db]);
      return `${base}/${db}`;
    },
    stop,
  };
}

/** Starts a server of its own in a temp directory (the integration project's global setup does, once per run). */
export async function startPgServer(): Promise<{ address: PgAddress; stop(): void }> {
  const bin = pgBinDir();
  if (!bin) throw new Error(PG_SKIP_REASON);
  const dir = mkdtempSync(join(tmpdir(), 'sbx-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const a = { bin, dir, port };
  pgRun(a, 'initdb', ['-D', data, '-A', 'trust', '-U', 'sandboxer', '--no-sync', '-E', 'UTF8']);
  // Several files at once use it: concurrency tests open a connection per CLI process (50 at a time) and serve
  // replicas keep pools.
  pgRun(a, 'pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=600`,
    'start',
  ]);
  return {
    address: a,
    stop() {
      try {
        pgRun(a, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The PostgreSQL server for a test file: the run's shared one when the integration project started it (one
 * initdb per run instead of one per file; `stop()` then leaves it running), else one of the file's own.
 */
export async function startPg(): Promise<PgServer> {
  const shared = inject('pg');
  if (shared) return server(shared, () => undefined);
  const own = await startPgServer();
  return server(own.address, own.stop);
}
