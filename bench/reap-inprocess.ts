// reap-stale over 1,000 records of which 100 are stale (40 expired, 25 stuck provisioning, 15 failed with
// cleanup pending, 20 whose backend object is gone) plus 50 orphaned backend objects, on ext.saas-stub.
// Measures wall time, peak RSS and calls (extension list/teardown, manager destroys, state-store operations)
// for the dry run and the applied run, on the file store and on the memory store, side by side.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog } from '../src/catalog/loader.ts';
import { newSandboxId } from '../src/core/ids.ts';
import { ownershipLabels } from '../src/core/labels.ts';
import type { SandboxRecord } from '../src/core/record.ts';
import type { Extension } from '../src/extensions/contract.ts';
import { ExtensionRegistry } from '../src/extensions/registry.ts';
import { saasStub } from '../src/extensions/saas-stub/index.ts';
import { SandboxManager } from '../src/manager/manager.ts';
import { FileStateStore } from '../src/state/file/file-store.ts';
import { MemoryStateStore } from '../src/state/memory/memory-store.ts';
import type { StateStore } from '../src/state/store.ts';
import { reapStale, type ReapReport } from '../src/reaper/reap.ts';
import { tempDir } from '../tests/helpers/env.ts';

const RECORDS = 1000;
const MIX = { expired: 40, stuck: 25, cleanup: 15, gone: 20 };
const ORPHANS = 50;
const SCOPE = 'bench:reap';

type Counts = Record<string, number>;

function countingExtension(ext: Extension, counts: Counts): Extension {
  return new Proxy(ext, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        counts[`ext.${String(prop)}`] = (counts[`ext.${String(prop)}`] ?? 0) + 1;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function countingStore(store: StateStore, counts: Counts): StateStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        counts[`store.${String(prop)}`] = (counts[`store.${String(prop)}`] ?? 0) + 1;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function seed(store: StateStore, stubDir: string): Promise<void> {
  const objects = join(stubDir, 'objects');
  mkdirSync(objects, { recursive: true });
  const now = Date.now();
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
  const kinds: string[] = [
    ...Object.entries(MIX).flatMap(([k, n]) => Array<string>(n).fill(k)),
    ...Array<string>(RECORDS - Object.values(MIX).reduce((a, b) => a + b, 0)).fill('healthy'),
  ];
  const writeObject = (id: string, labels: Record<string, string>, created: string) =>
    writeFileSync(
      join(objects, `stub-${id.slice(4)}.json`),
      JSON.stringify({ backend_id: `stub-${id.slice(4)}`, labels, created_at: created, status: 'running' }),
    );
  for (const kind of kinds) {
    const id = newSandboxId();
    const created = iso(3 * 3600_000);
    const expires = kind === 'expired' ? iso(600_000) : new Date(now + 6 * 3600_000).toISOString();
    const labels = ownershipLabels({
      sandboxId: id,
      profileId: 'profile.saas-stub',
      owner: { scope: SCOPE },
      expiresAt: expires,
    });
    const state = kind === 'stuck' ? 'provisioning' : kind === 'cleanup' ? 'failed' : 'ready';
    const record: SandboxRecord = {
      id,
      revision: 0,
      profile_id: 'profile.saas-stub',
      profile_version: '1.0.0',
      extension_id: 'ext.saas-stub',
      state,
      placement: { region: 'stub-local-1' },
      handle: { backend_id: `stub-${id.slice(4)}` },
      inputs: {},
      resources: { cpu: 2, memory_mib: 1024, gpu_count: 0 },
      labels,
      owner: { scope: SCOPE },
      created_at: created,
      ...(state === 'ready' ? { ready_at: iso(3 * 3600_000 - 5000) } : {}),
      ttl_s: Math.round((Date.parse(expires) - Date.parse(created)) / 1000),
      expires_at: expires,
      config: { region: 'stub-local-1' },
      ...(kind === 'cleanup'
        ? { cleanup_pending: true, error: { code: 'backend', message: 'injected' } }
        : {}),
      history: [
        { from: null, to: 'requested', at: created },
        { from: 'requested', to: 'provisioning', at: created },
        ...(state === 'ready' ? [{ from: 'provisioning' as const, to: 'ready' as const, at: created }] : []),
        ...(state === 'failed'
          ? [{ from: 'provisioning' as const, to: 'failed' as const, at: created }]
          : []),
      ],
    };
    await store.createSandbox(record);
    if (kind !== 'gone') writeObject(id, labels, created);
  }
  for (let i = 0; i < ORPHANS; i++) {
    const id = newSandboxId();
    writeObject(
      id,
      ownershipLabels({ sandboxId: id, profileId: 'profile.saas-stub', owner: { scope: SCOPE } }),
      iso(3600_000),
    );
  }
}

interface Row {
  store: string;
  mode: string;
  wall_ms: number;
  rss_mib: number;
  actions: number;
  done: number;
  counts: Counts;
}

async function measure(kind: 'file' | 'memory', apply: boolean): Promise<Row> {
  const tmp = tempDir('sbx-bench-reap-');
  try {
    const stubDir = join(tmp.dir, 'stub');
    const base: StateStore =
      kind === 'file' ? new FileStateStore(join(tmp.dir, 'state')) : new MemoryStateStore();
    await seed(base, stubDir);
    const counts: Counts = {};
    const registry = new ExtensionRegistry().register('ext.saas-stub', (m) =>
      countingExtension(saasStub(m), counts),
    );
    const manager = new SandboxManager({
      catalog: loadCatalog(),
      registry,
      store: countingStore(base, counts),
      owner: { scope: SCOPE },
      env: { SANDBOXER_STATE_DIR: tmp.dir, SANDBOXER_STUB_DIR: stubDir },
    });
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const t0 = performance.now();
    const report: ReapReport = await reapStale(manager, {
      apply,
      minOrphanAge_s: 600,
      extensions: ['ext.saas-stub'],
      replayOutbox: false,
    });
    const wall = performance.now() - t0;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (apply) {
      const left = readdirSync(join(stubDir, 'objects')).filter((f) => f.endsWith('.json')).length;
      const expected = RECORDS - Object.values(MIX).reduce((a, b) => a + b, 0);
      if (left !== expected) throw new Error(`expected ${expected} objects to remain, found ${left}`);
    }
    return {
      store: kind,
      mode: apply ? 'apply' : 'dry run',
      wall_ms: Math.round(wall),
      rss_mib: Math.round(peak / 1048576),
      actions: report.actions.length,
      done: report.summary.done,
      counts,
    };
  } finally {
    tmp.cleanup();
  }
}

/** The in-process table (no GitHub): `BENCH_REAP_INPROCESS=1 npm run bench reap`. */
export async function inProcess(): Promise<void> {
  console.log(
    `${RECORDS} records (${Object.values(MIX).reduce((a, b) => a + b, 0)} stale: ${Object.entries(MIX)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')}) + ${ORPHANS} orphaned objects on ext.saas-stub`,
  );
  const rows: Row[] = [];
  for (const kind of ['file', 'memory'] as const) {
    for (const apply of [false, true]) rows.push(await measure(kind, apply));
  }
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.counts)))].sort();
  const header = ['store', 'mode', 'wall ms', 'peak RSS MiB', 'actions', 'done', ...keys];
  const lines = rows.map((r) => [
    r.store,
    r.mode,
    String(r.wall_ms),
    String(r.rss_mib),
    String(r.actions),
    String(r.done),
    ...keys.map((k) => String(r.counts[k] ?? 0)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  for (const l of [header, ...lines]) console.log(l.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  const file = rows.filter((r) => r.store === 'file');
  console.log(
    `apply / dry run wall time (file store): ${(file[1]!.wall_ms / Math.max(1, file[0]!.wall_ms)).toFixed(1)}x; ` +
      `per stale item applied: ${(file[1]!.wall_ms / Math.max(1, file[1]!.done)).toFixed(1)} ms`,
  );
}
