import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxRecord } from '../../src/core/record.ts';
import { tempDir } from '../helpers/env.ts';

/**
 * The package as a user gets it: `npm pack` (which builds lib/ through `prepare`), the tarball installed into a
 * fresh project, the checkout installed globally (a prefix install, as `npm install -g .` does), then the library
 * imported by name with plain node and the installed `sandboxer` run on the stub. Dependencies come from the npm
 * cache where it has them (`--prefer-offline`), the registry otherwise; install scripts are skipped (ssh2's
 * optional native crypto falls back to JavaScript).
 */
const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const tmp = tempDir('sbx-install-');
afterAll(() => tmp.cleanup());

// npm run/vitest leave npm_* settings (package, prefix, ...) in the environment: the child npm must not see them.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  execFileSync(cmd, args, {
    cwd,
    env: { ...cleanEnv, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 400_000,
  });
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];

let tarball = '';
const project = join(tmp.dir, 'project');
const prefix = join(tmp.dir, 'prefix');
const sandboxEnv = {
  SANDBOXER_STATE_DIR: join(tmp.dir, 'state'),
  SANDBOXER_STUB_DIR: join(tmp.dir, 'cloud'),
  SANDBOXER_DEFAULT_PROFILE: 'profile.saas-stub',
};

beforeAll(() => {
  const packs = join(tmp.dir, 'packs');
  mkdirSync(packs);
  run('npm', ['pack', '--pack-destination', packs, '--loglevel=error'], ROOT);
  const [name] = readdirSync(packs).filter((n) => n.endsWith('.tgz'));
  tarball = join(packs, name!);
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
  );
  run('npm', ['install', ...NPM_FLAGS, tarball], project);
}, 600_000);

describe('the packed package', () => {
  it('holds the built library with declarations, the bundle and the catalog, not the sources', () => {
    const files = run('tar', ['-tzf', tarball], tmp.dir).split('\n').filter(Boolean);
    expect(files).toEqual(
      expect.arrayContaining([
        'package/bin/sandboxer.js',
        'package/dist/index.js',
        'package/lib/index.js',
        'package/lib/index.d.ts',
        'package/profiles/profile.saas-stub.yaml',
        'package/extensions/ext.saas-stub.yaml',
      ]),
    );
    expect(files.filter((f) => /^package\/(src|tests|bench|scripts)\//.test(f))).toEqual([]);
  });

  it('imports by name in plain node and runs a lifecycle through the library', () => {
    const script = `
      import { createManager, SandboxAccess, FileStateStore, MemoryStateStore, SandboxerError, loadCatalog } from 'sand-boxer';
      const lib = await import('sand-boxer');
      const manager = createManager({ env: process.env });
      const rec = await manager.create({ profileId: 'profile.saas-stub' });
      const gone = await manager.destroy(rec.id);
      let missing;
      try { await manager.get('sbx-000000000000'); } catch (e) { missing = e instanceof SandboxerError; }
      console.log(JSON.stringify({
        exports: Object.keys(lib).sort(),
        classes: [SandboxAccess, FileStateStore, MemoryStateStore, loadCatalog].map((c) => typeof c),
        states: [rec.state, gone.state],
        missing,
      }));`;
    const out = JSON.parse(
      run(process.execPath, ['--input-type=module', '-e', script], project, sandboxEnv),
    ) as { exports: string[]; classes: string[]; states: string[]; missing: boolean };
    expect(out.states).toEqual(['ready', 'destroyed']);
    expect(out.classes).toEqual(['function', 'function', 'function', 'function']);
    expect(out.missing).toBe(true);
    // A curated surface: the entry points, not every internal helper.
    expect(out.exports).toEqual(expect.arrayContaining(['createManager', 'SandboxManager', 'SandboxAccess']));
    expect(out.exports.length).toBeLessThan(35);
    expect(out.exports).not.toContain('StrategyRouter');
  }, 120_000);

  it('puts a working sandboxer in the project and, installed globally, on PATH', () => {
    // Globally as the README's first path does it, `npm install -g .` in a checkout whose dependencies are
    // installed (npm links the checkout: no second install of every dependency; the tarball is the project's).
    run('npm', ['install', '--global', '--prefix', prefix, ...NPM_FLAGS, ROOT], tmp.dir);
    for (const bin of [join(project, 'node_modules/.bin/sandboxer'), join(prefix, 'bin/sandboxer')]) {
      expect(run(bin, ['--version'], tmp.dir).trim()).toBe(pkg.version);
      const created = JSON.parse(
        run(bin, ['create', '--profile', 'profile.saas-stub', '--json'], tmp.dir, sandboxEnv),
      ) as SandboxRecord;
      expect(created.state).toBe('ready');
      const destroyed = JSON.parse(
        run(bin, ['destroy', created.id, '--json'], tmp.dir, sandboxEnv),
      ) as SandboxRecord;
      expect(destroyed.state).toBe('destroyed');
    }
    // As a user's shell finds it: by name, through PATH.
    const onPath = run('sandboxer', ['--version'], tmp.dir, {
      PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
    });
    expect(onPath.trim()).toBe(pkg.version);
  }, 480_000);
});
