import { join } from 'node:path';
import { describe, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { conformanceSuite } from '../conformance/suite.ts';
import { tempDir } from '../helpers/env.ts';
import { skipReason, testHost, writeComposeRepo } from './host.ts';

/** ext.compose-ssh through the shared conformance suite, against the real sshd + podman on loopback. */
const reason = skipReason();
if (reason) {
  describe.skip(`conformance: ext.compose-ssh (skipped: ${reason})`, () => {
    it('needs the loopback SSH + podman host', () => {});
  });
} else {
  const tmp = tempDir('sbx-conf-compose-');
  const repo = join(tmp.dir, 'repo');
  const env: NodeJS.ProcessEnv = {};
  const catalog = loadCatalog();
  const registry = defaultRegistry();

  conformanceSuite({
    name: 'ext.compose-ssh',
    profileId: 'profile.compose-e2e',
    inputs: { repo },
    access: { service: 'web', http: { port: 8080, body: /hello-from-web/ }, logLine: /web-started/ },
    async setup() {
      const h = testHost();
      Object.assign(env, h.env, {
        SANDBOXER_STATE_DIR: join(tmp.dir, 'state'),
        SANDBOXER_BASE_DIR: join(tmp.dir, 'host'),
      });
      writeComposeRepo(repo, h.image);
    },
    async manager() {
      return new SandboxManager({
        catalog,
        registry,
        store: new FileStateStore(join(tmp.dir, 'state')),
        owner: { scope: 'test:conformance-compose' },
        env,
      });
    },
    async backendObjects(m) {
      const manifest = catalog.extensions.get('ext.compose-ssh')!.value;
      return registry.get(manifest).list!(await m.contextFor(manifest), {});
    },
    async injectFault(kind) {
      const h = testHost();
      if (kind === 'retryable') {
        // Nothing listens on port 1: a connection failure, which routing may retry elsewhere.
        env.SANDBOXER_HOST = 'root@127.0.0.1:1';
        return async () => void (env.SANDBOXER_HOST = h.env.SANDBOXER_HOST);
      }
      // An image that exists nowhere: compose cannot start the service, a failure no retry fixes.
      writeComposeRepo(repo, h.image, { brokenImage: true });
      return async () => writeComposeRepo(repo, h.image);
    },
    async slowProvision() {
      const h = testHost();
      writeComposeRepo(repo, h.image, { healthyAfter_s: 30 });
      return async () => writeComposeRepo(repo, h.image);
    },
    async cleanup() {
      tmp.cleanup();
    },
  });
}
