import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';
import { HAVE_SQLITE } from './stores.ts';

/** One process opening the SQLite store (schema, WAL switch) and listing it, as `sandboxer list` does. */
const OPENER = `
import { SqliteStateStore } from './src/state/sqlite/sqlite-store.ts';
// Every process starts opening at the same instant (argv[2]), whatever its start-up took: asleep until just
// before it, then spinning for the last few milliseconds.
const at = Number(process.argv[2]);
await new Promise((r) => setTimeout(r, at - Date.now() - 15));
while (Date.now() < at);
const store = new SqliteStateStore(process.argv[1]);
await store.listSandboxes();
process.stdout.write('ok');
`;

function opener(file: string, at: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', OPENER, file, String(at)],
      {
        cwd: REPO_ROOT,
      },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/**
 * Processes that open a fresh SQLite state store at the same moment (a create and the `list` watching it; CI
 * jobs starting together) all get it: switching a new database to WAL does not wait on busy_timeout, and one of
 * them used to fail with "cannot open state database …: database is locked".
 */
describe.skipIf(!HAVE_SQLITE)('opening a fresh SQLite store from many processes at once', () => {
  const tmp = tempDir('sbx-sqlite-race-');
  afterAll(() => tmp.cleanup());

  it('every process opens it', async () => {
    for (let round = 0; round < 2; round++) {
      const file = join(tmp.dir, `round-${round}`, 'state.db');
      const at = Date.now() + 2500;
      const runs = await Promise.all(Array.from({ length: 8 }, () => opener(file, at)));
      expect(runs.filter((r) => r.code !== 0).map((r) => r.err)).toEqual([]);
      expect(runs.map((r) => r.out)).toEqual(runs.map(() => 'ok'));
    }
  }, 120_000);
});
