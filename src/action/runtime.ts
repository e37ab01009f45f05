import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as core from '@actions/core';
import { toSandboxerError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { createManager } from '../manager/factory.ts';
import type { SandboxManager } from '../manager/manager.ts';
import { ArtifactStateStore } from '../state/artifact/artifact-store.ts';
import { hasArtifactRuntime, RunArtifacts } from '../state/artifact/run-artifacts.ts';
import { CacheStateStore } from '../state/cache/cache-store.ts';
import { FileStateStore } from '../state/file/file-store.ts';
import type { StateStore } from '../state/store.ts';
import type { StateStoreKind } from './inputs.ts';

/** Lifecycle messages go to the job log; groups fold with core.group. */
export const actionLogger: Logger = {
  debug: (m) => core.debug(m),
  info: (m) => core.info(m),
  warn: (m) => core.warning(m),
  error: (m) => core.error(m),
  group: (title, fn) => core.group(title, fn),
};

/**
 * The job-local state directory. RUNNER_TEMP is emptied after every job, which is why the record is also kept
 * in an artifact; SANDBOXER_STATE_DIR overrides it (tests, self-hosted runners that want a persistent ledger).
 */
export function actionStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SANDBOXER_STATE_DIR ?? join(env.RUNNER_TEMP ?? tmpdir(), 'sandboxer-state');
}

export interface ActionStore {
  store: StateStore;
  /** Wait for mirrored writes (artifact/cache) to land; returns their errors. */
  flush(): Promise<string[]>;
}

export function openStore(
  kind: StateStoreKind,
  opts: { env?: NodeJS.ProcessEnv; retentionDays?: number; log?: Logger } = {},
): ActionStore {
  const env = opts.env ?? process.env;
  const log = opts.log ?? actionLogger;
  const local = new FileStateStore(actionStateDir(env));
  if (kind === 'artifact') {
    if (!hasArtifactRuntime(env)) {
      log.warn(
        'state-store artifact: ACTIONS_RUNTIME_TOKEN/ACTIONS_RESULTS_URL are not set (not a JavaScript action step?); the record stays in this job only',
      );
      return { store: local, flush: async () => [] };
    }
    const store = new ArtifactStateStore(
      local,
      new RunArtifacts({
        attempt: env.GITHUB_RUN_ATTEMPT ?? '1',
        ...(opts.retentionDays ? { retentionDays: opts.retentionDays } : {}),
        ...(env.RUNNER_TEMP ? { tmp: env.RUNNER_TEMP } : {}),
      }),
      log,
    );
    return { store, flush: () => store.flush().then(() => store.errors) };
  }
  if (kind === 'cache') {
    const store = new CacheStateStore(local, { log });
    return { store, flush: () => store.flush().then(() => store.errors) };
  }
  return { store: local, flush: async () => [] };
}

/** `lenientCatalog` for steps that only tear down (post, teardown-sandbox, reap-stale): see createManager. */
export function actionManager(
  store: StateStore,
  env: NodeJS.ProcessEnv = process.env,
  opts: { lenientCatalog?: boolean } = {},
): SandboxManager {
  return createManager({ store, env, log: actionLogger, lenientCatalog: opts.lenientCatalog ?? false });
}

/**
 * Cancellation: the runner sends SIGINT on cancel, SIGTERM 7.5 s later and kills 2.5 s after that. `onSignal`
 * decides what a signal means for the step (main aborts provisioning, which tears down what was made).
 */
export function onSignals(handler: (sig: NodeJS.Signals) => void): () => void {
  const h = (sig: NodeJS.Signals) => handler(sig);
  process.on('SIGINT', h);
  process.on('SIGTERM', h);
  return () => {
    process.off('SIGINT', h);
    process.off('SIGTERM', h);
  };
}

/** Run one step body: a main step fails the step on error; a post step only warns (it must never fail a job). */
export async function runStep(kind: 'main' | 'post', body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const e = toSandboxerError(err);
    const text = `${e.message}${e.hint ? ` (${e.hint})` : ''}`;
    if (kind === 'post') core.warning(text);
    else core.setFailed(text);
  }
}
