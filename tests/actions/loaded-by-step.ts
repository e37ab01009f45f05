import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tempDir } from '../helpers/env.ts';
import type { FakeGitHub } from './fake-github.ts';
import { DIST, Job, type StepResult } from './runner.ts';

/** The inputs a runner passes a step of action.yml that sets none: each input's default. */
export function defaultInputs(actionYml = join(DIST, '..', 'action.yml')): Record<string, string> {
  const doc = parse(readFileSync(actionYml, 'utf8')) as { inputs: Record<string, { default?: string }> };
  return Object.fromEntries(Object.entries(doc.inputs).map(([k, v]) => [k, v.default ?? '']));
}

/**
 * The dist/ files one run of a bundled step actually loads, with their sizes: a module.registerHooks load hook
 * (synchronous, so it sees require() of CommonJS as well as ES imports) logs each file Node reads as a module.
 * The step runs as the runner runs it (tests/actions/runner.ts) against the fake Actions services.
 */
export async function loadedByStep(
  fake: FakeGitHub,
  entry: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<{ step: StepResult; files: { file: string; bytes: number }[]; bytes: number }> {
  const tmp = tempDir('sbx-loaded-');
  try {
    const log = join(tmp.dir, 'loaded.txt');
    const register = join(tmp.dir, 'register.mjs');
    writeFileSync(log, '');
    writeFileSync(
      register,
      `import { registerHooks } from 'node:module';\nimport { appendFileSync } from 'node:fs';\n` +
        `registerHooks({ load(url, context, next) { if (url.startsWith(${JSON.stringify(pathToFileURL(DIST).href + '/')})) appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); } });\n`,
    );
    const job = new Job(join(tmp.dir, 'job'), {
      ...fake.env(999),
      SANDBOXER_STUB_DIR: join(tmp.dir, 'stub'),
      ...env,
    });
    const step = await job.run(entry, { inputs, nodeArgs: ['--import', pathToFileURL(register).href] });
    const files = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))]
      .map((u) => fileURLToPath(u))
      .map((f) => ({ file: f.slice(DIST.length + 1), bytes: statSync(f).size }));
    return { step, files, bytes: files.reduce((n, f) => n + f.bytes, 0) };
  } finally {
    tmp.cleanup();
  }
}
