import { loadCatalog, type Catalog } from '../../src/catalog/loader.ts';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../src/api/server.ts';
import type { SandboxRecord, SandboxState } from '../../src/core/record.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { tempDir } from '../helpers/env.ts';
import { call, type CallOptions, type Reply } from '../helpers/http.ts';

export { call, type CallOptions, type Reply } from '../helpers/http.ts';

export interface TestApi {
  server: ApiServer;
  manager: SandboxManager;
  env: NodeJS.ProcessEnv;
  stateDir: string;
  call(method: string, path: string, opts?: CallOptions): Promise<Reply>;
  /** Poll GET /v1/sandboxes/{id} until the state is one of `states` (bounded by a number of polls). */
  waitFor(id: string, states: SandboxState[]): Promise<SandboxRecord>;
  /** The stub backend's objects, as the reaper would list them. */
  backendObjects(): Promise<{ backend_id: string; sandbox_id?: string }[]>;
  stop(): Promise<void>;
}

const catalog = loadCatalog();
const registry = defaultRegistry();

/** A server on 127.0.0.1 with an ephemeral port, over a file store in a temp dir, on the stub backend. */
export async function startTestApi(
  opts: {
    env?: NodeJS.ProcessEnv;
    /** Another catalog (default: the packaged one). */
    catalog?: Catalog;
    /** The token waitFor polls with (default: `token`). */
    pollToken?: string;
  } & Partial<Omit<ApiServerOptions, 'manager'>> = {},
): Promise<TestApi> {
  const tmp = tempDir('sbx-api-');
  const env: NodeJS.ProcessEnv = { SANDBOXER_STATE_DIR: tmp.dir, ...opts.env };
  const manager = new SandboxManager({
    catalog: opts.catalog ?? catalog,
    registry,
    store: new FileStateStore(tmp.dir),
    owner: { scope: 'test:api' },
    env,
  });
  const { env: _env, catalog: _catalog, pollToken, ...serverOpts } = opts;
  const poll = pollToken ?? opts.token;
  const server = await startApiServer({ host: '127.0.0.1', port: 0, ...serverOpts, manager });
  const api: TestApi = {
    server,
    manager,
    env,
    stateDir: tmp.dir,
    call: (method, path, o) => call(server.url, method, path, o),
    async waitFor(id, states) {
      for (let i = 0; i < 2400; i++) {
        const r = await call(server.url, 'GET', `/v1/sandboxes/${id}`, poll ? { token: poll } : {});
        if (r.status !== 200) throw new Error(`GET ${id}: ${r.status} ${r.text}`);
        if (states.includes(r.body.state)) return r.body as SandboxRecord;
        await new Promise((res) => setTimeout(res, 25));
      }
      throw new Error(`${id} never reached ${states.join('|')}`);
    },
    async backendObjects() {
      const manifest = catalog.extensions.get('ext.saas-stub')!.value;
      return registry.get(manifest).list!(await manager.contextFor(manifest), {});
    },
    async stop() {
      await server.close({ graceMs: 0 });
      tmp.cleanup();
    },
  };
  return api;
}
