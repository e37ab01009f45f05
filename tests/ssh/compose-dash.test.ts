import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { tempDir } from '../helpers/env.ts';
import { projectObjects, skipReason, testHost, writeComposeRepo } from './host.ts';

/**
 * A compose file under a directory named `-d`, itself named `-weird.yml` (#19): podman-compose on the real host
 * must get it as a file, not parse it as options; the sandbox comes up and goes away.
 */
const reason = skipReason();
const suite = reason ? describe.skip : describe;

suite(`compose file names starting with -${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const tmp = tempDir('sbx-compose-dash-');
  afterAll(() => tmp.cleanup());

  it('a compose_file input -d/-weird.yml works', async () => {
    const repo = join(tmp.dir, 'repo');
    writeComposeRepo(repo, testHost().image);
    mkdirSync(join(repo, '-d'));
    renameSync(join(repo, 'docker-compose.yml'), join(repo, '-d', '-weird.yml'));
    const m = new SandboxManager({
      catalog: loadCatalog(),
      registry: defaultRegistry(),
      store: new FileStateStore(join(tmp.dir, 'state')),
      owner: { scope: `test:compose-dash-${process.pid}` },
      env: { ...testHost().env, SANDBOXER_BASE_DIR: join(tmp.dir, 'host') },
    });
    const r = await m.create({
      profileId: 'profile.compose-e2e',
      inputs: { repo, compose_file: '-d/-weird.yml' },
      ttl: '10m',
    });
    try {
      expect(r.state).toBe('ready');
      expect(projectObjects(testHost(), r.id).length).toBeGreaterThan(0);
    } finally {
      await m.destroy(r.id);
    }
    expect(projectObjects(testHost(), r.id)).toEqual([]);
  }, 180_000);
});
