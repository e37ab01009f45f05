import { describe, expect, it } from 'vitest';
import { newSandboxId } from '../../src/core/ids.ts';
import { SandboxRecord } from '../../src/core/record.ts';
import { MirroredStateStore, type RecordMirror } from '../../src/state/artifact/mirrored-store.ts';
import { MemoryStateStore } from '../../src/state/memory/memory-store.ts';
import { readSavedState } from '../../src/action/state.ts';

/** A remote that keeps copies in memory and records what it was asked to do. */
class MemoryMirror implements RecordMirror {
  readonly kind = 'memory-mirror';
  readonly copies = new Map<string, SandboxRecord>();
  readonly ops: string[] = [];
  failPuts = 0;
  async put(record: SandboxRecord, replace: boolean) {
    this.ops.push(`put ${record.state} r${record.revision}${replace ? ' replace' : ''}`);
    if (this.failPuts > 0) {
      this.failPuts--;
      throw new Error('service unavailable');
    }
    this.copies.set(record.id, record);
  }
  async retire(record: SandboxRecord) {
    this.ops.push(`retire ${record.state}`);
    this.copies.delete(record.id);
  }
  async find(id: string) {
    const record = this.copies.get(id);
    return record ? { record } : undefined;
  }
}

function record(id = newSandboxId()): SandboxRecord {
  const now = new Date().toISOString();
  return SandboxRecord.parse({
    id,
    revision: 0,
    profile_id: 'profile.saas-stub',
    profile_version: '1.0.0',
    extension_id: 'ext.saas-stub',
    state: 'requested',
    resources: { cpu: 1, memory_mib: 512, gpu_count: 0 },
    owner: { scope: 'test:mirror' },
    created_at: now,
    history: [{ from: null, to: 'requested', at: now }],
  });
}

const to = (state: SandboxRecord['state']) => (r: SandboxRecord) => ({ ...r, state });

describe('MirroredStateStore', () => {
  it('coalesces the revisions written before the first copy into one put, and replaces after that', async () => {
    const mirror = new MemoryMirror();
    const store = new MirroredStateStore(new MemoryStateStore(), mirror, undefined, { delayMs: 60_000 });
    const r = record();
    await store.createSandbox(r);
    await store.updateSandbox(r.id, to('provisioning'));
    await store.updateSandbox(r.id, to('ready'));
    await store.flush(); // cuts the delay short
    expect(mirror.ops).toEqual(['put ready r2']);
    await store.updateSandbox(r.id, to('destroying'));
    await store.flush();
    expect(mirror.ops).toEqual(['put ready r2', 'put destroying r3 replace']);
    await store.updateSandbox(r.id, to('destroyed'));
    await store.flush();
    expect(mirror.ops.at(-1)).toBe('retire destroyed');
    expect(mirror.copies.size).toBe(0);
  });

  it('a failed copy is reported, not thrown, and the next write replaces whatever the service holds', async () => {
    const mirror = new MemoryMirror();
    mirror.failPuts = 1;
    const store = new MirroredStateStore(new MemoryStateStore(), mirror, undefined, { delayMs: 0 });
    const r = record();
    await store.createSandbox(r);
    await store.flush();
    expect(store.errors).toEqual([expect.stringContaining('service unavailable')]);
    await store.updateSandbox(r.id, to('provisioning'));
    await store.flush();
    expect(mirror.ops.at(-1)).toBe('put provisioning r1 replace');
    expect(mirror.copies.get(r.id)?.state).toBe('provisioning');
  });

  it('reads a record another job wrote from the mirror, once, and pins a terminal copy when asked', async () => {
    const mirror = new MemoryMirror();
    const r = { ...record(), state: 'ready' as const, revision: 4 };
    mirror.copies.set(r.id, r);
    const store = new MirroredStateStore(new MemoryStateStore(), mirror, undefined, { delayMs: 0 });
    expect((await store.getSandbox(r.id))?.state).toBe('ready');
    await store.updateSandbox(r.id, to('destroying'));
    await store.updateSandbox(r.id, to('destroyed'));
    await store.pin(r.id);
    await store.flush();
    expect(mirror.copies.get(r.id)?.state).toBe('destroyed');
    expect(await store.getSandbox('sbx-unknown00000')).toBeUndefined();
  });
});

describe('saved action state', () => {
  it('keeps the fields that validate when another is corrupt', () => {
    const state: Record<string, string> = {
      sandbox_id: 'sbx-abcdefabcdef',
      teardown: 'sometimes',
      state_store: 'cache',
    };
    expect(readSavedState((name) => state[name] ?? '')).toEqual({
      sandbox_id: 'sbx-abcdefabcdef',
      state_store: 'cache',
    });
    expect(readSavedState(() => '')).toEqual({});
  });
});
