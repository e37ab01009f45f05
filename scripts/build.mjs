#!/usr/bin/env node
// Builds dist/ in one esbuild pass with code splitting (ES modules for Node 24): the shared entry dist/index.js,
// whose entry functions import their code on demand as chunks, and undici as an entry of its own behind a lazy
// stub; then the compiled catalog, the licence notices and the tiny per-entry stubs listed in ENTRIES.
// `node scripts/build.mjs --out DIR` builds elsewhere. The output is byte-for-byte reproducible (no absolute
// paths, no timestamps, no native addons): scripts/ci.sh rebuilds dist/ and fails on any difference.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENTRIES } from './entries.mjs';
import { licenseNotices } from './licenses.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(root, 'dist');
const metaArg = process.argv.indexOf('--meta');
const require = createRequire(import.meta.url);

const UNDICI = 'undici.js';
const UNDICI_LAZY = 'undici-lazy.cjs';
const ARTIFACT_CLIENT = 'scripts/bundle/actions-artifact.mjs';

/**
 * Optional native code the bundle leaves out: ssh2 tries its AES-GCM/ChaCha binding and cpu-features and falls
 * back to node:crypto and its bundled wasm; cbor-x (via modal) falls back to JavaScript without cbor-extract.
 * Each becomes a module that throws, as a missing optional dependency does, so no `.node` file (built for one
 * machine's Node ABI) ever lands in dist/. ssh2's Windows Pageant helper (pagent.exe) is not copied either.
 */
const OPTIONAL_NATIVE = /^(cpu-features|cbor-extract)$|\.node$/;

const plugin = {
  name: 'sandboxer',
  setup(b) {
    b.onResolve({ filter: OPTIONAL_NATIVE }, (args) => ({ path: args.path, namespace: 'left-out' }));
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path}: optional native code, left out of sand-boxer's bundle`)});`,
      loader: 'js',
    }));
    // @actions/artifact: the bundle imports a client that loads each operation on first use
    // (scripts/bundle/actions-artifact.mjs) instead of the package entry, which loads all of them. Its imports of
    // the package's internal modules (not in the package's exports) resolve to the files themselves.
    b.onResolve({ filter: /^@actions\/artifact$/ }, () => ({ path: join(root, ARTIFACT_CLIENT) }));
    b.onResolve({ filter: /^@actions\/artifact\/lib\// }, (args) => ({
      path: join(root, 'node_modules', args.path),
    }));
    // Every upload of ours is a single file with skipArchive (src/state/artifact/run-artifacts.ts): the zip writer
    // (archiver and its ~0.3 MB of streams and globbing) is left out, and an archive upload says so.
    b.onResolve({ filter: /^\.\/zip\.js$/ }, (args) =>
      /@actions\/artifact\/lib\/internal\/upload\/upload-artifact\.js$/.test(args.importer)
        ? { path: '@actions/artifact zip upload', namespace: 'no-archive' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-archive' }, () => ({
      contents:
        'export function createZipUploadStream() { throw new Error("@actions/artifact: zipped uploads are left out of sand-boxer\'s bundle; upload one file with skipArchive"); }',
      loader: 'js',
    }));
    // @actions/http-client (under @actions/core, artifact, cache, github) imports undici for its proxy agent
    // only; undici is a third of the code a setup step would parse. The bundle imports the stub instead
    // (writeUndiciStub), which loads the undici entry on first use, so a step without a proxy never parses it.
    b.onResolve({ filter: /^undici$/ }, () => ({ path: `./${UNDICI_LAZY}`, external: true }));
    // An ES module import of a builtin makes Node build its ESM facade, which reads every export: node:http's
    // WebSocket/CloseEvent/MessageEvent getters load Node's own undici (60-130 ms per CLI start, #13), node:crypto's
    // `webcrypto` sets up Web Crypto's algorithm tables, node:fs's `promises` loads readline and the REPL history.
    // Taken as CommonJS through process.getBuiltinModule, a builtin's exports are read only when used.
    b.onResolve({ filter: /^(node:)?(http|crypto|fs|net|os|stream|sqlite|child_process)$/ }, (args) => ({
      path: `node:${args.path.replace(/^node:/, '')}`,
      namespace: 'lazy-builtin',
    }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

// CommonJS dependencies call require() and read __dirname/__filename (ssh2's wasm loader, at load time), which
// an ES module lacks: every output file defines them first.
const banner =
  "import{createRequire as __sbxRequire}from'node:module';import{fileURLToPath as __sbxPath}from'node:url';" +
  "import{dirname as __sbxDir}from'node:path';const require=__sbxRequire(import.meta.url)," +
  '__filename=__sbxPath(import.meta.url),__dirname=__sbxDir(__filename);';

rmSync(out, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  // Input paths (which the chunk hashes depend on) stay relative to the checkout, even where node_modules is a
  // symlink to another directory.
  preserveSymlinks: true,
  entryPoints: { index: 'src/bundle.ts', [UNDICI.replace(/\.js$/, '')]: require.resolve('undici') },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // ESM builds first: a package with no "exports" map and a CommonJS "main" (e2b) bundled as CommonJS gives a
  // dynamic import() only a `default` export, where Node's own import() would give its named exports.
  mainFields: ['module', 'main'],
  target: 'node24',
  // Chunks sit next to index.js: modules find dist/catalog.json and bin/ from their own directory.
  chunkNames: '[name]-[hash]',
  minify: true,
  // Some dependencies read constructor and function names (error classes, protobuf types).
  keepNames: true,
  // Licence texts go to dist/licenses.txt (licenseNotices), whole, per package.
  legalComments: 'none',
  banner: { js: banner },
  metafile: true,
  logLevel: 'warning',
  plugins: [plugin],
});

// `--meta FILE` keeps esbuild's metafile (which input bytes went into which output file) for size reports.
if (metaArg > 0) writeFileSync(resolve(process.argv[metaArg + 1]), JSON.stringify(result.metafile));
writeUndiciStub(out);
writeFileSync(join(out, 'package.json'), '{\n  "type": "module"\n}\n');
writeFileSync(join(out, 'licenses.txt'), licenseNotices(root, Object.keys(result.metafile.inputs)));
// The packaged profiles/extensions, validated now so a setup step only hashes them (src/catalog/compiled.ts).
execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/compile-catalog.ts'), out], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
for (const [stub, fn] of Object.entries(ENTRIES)) {
  const file = join(out, stub);
  mkdirSync(dirname(file), { recursive: true });
  const rel =
    join(
      ...stub
        .split('/')
        .slice(1)
        .map(() => '..'),
    ) || '.';
  writeFileSync(
    file,
    `// Generated by scripts/build.mjs: calls one entry of the shared bundle.\nimport { ${fn} } from '${rel}/index.js';\n\nawait ${fn}();\n`,
  );
}
const files = Object.keys(result.metafile.outputs).length;
console.log(
  `built ${out}: ${files} bundle files, catalog.json, licenses.txt, ${Object.keys(ENTRIES).join(', ')}`,
);

/**
 * dist/undici-lazy.cjs, imported by the bundle in place of undici. It is CommonJS written so Node's ESM import
 * finds each name (`exports.X = ...`), and reading an export loads nothing (an ESM import would evaluate
 * undici): functions and classes become forwarders that call or construct the real one, the few objects
 * (errors, util, ...) proxies onto the real object. The real one is the undici entry (an ES module, whose
 * default export is undici's module.exports), required on first use.
 */
function writeUndiciStub(dir) {
  const real = require('undici');
  const lines = Object.keys(real)
    .sort()
    .map((n) =>
      typeof real[n] === 'function'
        ? `exports.${n} = forward(${JSON.stringify(n)});`
        : `exports.${n} = proxy(${JSON.stringify(n)});`,
    );
  writeFileSync(
    join(dir, UNDICI_LAZY),
    [
      "'use strict';",
      "// Generated by scripts/build.mjs: undici's exports, each loading ./undici.js on first use.",
      'let real;',
      `const load = () => (real ??= require('./${UNDICI}').default);`,
      'const forward = (name) =>',
      '  function (...args) {',
      '    return new.target ? Reflect.construct(load()[name], args) : load()[name].apply(this, args);',
      '  };',
      'const proxy = (name) =>',
      '  new Proxy(',
      '    {},',
      '    Object.fromEntries(',
      "      ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'set', 'defineProperty', 'deleteProperty'].map((trap) => [",
      '        trap,',
      '        (_target, ...args) => Reflect[trap](load()[name], ...args),',
      '      ]),',
      '    ),',
      '  );',
      ...lines,
      '',
    ].join('\n'),
  );
}
