import '../core/zod-jitless.ts';
import { SANDBOX_ID_RE } from '../core/ids.ts';
import * as core from '@actions/core';
import { usageError, toSandboxerError } from '../core/errors.ts';
import { LIVE_STATES } from '../core/lifecycle.ts';
import { fromMicros, sumMicros, toMicros } from '../core/money.ts';
import type { SandboxRecord } from '../core/record.ts';
import { ArtifactStateStore } from '../state/artifact/artifact-store.ts';
import { stateStoreInput } from './inputs.ts';
import { writeSummary } from './report.ts';
import { actionManager, onSignals, openStore, runStep } from './runtime.ts';

/**
 * teardown-sandbox: tear down one sandbox by id, or every sandbox this workflow run recorded, from any job.
 * The record is marked `teardown_requested_by` so the setup job's post step reports it instead of failing.
 */
export async function teardownMain(): Promise<void> {
  await runStep('main', async () => {
    const wanted = core.getInput('sandbox-id').trim();
    const failOnError = core.getInput('fail-on-error').trim() !== 'false';
    const kind = stateStoreInput();
    if (wanted && !SANDBOX_ID_RE.test(wanted))
      throw usageError(
        `input sandbox-id: '${wanted}' is not a sandbox id`,
        'pass the sandbox-id output of setup-sandbox (sbx-…)',
      );
    const { store, flush } = openStore(kind);
    const manager = actionManager(store, process.env, { lenientCatalog: true });
    const controller = new AbortController();
    const off = onSignals((sig) => {
      core.warning(`${sig}: stopping after the current teardown`);
      controller.abort(new Error(sig));
    });
    const done: SandboxRecord[] = [];
    const errors: string[] = [];
    try {
      let ids: string[];
      if (wanted) ids = [wanted];
      else if (store instanceof ArtifactStateStore)
        ids = [...new Set((await store.artifacts.list()).map((a) => a.sandboxId))];
      else if (kind === 'cache')
        throw usageError('state-store cache cannot list the sandboxes of a run', 'pass sandbox-id');
      else ids = (await manager.list({ state: [...LIVE_STATES] })).map((r) => r.id);
      if (ids.length === 0) core.info('no sandbox recorded by this run: nothing to tear down');
      for (const id of ids) {
        if (controller.signal.aborted) break;
        try {
          const r = await manager.destroy(id, {
            reason: 'user',
            requestedBy: `teardown-sandbox${process.env.GITHUB_JOB ? ` (job ${process.env.GITHUB_JOB})` : ''}`,
            signal: controller.signal,
          });
          core.info(`sandbox ${id} is ${r.state}${r.meter ? ` (actual $${r.meter.actual_usd})` : ''}`);
          done.push(r);
        } catch (err) {
          const e = toSandboxerError(err);
          errors.push(`${id}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`);
        }
      }
    } finally {
      off();
      for (const e of await core.group('save sandbox state', flush)) core.warning(e);
    }
    core.setOutput('destroyed', JSON.stringify(done.map((r) => r.id)));
    core.setOutput(
      'actual-usd',
      fromMicros(sumMicros(done.map((r) => toMicros(r.meter?.actual_usd ?? '0')))),
    );
    await writeSummary('Sandbox teardown', done, errors);
    if (errors.length) {
      const text = `teardown failed for ${errors.length} sandbox(es): ${errors.join('; ')}`;
      if (failOnError) core.setFailed(text);
      else core.warning(text);
    }
  });
}

/** The entry @github/local-action (and src/bundle.ts) calls: importing this module runs nothing. */
export const run = teardownMain;
