import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SandboxerError } from '../../src/core/errors.ts';
import { newSandboxId } from '../../src/core/ids.ts';
import { SandboxRecord } from '../../src/core/record.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { MemoryStateStore } from '../../src/state/memory/memory-store.ts';
import type { StateStore } from '../../src/state/store.ts';
import { tempDir } from '../helpers/env.ts';

const tmp = tempDir('sbx-store-');
afterAll(() => tmp.cleanup());

function record(id = newSandboxId()): SandboxRecord {
  const now = new Date().toISOString();
  return SandboxRecord.parse({
    id,
    revision: 1,
    profile_id: 'profile.saas-stub',
    profile_version: '1.0.0',
    extension_id: 'ext.saas-stub',
    state: 'requested',
    placement: {},
    handle: {},
    inputs: {},
    resources: { cpu: 1, memory_mib: 512, gpu_count: 0 },
    labels: {},
    owner: { scope: 'test:store' },
    created_at: now,
    history: [{ from: null, to: 'requested', at: now }],
  });
}

let n = 0;
const stores: [string, () => StateStore][] = [
  ['file', () => new FileStateStore(join(tmp.dir, `store-${n++}`))],
  ['memory', () => new MemoryStateStore()],
];

describe.each(stores)('%s state store', (_kind, make) => {
  it('creates, reads, lists and refuses a duplicate id', async () => {
    const s = make();
    const r = record();
    await s.createSandbox(r);
    expect((await s.getSandbox(r.id))?.id).toBe(r.id);
    expect((await s.listSandboxes()).map((x) => x.id)).toEqual([r.id]);
    await expect(s.createSandbox(r)).rejects.toMatchObject({ code: 'conflict' });
    expect(await s.getSandbox('sbx-000000000000')).toBeUndefined();
    expect(await s.getSandbox('../../etc/passwd')).toBeUndefined();
  });

  it('serialises concurrent read-modify-write updates of one record (no lost update)', async () => {
    const s = make();
    const r = record();
    await s.createSandbox(r);
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        s.updateSandbox(r.id, (cur) => ({ ...cur, labels: { ...cur.labels, [`k${i}`]: String(i) } })),
      ),
    );
    const after = await s.getSandbox(r.id);
    expect(Object.keys(after!.labels)).toHaveLength(25);
  });

  it('updating a missing sandbox is not_found', async () => {
    const s = make();
    await expect(s.updateSandbox('sbx-aaaaaaaaaaaa', (c) => c)).rejects.toBeInstanceOf(SandboxerError);
  });

  it('appendOnce keeps the first value per key; retries are no-ops', async () => {
    const s = make();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => s.appendOnce('ledger', 'hold:x', { i })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await s.appendOnce('ledger', 'debit:x', { v: 1 })).toBe(true);
    const entries = await s.readCollection('ledger');
    expect(entries.map((e) => e.key).sort()).toEqual(['debit:x', 'hold:x']);
    await s.removeFromCollection('ledger', 'hold:x');
    await s.removeFromCollection('ledger', 'hold:x');
    expect((await s.readCollection('ledger')).map((e) => e.key)).toEqual(['debit:x']);
    await expect(s.appendOnce('Bad Name', 'k', 1)).rejects.toBeInstanceOf(SandboxerError);
    await expect(s.appendOnce('ledger', '../escape', 1)).rejects.toBeInstanceOf(SandboxerError);
  });
});

describe('file state store on disk', () => {
  it('writes atomically (no temp files left) with private permissions', async () => {
    const dir = join(tmp.dir, 'disk');
    const s = new FileStateStore(dir);
    const r = record();
    await s.createSandbox(r);
    await s.updateSandbox(r.id, (c) => ({ ...c, state: 'provisioning' }));
    expect(readdirSync(join(dir, 'sandboxes'))).toEqual([`${r.id}.json`]);
    expect(readdirSync(join(dir, 'locks'))).toEqual([]);
  });

  it('a hand-damaged record gives a clear error naming the file', async () => {
    const dir = join(tmp.dir, 'damaged');
    const s = new FileStateStore(dir);
    const r = record();
    await s.createSandbox(r);
    writeFileSync(join(dir, 'sandboxes', `${r.id}.json`), '{ not json');
    await expect(s.getSandbox(r.id)).rejects.toMatchObject({
      code: 'state_store',
      message: expect.stringContaining(`${r.id}.json`),
    });
  });
});
