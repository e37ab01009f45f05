/**
 * Credential-gated smoke test of the cloud adapters against the real E2B and Modal APIs, for operators.
 * CI never runs it. Each provider whose credentials are unset is skipped with a message (exit 0).
 *
 *   E2B_API_KEY=… node --import tsx scripts/smoke-cloud.ts e2b
 *   MODAL_TOKEN_ID=… MODAL_TOKEN_SECRET=… node --import tsx scripts/smoke-cloud.ts modal
 *   node --import tsx scripts/smoke-cloud.ts            # both, whichever has credentials
 *
 * It uses a throw-away state dir and two small CPU-only smoke profiles (1 vCPU / 512 MiB, TTL 10m) so it costs
 * a fraction of a cent, and it always destroys what it made. Steps: create → ready, find it by its ownership
 * labels, extend the TTL (E2B; Modal must say "not supported"), snapshot, destroy, restore, destroy, delete the
 * snapshot, and check nothing of ours is left. Times are printed for each step.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABEL } from '../src/core/labels.ts';
import { toSandboxerError } from '../src/core/errors.ts';
import type { SandboxRecord, SnapshotRecord } from '../src/core/record.ts';
import { createManager } from '../src/manager/factory.ts';

interface Provider {
  name: 'e2b' | 'modal';
  extension: string;
  credentials: string[];
  profile: string;
}

const PROVIDERS: Provider[] = [
  {
    name: 'e2b',
    extension: 'ext.e2b',
    credentials: ['E2B_API_KEY'],
    profile: [
      'id: profile.smoke-e2b',
      'version: 1.0.0',
      'extension: ext.e2b',
      'resources: { cpu: 2, memory_mib: 512 }',
      'ttl: { default: 10m, max: 1h }',
      'labels: { io.sandboxer.smoke: "true" }',
      'config: { template: base }',
    ].join('\n'),
  },
  {
    name: 'modal',
    extension: 'ext.modal',
    credentials: ['MODAL_TOKEN_ID', 'MODAL_TOKEN_SECRET'],
    profile: [
      'id: profile.smoke-modal',
      'version: 1.0.0',
      'extension: ext.modal',
      'resources: { cpu: 1, memory_mib: 512 }',
      'ttl: { default: 10m, max: 1h }',
      'labels: { io.sandboxer.smoke: "true" }',
      'config: { image: "python:3.12-slim" }',
    ].join('\n'),
  },
];

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const v = await fn();
  console.log(`  ✓ ${label} (${((performance.now() - t0) / 1000).toFixed(1)}s)`);
  return v;
}

async function smoke(p: Provider, root: string): Promise<boolean> {
  const missing = p.credentials.filter((c) => !process.env[c]);
  if (missing.length) {
    console.log(`- ${p.name}: skipped (${missing.join(', ')} not set)`);
    return true;
  }
  console.log(`- ${p.name}:`);
  const env = {
    ...process.env,
    SANDBOXER_STATE_DIR: join(root, `state-${p.name}`),
    SANDBOXER_CATALOG_PATH: root,
  };
  const m = createManager({ env });
  const made: SandboxRecord[] = [];
  let snap: SnapshotRecord | undefined;
  try {
    const r = await timed('create → ready', () => m.create({ profileId: `profile.smoke-${p.name}` }));
    made.push(r);
    console.log(`    ${r.id} = ${String(r.handle.backend_id)}, estimate $${r.estimate_usd}`);
    const { ext, manifest } = m.extensionFor(r);
    const objs = await timed('list by ownership labels', async () =>
      ext.list!(await m.contextFor(manifest), { [LABEL.sandboxId]: r.id }),
    );
    if (objs.length !== 1)
      throw new Error(`expected 1 backend object labelled ${r.id}, found ${objs.length}`);
    const ext5 = await timed('extend TTL by 5m', () => m.extendTtl(r.id, '5m'));
    console.log(`    pushed=${ext5.pushed}${ext5.note ? ` (${ext5.note})` : ''}`);
    snap = await timed('snapshot', () => m.snapshot(r.id, 'smoke'));
    const d = await timed('destroy', () => m.destroy(r.id));
    console.log(`    metered ${d.meter?.duration_s}s = $${d.meter?.actual_usd}`);
    const restored = await timed('restore from snapshot → ready', () => m.restore(snap!.id));
    made.push(restored);
    await timed('destroy restored', () => m.destroy(restored.id));
    await timed('delete snapshot', async () => ext.deleteSnapshot!(await m.contextFor(manifest), snap!));
    snap = undefined;
    const left = await ext.list!(await m.contextFor(manifest), { 'io.sandboxer.smoke': 'true' });
    const ours = left.filter((o) => made.some((r) => o.sandbox_id === r.id));
    if (ours.length) throw new Error(`left behind: ${ours.map((o) => o.backend_id).join(', ')}`);
    console.log('  ✓ nothing left behind');
    return true;
  } catch (err) {
    const e = toSandboxerError(err);
    console.error(`  ✗ ${e.message}${e.hint ? ` (hint: ${e.hint})` : ''}`);
    return false;
  } finally {
    for (const r of made) await m.destroy(r.id).catch(() => undefined);
    if (snap) {
      const { ext, manifest } = m.extensionFor(made[0]!);
      await ext.deleteSnapshot?.(await m.contextFor(manifest), snap).catch(() => undefined);
    }
  }
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !PROVIDERS.some((p) => p.name === w));
  if (unknown.length) {
    console.error(`unknown provider(s): ${unknown.join(', ')} (choose from: e2b, modal)`);
    return 2;
  }
  const root = mkdtempSync(join(tmpdir(), 'sandboxer-smoke-'));
  try {
    mkdirSync(join(root, 'profiles'));
    mkdirSync(join(root, 'extensions'));
    for (const p of PROVIDERS)
      writeFileSync(join(root, 'profiles', `profile.smoke-${p.name}.yaml`), p.profile);
    let ok = true;
    for (const p of PROVIDERS.filter((x) => wanted.length === 0 || wanted.includes(x.name))) {
      ok = (await smoke(p, root)) && ok;
    }
    return ok ? 0 : 1;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

process.exitCode = await main();
