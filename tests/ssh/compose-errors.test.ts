import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { tempDir } from '../helpers/env.ts';
import { projectObjects, skipReason, testHost, writeComposeRepo } from './host.ts';

/**
 * What a user sees when a compose-ssh create cannot work: the reason, in compose's own words where compose
 * said something, and nothing left behind.
 */
const reason = skipReason();
const suite = reason ? describe.skip : describe;

suite(`compose-ssh failures${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const tmp = tempDir('sbx-compose-errors-');
  afterAll(() => tmp.cleanup());

  function manager(): SandboxManager {
    const h = testHost();
    return new SandboxManager({
      catalog: loadCatalog(),
      registry: defaultRegistry(),
      store: new FileStateStore(join(tmp.dir, 'state')),
      owner: { scope: 'test:compose-errors' },
      env: { ...h.env, SANDBOXER_BASE_DIR: join(tmp.dir, 'host') },
    });
  }

  async function failure(repo: string): Promise<{ message: string; id: string }> {
    const m = manager();
    const err = await m
      .create({ profileId: 'profile.compose-e2e', inputs: { repo }, ttl: '10m' })
      .then(() => undefined)
      .catch((e: Error) => e);
    expect(err, 'create must fail').toBeInstanceOf(Error);
    const [record] = (await m.list()).filter((r) => r.inputs.repo === repo);
    expect(record?.state).toBe('failed');
    expect(record?.cleanup_pending).toBe(false);
    expect(projectObjects(testHost(), record!.id), 'nothing of the sandbox is left on the host').toEqual([]);
    expect(existsSync(join(tmp.dir, 'host', record!.id)), 'the sandbox directory is gone').toBe(false);
    return { message: err!.message, id: record!.id };
  }

  it('an image that cannot be had fails the create with what compose said', async () => {
    const repo = join(tmp.dir, 'broken');
    writeComposeRepo(repo, testHost().image, { brokenImage: true });
    const { message } = await failure(repo);
    expect(message).toMatch(/web/);
    expect(message).toMatch(/compose said: .*does-not-exist/);
  });

  it('a compose file that is missing, excluded or a symlink is named before anything reaches the host', async () => {
    const repo = join(tmp.dir, 'no-compose');
    mkdirSync(repo, { recursive: true });
    writeFileSync(join(repo, 'README.md'), 'no compose file here\n');
    expect((await failure(repo)).message).toMatch(/compose file docker-compose\.yml does not exist in /);

    writeComposeRepo(repo, testHost().image);
    writeFileSync(join(repo, '.sandboxerignore'), '*.yml\n');
    expect((await failure(repo)).message).toMatch(/docker-compose\.yml is excluded from the transfer/);

    rmSync(join(repo, '.sandboxerignore'));
    rmSync(join(repo, 'docker-compose.yml'));
    writeComposeRepo(join(tmp.dir, 'elsewhere'), testHost().image);
    symlinkSync(join(tmp.dir, 'elsewhere', 'docker-compose.yml'), join(repo, 'docker-compose.yml'));
    expect((await failure(repo)).message).toMatch(/is a symbolic link/);
  });
});
