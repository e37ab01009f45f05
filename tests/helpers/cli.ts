import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('../../src/cli/entry.ts', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI from source, as a real child process (`node --import tsx src/cli/entry.ts …`). */
export function cliArgs(args: string[]): string[] {
  return ['--import', 'tsx', ENTRY, ...args];
}

export function cliSync(args: string[], env: NodeJS.ProcessEnv): CliResult {
  const r = spawnSync(process.execPath, cliArgs(args), {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs(args), { cwd: REPO_ROOT, env: { ...process.env, ...env } });
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
