import '../core/zod-jitless.ts';
import { withDeadline } from '../core/deadline.ts';
import * as core from '@actions/core';
import { LABEL } from '../core/labels.ts';
import { isTerminal } from '../core/lifecycle.ts';
import { toSandboxerError } from '../core/errors.ts';
import type { SandboxRecord } from '../core/record.ts';
import { replayOutbox } from '../export/outbox.ts';
import { MirroredStateStore } from '../state/artifact/mirrored-store.ts';
import type { StateStore } from '../state/store.ts';
import { readSetupInputs } from './inputs.ts';
import { setRecordOutputs, writeSummary } from './report.ts';
import { actionManager, actionStateDir, onSignals, openStore, runStep } from './runtime.ts';
import { readSavedState, saveState } from './state.ts';
import { exposeSandbox, showLogs } from './use.ts';

/** A post step must end well inside the 5 minutes the runner allows after a cancel. */
export const POST_BUDGET_S = 240;
export const TEARDOWN_BY = 'teardown-sandbox';

/** setup-sandbox main: create the sandbox, save its id the moment it exists, set outputs, mirror the record. */
export async function setupMain(): Promise<void> {
  await runStep('main', async () => {
    const inputs = readSetupInputs();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...(inputs.budget ? { SANDBOXER_BUDGET_USD: inputs.budget } : {}),
    };
    saveState('teardown', inputs.teardown);
    saveState('state_store', inputs.stateStore);
    saveState('state_dir', actionStateDir(env));
    const { store, flush } = openStore(inputs.stateStore, {
      env,
      ...(inputs.retentionDays ? { retentionDays: inputs.retentionDays } : {}),
    });
    const manager = actionManager(store, env);
    const controller = new AbortController();
    const off = onSignals((sig) => {
      core.warning(`${sig}: cancelling the creation; whatever was made is torn down`);
      controller.abort(new Error(sig));
    });
    let record: SandboxRecord | undefined;
    try {
      core.info(`creating a sandbox from ${inputs.profile ?? 'the default profile'}`);
      record = await manager.create({
        ...(inputs.profile ? { profileId: inputs.profile } : {}),
        inputs: inputs.inputs,
        ...(inputs.ttl ? { ttl: inputs.ttl } : {}),
        ...(inputs.route ? { route: inputs.route } : {}),
        signal: controller.signal,
        onCreated: (r) => {
          // Before any backend call: a main killed from here on still gets a post that can tear down.
          saveState('sandbox_id', r.id);
          core.setOutput('sandbox-id', r.id);
        },
      });
      saveState('main_done', 'ready');
      setRecordOutputs(record);
      await exposeSandbox(record, manager, actionStateDir(env));
      core.info(`sandbox ${record.id} is ready on ${record.extension_id}`);
    } catch (err) {
      saveState('main_done', 'failed');
      throw err;
    } finally {
      off();
      await finishStore(flush);
    }
    await writeSummary(
      'Sandbox',
      [record],
      [`Teardown: ${inputs.teardown}; state store: ${inputs.stateStore}.`],
    );
  });
}

async function finishStore(flush: () => Promise<string[]>): Promise<void> {
  const errors = await core.group('save sandbox state', flush);
  for (const e of errors) core.warning(e);
}

/** setup-sandbox post: tear down per the teardown policy; every problem is a warning, never a failed job. */
export async function setupPost(): Promise<void> {
  await runStep('post', async () => {
    const saved = readSavedState();
    const id = saved.sandbox_id;
    if (!id) {
      core.info('no sandbox was created by this job: nothing to tear down');
      return;
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...(saved.state_dir ? { SANDBOXER_STATE_DIR: saved.state_dir } : {}),
    };
    // Inputs are evaluated again for the post step; a bad value was already reported by the main.
    const retentionDays = Number(core.getInput('retention-days').trim());
    const { store, flush } = openStore(saved.state_store ?? 'artifact', {
      env,
      ...(Number.isInteger(retentionDays) && retentionDays >= 1 && retentionDays <= 90
        ? { retentionDays }
        : {}),
    });
    const manager = actionManager(store, env, { lenientCatalog: true });
    try {
      let record = await manager.get(id);
      if (isTerminal(record.state) && !record.cleanup_pending) {
        const by = record.teardown_requested_by ? ` by ${record.teardown_requested_by}` : '';
        core.info(`sandbox ${id} is already ${record.state}${by}: nothing to do`);
        await writeSummary('Sandbox (post)', [record]);
        return;
      }
      const keep = keepReason(saved.teardown ?? 'post', core.getInput('job-status').trim());
      if (keep) {
        // Recorded so reap-stale does not take the kept sandbox for one whose runner died once the run is over.
        record = await store.updateSandbox(id, (r) => ({
          ...r,
          labels: { ...r.labels, [LABEL.kept]: keep },
        }));
        core.notice(
          `sandbox ${id} is kept (${keep}); it ends at its TTL${record.expires_at ? ` (${record.expires_at})` : ''} or with teardown-sandbox / reap-stale`,
        );
        await writeSummary('Sandbox (post, kept)', [record]);
        return;
      }
      await withDeadline(60_000, [], (signal) =>
        showLogs(record, manager, {
          failed: core.getInput('job-status').trim() === 'failure',
          tmp: env.RUNNER_TEMP ?? actionStateDir(env),
          signal,
        }),
      ).catch((err: unknown) => core.warning(`service logs: ${toSandboxerError(err).message}`));
      // Cancelling a teardown would leak the sandbox: signals are reported, the bounded teardown goes on.
      const off = onSignals((sig) => core.warning(`${sig}: teardown of ${id} continues (bounded)`));
      try {
        record = await withDeadline(POST_BUDGET_S * 1000, [], (signal) =>
          manager.destroy(id, { reason: 'post-job', requestedBy: 'setup-sandbox post', signal }),
        );
      } finally {
        off();
      }
      core.info(
        `sandbox ${id} is ${record.state}${record.meter ? `: actual cost $${record.meter.actual_usd} for ${record.meter.duration_s}s` : ''}`,
      );
      if (!(await exportUsage(store, env)) && store instanceof MirroredStateStore) await store.pin(id);
      await writeSummary('Sandbox (post)', [record]);
    } finally {
      await finishStore(flush);
    }
  });
}

/** Why the post keeps the sandbox, or undefined to tear it down. */
export function keepReason(policy: 'post' | 'never' | 'on-success', jobStatus: string): string | undefined {
  if (policy === 'never') return 'teardown: never';
  if (policy === 'on-success') {
    if (!jobStatus) {
      core.warning('teardown: on-success needs job-status: ${{ job.status }}; tearing down to avoid a leak');
      return undefined;
    }
    if (jobStatus !== 'success') return `teardown: on-success and the job is ${jobStatus}`;
  }
  return undefined;
}

/**
 * The meter goes to fin-hub (when configured) now rather than at the next replay. False when something is
 * left undelivered: the caller then keeps the record's artifact so reap-stale replays the export.
 */
async function exportUsage(store: StateStore, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    const res = await withDeadline(30_000, [], (signal) => replayOutbox(store, env, { signal }));
    if (res.enabled && res.remaining > 0) {
      core.warning(
        `fin-hub: ${res.remaining} usage record(s) not delivered; the record is kept for reap-stale`,
      );
      return false;
    }
    return true;
  } catch (err) {
    core.warning(`fin-hub export: ${toSandboxerError(err).message}; the record is kept for reap-stale`);
    return false;
  }
}

/** The entry @github/local-action (and src/bundle.ts) calls: importing this module runs nothing. */
export const run = setupMain;
