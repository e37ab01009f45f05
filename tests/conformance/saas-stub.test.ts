import { loadCatalog } from '../../src/catalog/loader.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { tempDir } from '../helpers/env.ts';
import { conformanceSuite } from './suite.ts';

const tmp = tempDir('sbx-conf-stub-');
const env: NodeJS.ProcessEnv = { SANDBOXER_STATE_DIR: tmp.dir };
const catalog = loadCatalog();
const registry = defaultRegistry();

conformanceSuite({
  name: 'ext.saas-stub',
  profileId: 'profile.saas-stub',
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
    const manifest = catalog.extensions.get('ext.saas-stub')!.value;
    return registry.get(manifest).list!(await m.contextFor(manifest), {});
  },
  async injectFault(kind) {
    env.SANDBOXER_STUB_FAULT = `provision:${kind}`;
    return async () => void delete env.SANDBOXER_STUB_FAULT;
  },
  async slowProvision() {
    env.SANDBOXER_STUB_DELAY_MS = '5000';
    return async () => void delete env.SANDBOXER_STUB_DELAY_MS;
  },
  async cleanup() {
    tmp.cleanup();
  },
});
