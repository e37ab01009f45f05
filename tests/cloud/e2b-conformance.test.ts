import { loadCatalog } from '../../src/catalog/loader.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { conformanceSuite } from '../conformance/suite.ts';
import { FakeE2bServer } from '../fakes/e2b-server.ts';
import { tempDir } from '../helpers/env.ts';

const tmp = tempDir('sbx-conf-e2b-');
const server = new FakeE2bServer();
const env: NodeJS.ProcessEnv = { SANDBOXER_STATE_DIR: tmp.dir };
const catalog = loadCatalog();
const registry = defaultRegistry();

conformanceSuite({
  name: 'ext.e2b (real e2b SDK against a local E2B API)',
  profileId: 'profile.e2b-burst',
  // Single-container backend; the 8080 endpoint is E2B's https://8080-<id>.<domain>, which a local fake cannot
  // serve, so the access suite checks its shape rather than fetching it. No service logs on E2B.
  access: {},
  async setup() {
    await server.start();
    Object.assign(env, server.env());
  },
  async manager() {
    return new SandboxManager({
      catalog,
      registry,
      store: new FileStateStore(tmp.dir),
      owner: { scope: 'test:conformance' },
      env,
    });
  },
  async backendObjects(m) {
    const manifest = catalog.extensions.get('ext.e2b')!.value;
    return registry.get(manifest).list!(await m.contextFor(manifest), {});
  },
  async injectFault(kind) {
    const undo = server.inject(
      kind === 'retryable'
        ? { op: 'create', status: 500, message: 'placement timed out' }
        : { op: 'create', status: 400, message: 'invalid template' },
    );
    return async () => undo();
  },
  async slowProvision() {
    server.startupDelayMs = 5000;
    return async () => void (server.startupDelayMs = 0);
  },
  async cleanup() {
    await server.stop();
    tmp.cleanup();
  },
});
