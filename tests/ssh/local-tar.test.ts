import { chownSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { t as listTar } from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalTarStream, localTarSource, openLocalTar } from '../../src/extensions/ssh/local-tar.ts';
import { tempDir } from '../helpers/env.ts';

/** The tar `sandboxer cp SRC ID:DST` sends (src/extensions/ssh/local-tar.ts): GNU tar and node-tar alike. */
const tmp = tempDir('sbx-local-tar-');
afterAll(() => tmp.cleanup());

interface Member {
  path: string;
  type: string;
  uid: number | undefined;
  gid: number | undefined;
  uname: string;
  link: string;
  body: string;
}

async function members(tar: NodeJS.ReadableStream): Promise<Member[]> {
  const out: Member[] = [];
  const parser = listTar({
    onReadEntry: (e) => {
      const m: Member = {
        path: e.path,
        type: e.type,
        uid: e.header.uid,
        gid: e.header.gid,
        uname: e.header.uname ?? '',
        link: e.linkpath ?? '',
        body: '',
      };
      out.push(m);
      e.on('data', (d: Buffer) => (m.body += d.toString('utf8')));
    },
  });
  await new Promise<void>((resolve, reject) => {
    tar.on('error', reject);
    parser.on('error', reject);
    parser.on('end', resolve);
    tar.pipe(parser as unknown as NodeJS.WritableStream);
  });
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

describe('local tar for cp', () => {
  const src = join(tmp.dir, 'src');
  mkdirSync(join(src, 'sub'), { recursive: true });
  writeFileSync(join(src, 'sub', 'a.txt'), 'payload-a\n');
  writeFileSync(join(src, '-dash'), 'dash\n');
  symlinkSync('/etc/passwd', join(src, 'link'));
  // Ownership is dropped: visible only when the file has another owner, which only root can arrange.
  if (process.getuid?.() === 0) chownSync(join(src, 'sub', 'a.txt'), 1234, 1234);

  it('GNU tar and node-tar send the same members: contents relative, owner 0, symlinks as links', async () => {
    const gnu = await members(await openLocalTar(localTarSource(src, true, {})));
    const js = await members(await openLocalTar(localTarSource(src, true, { SANDBOXER_SYSTEM_TAR: '0' })));
    // node-tar's portable headers leave uid/gid empty, GNU tar's say 0: both extract as the extracting user.
    const shape = (ms: Member[]) =>
      ms
        .map((m) => ({ ...m, path: m.path.replace(/^\.\/|\/$/g, ''), uid: m.uid ?? 0, gid: m.gid ?? 0 }))
        .filter((m) => m.path !== '');
    expect(shape(gnu)).toEqual(shape(js));
    const a = shape(gnu).find((m) => m.path === 'sub/a.txt')!;
    expect(a).toMatchObject({ type: 'File', body: 'payload-a\n', uid: 0, gid: 0, uname: '' });
    expect(shape(gnu).find((m) => m.path === 'link')).toMatchObject({
      type: 'SymbolicLink',
      link: '/etc/passwd',
    });
    expect(shape(gnu).map((m) => m.path)).toEqual(['-dash', 'link', 'sub', 'sub/a.txt']);
  });

  it('one file goes by its name; a file that is not there fails the stream with tar’s words', async () => {
    for (const env of [{}, { SANDBOXER_SYSTEM_TAR: '0' }]) {
      const one = await members(await openLocalTar(localTarSource(join(src, '-dash'), false, env)));
      expect(one.map((m) => [m.path, m.body])).toEqual([['-dash', 'dash\n']]);
    }
    await expect(
      members(await openLocalTar(localTarSource(join(src, 'missing'), false, {}))),
    ).rejects.toThrow(/tar of .* failed \(exit 2\): .*missing: Cannot stat/);
  });

  it('LocalTarStream read in this process reports its bytes, then the total once', async () => {
    const seen: Array<[number, boolean]> = [];
    const tar = new LocalTarStream(localTarSource(src, true, {}), (n, done) => seen.push([n, done]));
    expect((await members(tar)).length).toBeGreaterThan(3);
    expect(seen.filter(([, done]) => done)).toHaveLength(1);
    expect(seen.at(-1)![0]).toBeGreaterThan(1024);
  });
});
