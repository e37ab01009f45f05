import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The bundled actions, run the way the runner runs them: `node dist/<entry>.js` with file commands. */
export const DIST = resolve(process.env.SANDBOXER_TEST_DIST ?? 'dist');

export interface StepResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  env: Record<string, string>;
  /** Directories the step added to PATH (GITHUB_PATH). */
  path: string[];
  summary: string;
}

/** Parse a GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV file (`name<<delimiter` heredocs or `name=value`). */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!);
      out[name!] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

/** One job's runner-side files: each step gets fresh command files, RUNNER_TEMP lives for the job. */
export class Job {
  private step = 0;
  readonly runnerTemp: string;
  constructor(
    readonly dir: string,
    readonly baseEnv: Record<string, string>,
  ) {
    this.runnerTemp = join(dir, 'runner-temp');
    mkdirSync(this.runnerTemp, { recursive: true });
  }

  async run(
    entry: string,
    opts: {
      inputs?: Record<string, string>;
      state?: Record<string, string>;
      env?: Record<string, string>;
      /** Options for node before the entry (e.g. `--import` of a module hook). */
      nodeArgs?: string[];
      signalAfter?: (child: ReturnType<typeof spawn>, stdout: () => string) => void;
    } = {},
  ): Promise<StepResult> {
    const n = ++this.step;
    const files = {
      GITHUB_OUTPUT: join(this.dir, `output-${n}`),
      GITHUB_STATE: join(this.dir, `state-${n}`),
      GITHUB_ENV: join(this.dir, `env-${n}`),
      GITHUB_PATH: join(this.dir, `path-${n}`),
      GITHUB_STEP_SUMMARY: join(this.dir, `summary-${n}`),
    };
    for (const f of Object.values(files)) writeFileSync(f, '');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      RUNNER_TEMP: this.runnerTemp,
      ...this.baseEnv,
      ...files,
      ...(opts.env ?? {}),
    };
    for (const [k, v] of Object.entries(opts.inputs ?? {})) env[`INPUT_${k.toUpperCase()}`] = v;
    for (const [k, v] of Object.entries(opts.state ?? {})) env[`STATE_${k}`] = v;
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), join(DIST, entry)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    opts.signalAfter?.(child, () => stdout);
    const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
    const read = (f: string) => readFileSync(f, 'utf8');
    return {
      code,
      stdout,
      stderr,
      outputs: parseFileCommands(read(files.GITHUB_OUTPUT)),
      state: parseFileCommands(read(files.GITHUB_STATE)),
      env: parseFileCommands(read(files.GITHUB_ENV)),
      path: read(files.GITHUB_PATH).split('\n').filter(Boolean),
      summary: read(files.GITHUB_STEP_SUMMARY),
    };
  }
}
