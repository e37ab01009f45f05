import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { conformanceSuite } from '../conformance/suite.ts';
import { tempDir } from '../helpers/env.ts';
import { skipReason, testHost } from './host.ts';

/** ext.vm-packer (attach mode) through the shared conformance suite; the "VM" is the loopback sshd. */
const reason = skipReason();
if (reason) {
  describe.skip(`conformance: ext.vm-packer (skipped: ${reason})`, () => {
    it('needs the loopback SSH host', () => {});
  });
} else {
  const tmp = tempDir('sbx-conf-vm-');
  const repo = join(tmp.dir, 'repo');
  const env: NodeJS.ProcessEnv = {};
  const catalog = loadCatalog();
  const registry = defaultRegistry();

  conformanceSuite({
    name: 'ext.vm-packer',
    profileId: 'profile.vm-haskell-build',
    inputs: { repo, vm: 'haskell-build' },
    async setup() {
      Object.assign(env, testHost().env, {
        SANDBOXER_STATE_DIR: join(tmp.dir, 'state'),
        SANDBOXER_VM_WORKSPACE_ROOT: join(tmp.dir, 'build'),
      });
      mkdirSync(join(repo, 'src'), { recursive: true });
      writeFileSync(join(repo, 'src', 'Main.hs'), 'main = putStrLn "hi"\n');
    },
    async manager() {
      return new SandboxManager({
        catalog,
        registry,
        store: new FileStateStore(join(tmp.dir, 'state')),
        owner: { scope: 'test:conformance-vm' },
        env,
      });
    },
    async backendObjects(m) {
      const manifest = catalog.extensions.get('ext.vm-packer')!.value;
      return registry.get(manifest).list!(await m.contextFor(manifest), {});
    },
    async injectFault(kind) {
      if (kind === 'retryable') {
        const host = env.SANDBOXER_HOST;
        env.SANDBOXER_HOST = 'root@127.0.0.1:1'; // nothing listens there
        return async () => void (env.SANDBOXER_HOST = host);
      }
      // A workspace root that cannot be created: a failure no retry fixes.
      const root = env.SANDBOXER_VM_WORKSPACE_ROOT;
      env.SANDBOXER_VM_WORKSPACE_ROOT = '/proc/sandboxer-cannot-exist';
      return async () => void (env.SANDBOXER_VM_WORKSPACE_ROOT = root);
    },
    async slowProvision() {
      // The ready check passes only after the test has aborted.
      env.SANDBOXER_VM_READY_CHECK = 'sleep 30';
      return async () => void delete env.SANDBOXER_VM_READY_CHECK;
    },
    async cleanup() {
      tmp.cleanup();
    },
  });
}
