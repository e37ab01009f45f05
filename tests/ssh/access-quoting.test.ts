import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getCommand, putCommand } from '../../src/extensions/ssh/access.ts';
import { execCommands, remotePath } from '../../src/extensions/ssh/exec-commands.ts';
import { tempDir } from '../helpers/env.ts';

/**
 * The remote command lines of exec and files, run by a real POSIX shell: hostile commands, paths, env values
 * and working directories reach the program as data, never as shell syntax.
 */
const tmp = tempDir('sbx-quoting-');
afterAll(() => tmp.cleanup());
const marker = join(tmp.dir, 'pwned');
const HOSTILE = [
  `'; touch ${marker}; '`,
  `$(touch ${marker})`,
  `\`touch ${marker}\``,
  `"; touch ${marker}; "`,
  `a\\' b && touch ${marker}`,
  `-rf`,
  `--help`,
  `$HOME ~ * ?`,
];
const sh = (cmd: string, input?: Buffer) => spawnSync('sh', ['-c', cmd], { input, encoding: 'buffer' });

describe('exec and files command lines under hostile input', () => {
  const ws = join(tmp.dir, 'ws');
  mkdirSync(ws, { recursive: true });

  it('argv, env values and cwd are passed through literally', () => {
    for (const h of HOSTILE) {
      const dir = join(ws, h.replace(/\//g, '_'));
      mkdirSync(dir, { recursive: true });
      const { run } = execCommands(
        { argv: ['printf', '%s|%s|', h, '$FOO'], env: { FOO: h }, cwd: dir },
        { workspace: ws },
      );
      const r = sh(run);
      expect(r.stdout.toString()).toBe(`${h}|$FOO|`);
      const env = sh(
        execCommands({ shell: 'printf %s "$FOO"; pwd', env: { FOO: h }, cwd: dir }, { workspace: ws }).run,
      );
      expect(env.stdout.toString()).toBe(`${h}${dir}\n`);
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses env names and paths that are not data', () => {
    expect(() => execCommands({ argv: ['true'], env: { 'A;B': 'x' } }, { workspace: ws })).toThrow(
      /not valid/,
    );
    expect(() => remotePath('a\nb', { workspace: ws })).toThrow(/control character/);
    expect(() => remotePath('', { workspace: ws })).toThrow();
  });

  it('files in and out with hostile names land where asked, nowhere else', () => {
    for (const h of HOSTILE) {
      const src = join(tmp.dir, 'src');
      mkdirSync(src, { recursive: true });
      writeFileSync(join(src, 'f.txt'), h);
      const tar = spawnSync('tar', ['-cf', '-', '-C', src, '.']).stdout;
      const dest = remotePath(`in/${h}`, { workspace: ws });
      expect(sh(putCommand(dest, { workspace: ws }), tar).status).toBe(0);
      expect(readFileSync(join(dest, 'f.txt'), 'utf8')).toBe(h);
      const out = sh(getCommand(dest, { workspace: ws }));
      expect(out.status).toBe(0);
      const list = spawnSync('tar', ['-tf', '-'], { input: out.stdout, encoding: 'utf8' }).stdout;
      expect(list).toContain(`${basename(dest)}/f.txt`);
    }
    expect(existsSync(marker)).toBe(false);
  });
});
