import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

export async function startPg(): Promise<PgServer> {
  const bin = pgBinDir();
  if (!bin) throw new Error(PG_SKIP_REASON);
  const dir = mkdtempSync(join(tmpdir(), 'sbx-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) =>
    execFileSync(
      asRoot ? 'runuser' : join(bin, cmd),
      asRoot ? ['-u', 'postgres', '--', join(bin, cmd), ...args] : args,
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
        cwd: dir,
      },
    );
  const port = await freePort();
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'sandboxer', '--no-sync', '-E', 'UTF8']);
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
    'start',
  ]);
  const base = `postgres://sandboxer@127.0.0.1:${port}`;
  return {
    url: `${base}/postgres`,
    database(name) {
      run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'sandboxer', name]);
      return `${base}/${name}`;
    },
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
