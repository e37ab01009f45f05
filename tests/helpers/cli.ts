import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('../../src/cli/entry.ts', import.meta.url));
const BIN = join(REPO_ROOT, 'bin', 'sandboxer.js');
const BUNDLE = join(REPO_ROOT, 'dist', 'index.js');

/** The newest modification time under dir (recursive), in ms. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Whether child CLIs run from the bundle (bin/sandboxer.js over dist/, what users install) rather than from
 * source under tsx: a bundled child starts in a fraction of the time, which the tests that spawn hundreds of
 * CLI processes feel most. Only when dist/ was built after the last change in src/ (the test command builds
 * it first; a developer who edited src/ since gets the source). SANDBOXER_TEST_CLI=source|dist forces one.
 */
export const CLI_FROM_BUNDLE: boolean = (() => {
  const forced = process.env.SANDBOXER_TEST_CLI;
  if (forced === 'source') return false;
  if (forced === 'dist') return true;
  if (!existsSync(BUNDLE)) return false;
  return (
    statSync(BUNDLE).mtimeMs >=
    Math.max(newest(join(REPO_ROOT, 'src')), statSync(join(REPO_ROOT, 'package.json')).mtimeMs)
  );
})();

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI as a child process's arguments: `node bin/sandboxer.js …`, over dist/. */
export const bundledCliArgs = (args: string[]): string[] => [BIN, ...args];

/** The CLI as a real child process: `node bin/sandboxer.js …` (CLI_FROM_BUNDLE) or `node --import tsx src/cli/entry.ts …`. */
export function cliArgs(args: string[]): string[] {
  return CLI_FROM_BUNDLE ? bundledCliArgs(args) : ['--import', 'tsx', ENTRY, ...args];
}

/**
 * The environment a child CLI inherits from the test process: without the variables that configure sandboxer or a
 * backend (SANDBOXER_*, E2B_*, MODAL_*) of whoever runs the tests, so a developer's own host or keys cannot change
 * what a test sees; each test passes the ones it means. The harness's own settings stay, and so does
 * SANDBOXER_DEFAULT_PROFILE, which vitest.config.ts sets for every test (profile.saas-stub).
 */
export function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) =>
        !/^(SANDBOXER_|E2B_|MODAL_)/.test(k) ||
        /^SANDBOXER_(TEST_|REQUIRE_NODE_MAJOR$|ACTIONLINT$|DEFAULT_PROFILE$)/.test(k),
    ),
  );
}

export function cliSync(args: string[], env: NodeJS.ProcessEnv): CliResult {
  const r = spawnSync(process.execPath, cliArgs(args), {
    cwd: REPO_ROOT,
    env: { ...inheritedEnv(), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs(args), {
      cwd: REPO_ROOT,
      env: { ...inheritedEnv(), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Parse the JSON a `--json` verb printed, with the output in the failure message when it is not JSON. */
export function json<T = unknown>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  }
}

/** The real CLI entry in-process (runCli): the same parsing, wiring and exit codes as the binary. */
export async function cliInProcess(argv: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const { runCli } = await import('../../src/cli/run.ts');
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (s) => void (stdout += `${s}\n`),
    stderr: (s) => void (stderr += `${s}\n`),
    env,
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}
