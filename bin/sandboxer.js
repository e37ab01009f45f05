#!/usr/bin/env node
// The CLI runs from the same bundle as the actions (dist/), so an installed sandboxer needs no TypeScript tooling.
import { mkdirSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

// V8's compiled code for the bundle, kept between runs in the user's own cache directory (0700), so each
// `sandboxer` start skips most parsing and compiling (#13). NODE_DISABLE_COMPILE_CACHE=1 turns it off; a
// directory that cannot be created or written only means no cache (enableCompileCache reports, never throws).
if (module.enableCompileCache && !process.env.NODE_DISABLE_COMPILE_CACHE) {
  try {
    const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
    const dir = join(base, 'sandboxer', 'compile-cache');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    module.enableCompileCache(dir);
  } catch {
    // No cache: the CLI runs the same, only slower to start.
  }
}

// Imported after the cache is on, so the bundle's modules are compiled through it.
const { runCliMain } = await import('../dist/index.js');
await runCliMain();
