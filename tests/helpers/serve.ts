import { spawn, type ChildProcess } from 'node:child_process';
import { bundledCliArgs, cliArgs, REPO_ROOT } from './cli.ts';

/** A `sandboxer serve` child process (from source), started on a free port. */
export interface ServeProcess {
  url: string;
  replica: string;
  child: ChildProcess;
  /** Everything it wrote to stderr so far (its log). */
  stderr(): string;
  /** Resolves with its exit code (or the signal that ended it). */
  exited: Promise<number | string | null>;
  /** Resolves once its log contains text. */
  waitForLog(text: string, timeoutMs?: number): Promise<void>;
}

/** `bundled`: run the built CLI (bin/sandboxer.js over dist/, as installed) instead of the source under tsx. */
export async function startServe(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { bundled?: boolean } = {},
): Promise<ServeProcess> {
  const serve = ['serve', '--port', '0', '--json', ...args];
  const argv = opts.bundled ? bundledCliArgs(serve) : cliArgs(serve);
  const child = spawn(process.execPath, argv, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const l of listeners) l();
  });
  const exited = new Promise<number | string | null>((r) =>
    child.on('close', (code, signal) => r(code ?? signal)),
  );
  const started = await new Promise<{ url: string; replica: string }>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes('\n'))
        resolve(JSON.parse(stdout.split('\n')[0]!) as { url: string; replica: string });
    });
    child.on('close', () => reject(new Error(`serve exited early:\n${stdout}\n${stderr}`)));
  });
  return {
    ...started,
    child,
    stderr: () => stderr,
    exited,
    waitForLog(text, timeoutMs = 60_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!stderr.includes(text)) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no '${text}' in the log of ${started.url} within ${timeoutMs} ms:\n${stderr}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}
