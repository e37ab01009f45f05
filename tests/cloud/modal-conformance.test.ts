import { loadCatalog } from '../../src/catalog/loader.ts';
import { modalExtension } from '../../src/extensions/modal/index.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { conformanceSuite } from '../conformance/suite.ts';
import { FakeModal, InvalidError, ResourceExhaustedError } from '../fakes/modal-fake.ts';
import { tempDir } from '../helpers/env.ts';

const tmp = tempDir('sbx-conf-modal-');
const fake = new FakeModal();
const env: NodeJS.ProcessEnv = { SANDBOXER_STATE_DIR: tmp.dir, ...fake.env() };
const catalog = loadCatalog();
const registry = defaultRegistry().register('ext.modal', modalExtension({ api: fake.factory }));

conformanceSuite({
  name: 'ext.modal (adapter against an in-memory Modal)',
  profileId: 'profile.modal-gpu',
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
    const manifest = catalog.extensions.get('ext.modal')!.value;
    return registry.get(manifest).list!(await m.contextFor(manifest), {});
  },
  async injectFault(kind) {
    const undo = fake.inject('create', () =>
      kind === 'retryable'
        ? new ResourceExhaustedError('No capacity for T4 in the requested regions')
        : new InvalidError('Image build failed: manifest unknown'),
    );
    return async () => undo();
  },
  async slowProvision() {
    fake.pollDelayMs = 5000;
    return async () => void (fake.pollDelayMs = 0);
  },
  async cleanup() {
    tmp.cleanup();
  },
});
