import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeE2bServer } from '../fakes/e2b-server.ts';
import { bundledCliArgs } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

const run = promisify(execFile);

/**
 * The bundled CLI (bin/sandboxer.js over dist/, what the actions and an installed sandboxer run) drives the real
 * e2b SDK end to end. e2b has no "exports" map and a CommonJS "main": bundled from that, `import('e2b')` gave
 * only a `default` export and every E2B create failed with "Cannot read properties of undefined (reading
 * 'create')", which the tests from source never saw. The build now takes ESM builds first (mainFields).
 */
describe('the bundled CLI on ext.e2b', () => {
  const tmp = tempDir('sbx-bundled-e2b-');
  const server = new FakeE2bServer();
  beforeAll(() => server.start());
  afterAll(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('creates and destroys a sandbox against the fake E2B API', async () => {
    const env = { ...process.env, ...server.env(), SANDBOXER_STATE_DIR: join(tmp.dir, 'state') };
    const created = await run(
      process.execPath,
      bundledCliArgs(['create', '--profile', 'profile.e2b-burst', '--json']),
      {
        env,
      },
    );
    const rec = JSON.parse(created.stdout) as { id: string; state: string };
    expect(rec.state).toBe('ready');
    expect(server.sandboxes.size).toBe(1);
    const destroyed = await run(process.execPath, bundledCliArgs(['destroy', rec.id, '--json']), { env });
    expect((JSON.parse(destroyed.stdout) as { state: string }).state).toBe('destroyed');
    expect(server.sandboxes.size).toBe(0);
  }, 60_000);
});
