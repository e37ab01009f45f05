import * as core from '@actions/core';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toSandboxerError } from '../core/errors.ts';
import type { SandboxRecord } from '../core/record.ts';
import type { Endpoint } from '../extensions/contract.ts';
import { shQuote } from '../extensions/ssh/quote.ts';
import { targetFromHandle } from '../extensions/ssh/target.ts';
import { SandboxAccess } from '../manager/access.ts';
import type { SandboxManager } from '../manager/manager.ts';

/**
 * What makes a created sandbox usable by the job's next steps: `sandboxer` on PATH (same bundle, same state
 * directory), SANDBOX_ID / SANDBOX_URL / SANDBOX_URL_<SERVICE>_<PORT> in the environment, and the `endpoints`,
 * `url` and `ssh-command` outputs; and, in the post, each service's logs in the job log (an artifact as well
 * when the job failed) before the teardown removes them.
 */

/** The repo's bin/sandboxer.js, found upwards from this module (dist/ chunk or src/action/ in tests). */
function cliScript(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const p = join(dir, 'bin', 'sandboxer.js');
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** A `sandboxer` shim on the job's PATH running this bundle with this node. */
export function putCliOnPath(env: NodeJS.ProcessEnv, stateDir: string): string | undefined {
  const script = cliScript();
  if (!script) return undefined;
  const bin = join(env.RUNNER_TEMP ?? resolve('.'), 'sandboxer-bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'sandboxer'),
    `#!/bin/sh\nexec ${shQuote(process.execPath)} ${shQuote(script)} "$@"\n`,
    { mode: 0o755 },
  );
  core.addPath(bin);
  // The next steps' CLI reads the same state as this step wrote.
  core.exportVariable('SANDBOXER_STATE_DIR', stateDir);
  // The action's job-local store is the file store (mirrored to artifacts/cache): the CLI must read that one.
  core.exportVariable('SANDBOXER_STATE_BACKEND', 'file');
  return bin;
}

export const urlVariable = (e: Endpoint): string =>
  `SANDBOX_URL_${e.service.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_${e.port}`;

/** ssh [-p N] user@host, for backends reached over SSH. */
export function sshCommand(r: SandboxRecord): string | undefined {
  const t = targetFromHandle(r.handle);
  if (!t) return undefined;
  return `ssh${t.port !== 22 ? ` -p ${t.port}` : ''} ${t.user}@${t.host}`;
}

export async function exposeSandbox(
  r: SandboxRecord,
  manager: SandboxManager,
  stateDir: string,
): Promise<void> {
  core.exportVariable('SANDBOX_ID', r.id);
  const bin = putCliOnPath(process.env, stateDir);
  if (bin)
    core.info(`sandboxer is on PATH for the next steps (${bin}): sandboxer exec "$SANDBOX_ID" -- <command>`);
  const ssh = sshCommand(r);
  core.setOutput('ssh-command', ssh ?? '');
  let endpoints: Endpoint[] = [];
  const { manifest } = manager.extensionFor(r);
  if (manifest.capabilities.endpoints) {
    try {
      endpoints = await new SandboxAccess(manager).endpoints(r.id);
    } catch (err) {
      core.warning(`could not read the endpoints of ${r.id}: ${toSandboxerError(err).message}`);
    }
  }
  for (const e of endpoints) if (e.secret && e.url) core.setSecret(e.url);
  core.setOutput('endpoints', JSON.stringify(endpoints));
  const first = endpoints.find((e) => e.url);
  core.setOutput('url', first?.url ?? '');
  if (first?.url) core.exportVariable('SANDBOX_URL', first.url);
  for (const e of endpoints) if (e.url) core.exportVariable(urlVariable(e), e.url);
  for (const e of endpoints)
    core.info(`endpoint ${e.service}:${e.port} → ${e.url ?? `${e.host}:${e.host_port}`}`);
}

/** Each service's logs in the job log; on a failed job also as an artifact (`sandbox-logs-<id>`). */
export async function showLogs(
  r: SandboxRecord,
  manager: SandboxManager,
  opts: { failed: boolean; tmp: string; signal: AbortSignal },
): Promise<void> {
  const { manifest } = manager.extensionFor(r);
  if (!manifest.capabilities.logs || r.state !== 'ready') return;
  const services = String(r.handle.services ?? '')
    .split(',')
    .filter(Boolean);
  const access = new SandboxAccess(manager);
  const files: string[] = [];
  const dir = join(opts.tmp, `sandbox-logs-${r.id}`);
  for (const service of services.length ? services : [undefined]) {
    const name = service ?? 'sandbox';
    const chunks: Buffer[] = [];
    const sink = (d: Buffer) => void chunks.push(d);
    try {
      await access.logs(
        r.id,
        { ...(service ? { service } : {}), tail: 500 },
        { stdout: sink, stderr: sink },
        {
          signal: opts.signal,
        },
      );
    } catch (err) {
      core.warning(`logs of ${name}: ${toSandboxerError(err).message}`);
      continue;
    }
    const text = Buffer.concat(chunks).toString('utf8');
    await core.group(`logs: ${name} (last 500 lines)`, async () => core.info(text || '(no output)'));
    if (opts.failed) {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`);
      writeFileSync(file, text);
      files.push(file);
    }
  }
  if (!files.length || !process.env.ACTIONS_RUNTIME_TOKEN) return;
  try {
    const { artifactClient } = await import('../state/artifact/run-artifacts.ts');
    const client = await artifactClient();
    await client.uploadArtifact(`sandbox-logs-${r.id}`, files, dir, { retentionDays: 7 });
    core.info(`the job failed: service logs uploaded as the artifact sandbox-logs-${r.id}`);
  } catch (err) {
    core.warning(`uploading the service logs: ${toSandboxerError(err).message}`);
  }
}
