import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { ConflictError, InvalidError } from 'modal';
import type { ModalExecParams, ModalProcessRef } from '../../src/extensions/modal/api.ts';

/**
 * `Sandbox.exec` of the in-memory Modal: the command really runs, as a local process (so the adapter's tar,
 * shell quoting, stdin, exit codes and kills are exercised for real). It validates what the SDK and Modal's
 * server validate: total argv size, an absolute workdir, environment variable names, a positive whole-second
 * timeout, a running sandbox. Modal's own exec timeout kills the process and fails `wait()` the way the SDK does.
 */
export interface FakeExecHost {
  sandboxId: string;
  running: boolean;
  home: string;
  env: Record<string, string>;
  readonly children: Set<ChildProcess>;
}

const ENV_VAR_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function fakeExec(host: FakeExecHost, command: string[], params: ModalExecParams): ModalProcessRef {
  if (!host.running) throw new ConflictError(`Sandbox ${host.sandboxId} has already finished`);
  if (params.mode !== 'binary') throw new Error('the adapter always uses binary mode');
  if (command.length === 0) throw new InvalidError('command must not be empty');
  const argLen = command.reduce((n, a) => n + a.length, 0);
  if (argLen > 2 ** 16)
    throw new InvalidError(`Total length of CMD arguments must be less than 65536 bytes (ARG_MAX).`);
  if (params.workdir !== undefined && !params.workdir.startsWith('/'))
    throw new InvalidError(`workdir must be an absolute path, got: ${params.workdir}`);
  for (const k of Object.keys(params.env ?? {}))
    if (!ENV_VAR_KEY.test(k)) throw new InvalidError(`Secret key name ${JSON.stringify(k)} is invalid`);
  if (params.timeoutMs !== undefined && (params.timeoutMs <= 0 || params.timeoutMs % 1000 !== 0))
    throw new Error(`timeoutMs must be a positive multiple of 1000ms, got ${params.timeoutMs}`);

  const execId = randomUUID();
  const child = spawn(command[0]!, command.slice(1), {
    // Modal runs an exec in the image's WORKDIR: `/` for the registry images the profiles use.
    cwd: params.workdir ?? '/',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: host.home, ...host.env, ...(params.env ?? {}) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  host.children.add(child);
  child.stdin.on('error', () => undefined); // EPIPE when the command exits without reading stdin
  let deadlineHit = false;
  const timer =
    params.timeoutMs !== undefined
      ? setTimeout(() => {
          deadlineHit = true;
          child.kill('SIGKILL');
        }, params.timeoutMs)
      : undefined;
  const exit = new Promise<number>((resolve, reject) => {
    let spawnError = false;
    child.once('error', () => {
      spawnError = true;
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      host.children.delete(child);
      if (deadlineHit) return reject(new Error(`Deadline exceeded while waiting for exec ${execId}`));
      if (spawnError) return resolve(127);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 9));
    });
  });
  exit.catch(() => undefined);
  return {
    stdin: Writable.toWeb(child.stdin) as WritableStream<Uint8Array>,
    stdout: Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>,
    stderr: Readable.toWeb(child.stderr) as ReadableStream<Uint8Array>,
    wait: () => exit,
  };
}

/** The sandbox ended: its processes end with it. */
export function killAll(host: FakeExecHost): void {
  for (const c of host.children) c.kill('SIGKILL');
}
