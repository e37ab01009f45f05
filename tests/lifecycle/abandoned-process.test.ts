import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, cliArgs, json, REPO_ROOT } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

interface Report {
  items: { kind: string; sandbox_id?: string; reason: string }[];
}

/**
 * A CLI create killed with SIGKILL (#16): its record names the process (`process:<host>/<pid>`), and once that
 * process is gone the next reap pass on this host finishes the record, with the default bounds (no 25-minute
 * wait, no --stuck-after 0); while the process lives the record is left alone.
 */
describe('a create whose process is gone', () => {
  const tmp = tempDir('sbx-abandoned-process-');
  afterAll(() => tmp.cleanup());
  const stub = join(tmp.dir, 'stub');
  const env = {
    SANDBOXER_STATE_DIR: join(tmp.dir, 'state'),
    SANDBOXER_STUB_DIR: stub,
    SANDBOXER_STUB_DELAY_MS: '120000',
    SANDBOXER_SCOPE: 'test:abandoned-process',
  };
  const objects = () => {
    const dir = join(stub, 'objects');
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  };

  it('is abandoned at the next pass, and reaped with the default bounds', async () => {
    const child = spawn(process.execPath, cliArgs(['create', '--profile', 'profile.saas-stub']), {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const closed = new Promise<NodeJS.Signals | null>((r) => child.on('close', (_c, signal) => r(signal)));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (stderr.includes('▸ provision')) resolve();
      });
      child.on('close', () => reject(new Error(`create ended before provisioning:\n${stderr}`)));
    });
    const [record] = json<{ id: string; state: string; provisioner?: string }[]>(
      await cli(['list', '--json'], env),
    );
    expect(record!.provisioner).toBe(`process:${(await import('node:os')).hostname()}/${child.pid}`);

    // Alive: nothing to do.
    const alive = json<Report>(await cli(['inspect', 'stale', '--json', '--min-orphan-age', '0'], env));
    expect(alive.items.filter((i) => i.sandbox_id === record!.id)).toEqual([]);

    child.kill('SIGKILL');
    expect(await closed).toBe('SIGKILL');
    clearTimeout(guard);

    const seen = json<Report>(await cli(['inspect', 'stale', '--json'], env));
    expect(seen.items).toContainEqual(
      expect.objectContaining({
        kind: 'abandoned',
        sandbox_id: record!.id,
        reason: expect.stringMatching(/process that created it .* is gone/),
      }),
    );
    // Default bounds: only the abandoned record is acted on (the object belongs to it, so no orphan age applies).
    const reap = await cli(['reap-stale', '--apply', '--json'], env);
    expect(reap.code, reap.stderr).toBe(0);
    const after = json<{ id: string; state: string }[]>(await cli(['list', '--all', '--json'], env));
    expect(after.find((r) => r.id === record!.id)?.state).toMatch(/^(destroyed|failed)$/);
    expect(json<unknown[]>(await cli(['list', '--json'], env))).toEqual([]);
    expect(objects()).toEqual([]);
  }, 120_000);
});
