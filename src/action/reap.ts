import '../core/zod-jitless.ts';
import * as core from '@actions/core';
import { parseDurationSeconds } from '../core/duration.ts';
import { toSandboxerError, usageError } from '../core/errors.ts';
import { isTerminal } from '../core/lifecycle.ts';
import type { SandboxRecord } from '../core/record.ts';
import { RepoArtifacts, type RepoArtifact } from '../state/artifact/repo-artifacts.ts';
import { RunArtifacts } from '../state/artifact/run-artifacts.ts';
import { FileStateStore } from '../state/file/file-store.ts';
import { reapStale, type ReapReport } from '../telemetry/reap.ts';
import { writeSummary } from './report.ts';
import { actionLogger, actionManager, actionStateDir, onSignals, runStep } from './runtime.ts';

/**
 * reap-stale: gather every sandbox record kept as an artifact anywhere in the repository (REST, throttled and
 * retried), reconcile them with the backends' ownership labels through `reapStale`, and delete the artifacts
 * of sandboxes that are now gone. Dry run by default.
 */
export async function reapMain(): Promise<void> {
  await runStep('main', async () => {
    const env = process.env;
    const apply = core.getInput('dry-run').trim() === 'false';
    const minOrphanAge_s = parseDurationSeconds(
      core.getInput('min-orphan-age').trim() || '30m',
      'min-orphan-age',
    );
    const token = core.getInput('token').trim() || env.GITHUB_TOKEN || '';
    const repository = env.GITHUB_REPOSITORY ?? '';
    if (!token)
      throw usageError(
        'no token for the REST API',
        'pass token: ${{ github.token }} with permissions actions: write',
      );
    const repo = new RepoArtifacts({ token, repository, log: actionLogger });
    const run = new RunArtifacts({
      attempt: env.GITHUB_RUN_ATTEMPT ?? '1',
      ...(env.RUNNER_TEMP ? { tmp: env.RUNNER_TEMP } : {}),
    });
    const store = new FileStateStore(actionStateDir(env));
    const controller = new AbortController();
    const off = onSignals((sig) => {
      core.warning(`${sig}: stopping the reaper`);
      controller.abort(new Error(sig));
    });
    try {
      const artifacts = await core.group('collect sandbox records from artifacts', () =>
        collect(repo, run, store, token),
      );
      const manager = actionManager(store, env, { lenientCatalog: true });
      const report = await core.group(apply ? 'reap stale sandboxes' : 'find stale sandboxes (dry run)', () =>
        reapStale(manager, { apply, minOrphanAge_s, signal: controller.signal, env, log: actionLogger }),
      );
      const deleted = apply ? await retireArtifacts(repo, store, artifacts, report) : 0;
      const found = report.actions.filter((a) => a.outcome !== 'skipped').length;
      core.setOutput(
        'report',
        JSON.stringify({ ...report, artifacts: { found: artifacts.length, deleted } }),
      );
      core.setOutput('found', String(found));
      core.setOutput('reaped', String(report.summary.done));
      core.info(
        `${apply ? 'reaped' : 'would reap'} ${apply ? report.summary.done : report.summary.planned} of ${found} stale item(s); ${artifacts.length} record artifact(s), ${deleted} deleted`,
      );
      await writeSummary(
        apply ? 'Reap stale sandboxes' : 'Reap stale sandboxes (dry run)',
        await store.listSandboxes(),
        report.actions.map(
          (a) =>
            `${a.outcome}: ${a.kind} ${a.sandbox_id ?? a.backend_id ?? ''} on ${a.extension_id} — ${a.reason}${a.error ? ` (${a.error})` : ''}`,
        ),
      );
      if (report.summary.error > 0)
        core.setFailed(`${report.summary.error} reap action(s) failed; see the report output`);
    } finally {
      off();
    }
  });
}

/** Download each record artifact (newest attempt per sandbox wins) into the local store. */
async function collect(
  repo: RepoArtifacts,
  run: RunArtifacts,
  store: FileStateStore,
  token: string,
): Promise<RepoArtifact[]> {
  const all = await repo.list();
  core.info(`${all.length} sandbox record artifact(s) in ${repo.owner}/${repo.repo}`);
  const newest = new Map<string, RepoArtifact>();
  for (const a of all) {
    const seen = newest.get(a.sandboxId);
    if (!seen || a.attempt > seen.attempt || (a.attempt === seen.attempt && a.id > seen.id))
      newest.set(a.sandboxId, a);
  }
  for (const a of newest.values()) {
    try {
      const record: SandboxRecord = await run.download(a.id, {
        token,
        workflowRunId: a.runId,
        repositoryOwner: repo.owner,
        repositoryName: repo.repo,
      });
      if (!(await store.getSandbox(record.id))) await store.createSandbox(record);
    } catch (err) {
      core.warning(`artifact ${a.name} (${a.id}): ${toSandboxerError(err).message}`);
    }
  }
  return all;
}

/** Delete the artifacts of sandboxes that are gone, unless their usage export is still owed. */
async function retireArtifacts(
  repo: RepoArtifacts,
  store: FileStateStore,
  artifacts: RepoArtifact[],
  report: ReapReport,
): Promise<number> {
  const remaining = (report.outbox?.result as { remaining?: number } | undefined)?.remaining ?? 0;
  const exportOwed = report.outbox !== undefined && (!report.outbox.ok || remaining > 0);
  let deleted = 0;
  for (const a of artifacts) {
    const r = await store.getSandbox(a.sandboxId);
    if (!r || !isTerminal(r.state) || r.cleanup_pending || (exportOwed && r.meter)) continue;
    try {
      await repo.delete(a.id);
      deleted++;
    } catch (err) {
      core.warning(toSandboxerError(err).message);
    }
  }
  return deleted;
}

/** The entry @github/local-action (and src/bundle.ts) calls: importing this module runs nothing. */
export const run = reapMain;
