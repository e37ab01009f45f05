import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DIST = resolve(import.meta.dirname, '../../dist');
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => res.end(`hello ${req.method} ${req.url}`));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** Run an ES module in a fresh node (as an action step runs; async, so the server here can answer). */
async function runModule(code: string): Promise<unknown> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], {
    cwd: DIST,
  });
  return JSON.parse(stdout);
}

// The shared bundle imports dist/undici-lazy.cjs in place of undici (scripts/build.mjs), so a step that never
// uses a proxy never parses undici. These run the stub as the bundle does: an ESM import of every name.
describe('dist/undici-lazy.cjs', () => {
  const loaded = "Object.keys(require.cache).some((f) => f.endsWith('/undici.js'))";
  const prelude = `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(join(DIST, 'x.js'))}); import * as undici from ${JSON.stringify(join(DIST, 'undici-lazy.cjs'))};`;

  // Node >= 23 adds a 'module.exports' name to the ESM namespace of every CommonJS module: not one of undici's.
  it('exposes every undici export to an ESM import without loading undici', async () => {
    const out = (await runModule(
      `${prelude} const before = ${loaded}; const real = require('./undici.js').default;` +
        `console.log(JSON.stringify({ before, names: Object.keys(undici).filter((n) => n !== 'default' && n !== 'module.exports').sort(), real: Object.keys(real).sort() }));`,
    )) as { before: boolean; names: string[]; real: string[] };
    expect(out.before).toBe(false);
    expect(out.names).toEqual(out.real);
    expect(out.names).toEqual(expect.arrayContaining(['ProxyAgent', 'fetch', 'errors']));
  });

  it('loads undici on first use and forwards calls, constructors and objects to it', async () => {
    const out = await runModule(
      `${prelude} const before = ${loaded};` +
        `const res = await undici.fetch(${JSON.stringify(url)}, { method: 'POST' }); const body = await res.text();` +
        `const agent = new undici.ProxyAgent('http://127.0.0.1:9'); const after = ${loaded};` +
        `const real = require('./undici.js').default;` +
        `console.log(JSON.stringify({ before, after, body, isProxyAgent: agent instanceof real.ProxyAgent, errors: undici.errors.UndiciError === real.errors.UndiciError, hasErrors: 'UndiciError' in undici.errors }));`,
    );
    expect(out).toEqual({
      before: false,
      after: true,
      body: 'hello POST /x',
      isProxyAgent: true,
      errors: true,
      hasErrors: true,
    });
  });
});
