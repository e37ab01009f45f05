import { rmSync } from 'node:fs';
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
// Declared ports, so the access tests see tunnels (Modal exposes only ports declared at create).
catalog.profiles.get('profile.modal-gpu')!.value.ports = [
  { port: 8000, protocol: 'http' },
  { port: 5432, protocol: 'tcp' },
];
const manager = () =>
  new SandboxManager({
    catalog,
    registry,
    store: new FileStateStore(tmp.dir),
    owner: { scope: 'test:conformance' },
    env,
  });

conformanceSuite({
  name: 'ext.modal (adapter against an in-memory Modal)',
  profileId: 'profile.modal-gpu',
  async manager() {
    return manager();
  },
  // exec, logs and files run for real (the fake runs commands as local processes); the image serves nothing.
  access: {},
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
    // The files test writes /tmp/sbx-conf-<sandbox id> (the fake's filesystem is this machine's).
    for (const r of await manager().list({}))
      rmSync(`/tmp/sbx-conf-${r.id}`, { recursive: true, force: true });
    fake.dispose();
    tmp.cleanup();
  },
});
