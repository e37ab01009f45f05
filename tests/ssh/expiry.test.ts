import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { tempDir } from '../helpers/env.ts';
import { projectObjects, skipReason, testHost, writeComposeRepo } from './host.ts';

/**
 * Host-side expiry of ext.compose-ssh: a sandbox with a TTL removes itself on the host when it expires, even
 * though nothing ever calls teardown (the runner died); teardown cancels the timer; extendTtl moves it.
 */
const reason = skipReason();
const suite = reason ? describe.skip : describe;

/** Processes whose command line mentions `needle` (the expiry timer names the sandbox directory). */
function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) out.push(Number(pid));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

async function until(what: string, check: () => boolean, bound_ms: number): Promise<void> {
  for (let waited = 0; !check(); waited += 500) {
    if (waited > bound_ms) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

suite(`host-side expiry (compose-ssh)${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const tmp = tempDir('sbx-expiry-');
  const base = join(tmp.dir, 'host');
  const repo = join(tmp.dir, 'repo');
  const env: NodeJS.ProcessEnv = {};
  let m: SandboxManager;

  beforeAll(() => {
    const h = testHost();
    Object.assign(env, h.env, { SANDBOXER_STATE_DIR: join(tmp.dir, 'state'), SANDBOXER_BASE_DIR: base });
    writeComposeRepo(repo, h.image);
    m = new SandboxManager({
      catalog: loadCatalog(),
      registry: defaultRegistry(),
      store: new FileStateStore(join(tmp.dir, 'state')),
      owner: { scope: 'test:expiry' },
      env,
    });
  });
  afterAll(() => tmp.cleanup());

  it('removes an expired sandbox on the host although nobody calls teardown', async () => {
    const h = testHost();
    const r = await m.create({ profileId: 'profile.compose-e2e', inputs: { repo }, ttl: '25s' });
    expect(r.state).toBe('ready');
    expect(projectObjects(h, r.id).length).toBeGreaterThan(0);
    expect(processesMentioning(join(base, r.id)).length).toBeGreaterThan(0);
    // The runner is gone: nothing here calls destroy. The host's own timer must clean up.
    // (The directory leaves first, then the containers; the timer's teardown script runs until both are gone.)
    await until(
      'the host-side expiry',
      () =>
        projectObjects(h, r.id).length === 0 &&
        !existsSync(join(base, r.id)) &&
        processesMentioning(join(base, r.id)).length === 0,
      120_000,
    );
    expect(processesMentioning(join(base, r.id))).toEqual([]);
    // The record still says ready; destroy afterwards is a clean no-op on the host.
    expect((await m.destroy(r.id)).state).toBe('destroyed');
  }, 180_000);

  it('teardown cancels the expiry timer', async () => {
    const h = testHost();
    const r = await m.create({ profileId: 'profile.compose-e2e', inputs: { repo }, ttl: '10m' });
    expect(processesMentioning(join(base, r.id)).length).toBeGreaterThan(0);
    await m.destroy(r.id);
    expect(projectObjects(h, r.id)).toEqual([]);
    expect(processesMentioning(join(base, r.id))).toEqual([]);
  }, 120_000);

  it('extendTtl pushes the host-side expiry', async () => {
    const h = testHost();
    const r = await m.create({ profileId: 'profile.compose-e2e', inputs: { repo }, ttl: '20s' });
    const firstExpiry = Date.parse(r.expires_at!);
    const { record, pushed } = await m.extendTtl(r.id, '10m');
    expect(pushed).toBe(true);
    expect(readFileSync(join(base, r.id, 'meta', 'expires_at'), 'utf8').trim()).toBe(record.expires_at);
    // Past the original expiry (plus slack for a loaded machine), the sandbox is still there.
    await until('the original expiry to pass', () => Date.now() > firstExpiry + 10_000, 60_000);
    expect(projectObjects(h, r.id).length).toBeGreaterThan(0);
    expect(existsSync(join(base, r.id, 'repo'))).toBe(true);
    await m.destroy(r.id);
    expect(processesMentioning(join(base, r.id))).toEqual([]);
  }, 180_000);
});
