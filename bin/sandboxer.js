#!/usr/bin/env node
// The CLI runs from the same bundle as the actions (dist/), so an installed sandboxer needs no TypeScript tooling.
// Builtins through process.getBuiltinModule: an ES module import of node:fs builds its ESM facade, which reads
// every export, and `fs.promises` loads readline and the REPL's history (a few ms of each start).
const { mkdirSync } = process.getBuiltinModule('node:fs');
const module = process.getBuiltinModule('node:module');
const { homedir } = process.getBuiltinModule('node:os');
const { join } = process.getBuiltinModule('node:path');

// V8's compiled code for the bundle, kept between runs in the user's own cache directory (0700), so each
// `sandboxer` start skips most parsing and compiling (#13). NODE_DISABLE_COMPILE_CACHE=1 turns it off; a
// directory that cannot be created or written only means no cache (enableCompileCache reports, never throws).
// Turned on only once the CLI is past the warm exec path (src/cli/exec-route/): that path loads a dozen tiny
// modules, for which reading and checking the cache costs more than compiling them.
function compileCache() {
  if (!module.enableCompileCache || process.env.NODE_DISABLE_COMPILE_CACHE) return;
  try {
    const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
    const dir = join(base, 'sandboxer', 'compile-cache');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    module.enableCompileCache(dir);
  } catch {
    // No cache: the CLI runs the same, only slower to start.
  }
}

const { runCliMain } = await import('../dist/index.js');
await runCliMain(compileCache);
