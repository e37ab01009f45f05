import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { tempDir } from '../helpers/env.ts';
import { record } from './stores.ts';

const tmp = tempDir('sbx-store-');
afterAll(() => tmp.cleanup());

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
