import '../core/zod-jitless.ts';
import * as core from '@actions/core';
import { parseDurationSeconds } from '../core/duration.ts';
import { toSandboxerError, usageError } from '../core/errors.ts';
import { isTerminal } from '../core/lifecycle.ts';
import { mapLimit } from '../core/pool.ts';
import type { SandboxRecord } from '../core/record.ts';
import type { CredentialMemo } from '../credentials/resolver.ts';
import type { SandboxManager } from '../manager/manager.ts';
import { RepoArtifacts, type RepoArtifact } from '../state/artifact/repo-artifacts.ts';
import { RunArtifacts } from '../state/artifact/run-artifacts.ts';
import { FileStateStore } from '../state/file/file-store.ts';
import { recordCandidates } from '../reaper/candidates.ts';
import { reapStale, type ReapReport } from '../reaper/reap.ts';
import { GitHubRunStatus } from '../reaper/runs.ts';
import { writeSummary } from './report.ts';
import { actionLogger, actionManager, actionStateDir, onSignals, runStep } from './runtime.ts';

/** Record artifacts downloaded at once. */
const DOWNLOAD_CONCURRENCY = 8;

/**
 * reap-stale: list every sandbox-record artifact in the repository (REST, throttled and retried), decide from
 * that listing, the backends' ownership labels and the status of each distinct workflow run which records can
 * matter, download only those, reconcile through `reapStale` (a completed run's live sandbox is reaped now),
 * then delete the artifacts of sandboxes that are now gone, a few at a time. Dry run by default.
 */
export async function reapMain(): Promise<void> {
  await runStep('main', async () => {
    const env = process.env;
    const apply = core.getInput('dry-run').trim() === 'false';
    const minOrphanAge_s = parseDurationSeconds(
      core.getInput('min-orphan-age').trim() || '30m',
      'min-orphan-age',
    );
    const scopeInput = core.getInput('scope').trim();
    const scope = scopeInput === 'any' ? '*' : scopeInput || undefined;
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
      const manager = actionManager(store, env, { lenientCatalog: true });
      const memo: CredentialMemo = new Map();
      const runs = new GitHubRunStatus((route, params) => repo.request(route, params), {
        onError: (ref, err) =>
          core.warning(`run ${ref.run_id} of ${ref.repository}: ${toSandboxerError(err).message}`),
      });
      const { artifacts, unloaded, downloaded } = await core.group(
        'collect sandbox records from artifacts',
        () => collect(repo, run, manager, { token, runs, memo, signal: controller.signal }),
      );
      const report = await core.group(apply ? 'reap stale sandboxes' : 'find stale sandboxes (dry run)', () =>
        reapStale(manager, {
          apply,
          minOrphanAge_s,
          ...(scope ? { scope } : {}),
          signal: controller.signal,
          env,
          log: actionLogger,
          runs,
          unloaded,
          memo,
        }),
      );
      const deleted = apply ? await retireArtifacts(repo, store, artifacts, report) : 0;
      const found = report.actions.filter((a) => a.outcome !== 'skipped').length;
      core.setOutput(
        'report',
        JSON.stringify({
          ...report,
          artifacts: { found: artifacts.length, downloaded, deleted },
          runs_asked: runs.calls,
        }),
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

/**
 * List the record artifacts (newest attempt per sandbox wins) and download into the local store only the
 * candidates `recordCandidates` picks; the others are live sandboxes of running workflows.
 */
async function collect(
  repo: RepoArtifacts,
  run: RunArtifacts,
  manager: SandboxManager,
  opts: { token: string; runs: GitHubRunStatus; memo: CredentialMemo; signal: AbortSignal },
): Promise<{ artifacts: RepoArtifact[]; unloaded: Set<string>; downloaded: number }> {
  const all = await repo.list();
  core.info(`${all.length} sandbox record artifact(s) in ${repo.owner}/${repo.repo}`);
  const newest = new Map<string, RepoArtifact>();
  for (const a of all) {
    const seen = newest.get(a.sandboxId);
    if (!seen || a.attempt > seen.attempt || (a.attempt === seen.attempt && a.id > seen.id))
      newest.set(a.sandboxId, a);
  }
  const { load, unloaded, why } = await recordCandidates(manager, [...newest.values()], {
    repository: `${repo.owner}/${repo.repo}`,
    runs: opts.runs,
    memo: opts.memo,
    signal: opts.signal,
  });
  core.info(
    `${load.length} of ${newest.size} sandbox record(s) may need action (${opts.runs.calls} run(s) asked); downloading those`,
  );
  let downloaded = 0;
  await mapLimit(load, DOWNLOAD_CONCURRENCY, async (a) => {
    try {
      const record: SandboxRecord = await run.download(a.id, {
        token: opts.token,
        workflowRunId: a.runId,
        repositoryOwner: repo.owner,
        repositoryName: repo.repo,
      });
      downloaded++;
      core.debug(`${a.name}: ${why.get(a.sandboxId) ?? ''}`);
      if (!(await manager.store.getSandbox(record.id))) await manager.store.createSandbox(record);
    } catch (err) {
      core.warning(`artifact ${a.name} (${a.id}): ${toSandboxerError(err).message}`);
      // Unread: its objects must not look like orphans.
      unloaded.add(a.sandboxId);
    }
  });
  return { artifacts: all, unloaded, downloaded };
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
  const retire: number[] = [];
  for (const a of artifacts) {
    const r = await store.getSandbox(a.sandboxId);
    if (!r || !isTerminal(r.state) || r.cleanup_pending || (exportOwed && r.meter)) continue;
    retire.push(a.id);
  }
  const { deleted, errors } = await repo.deleteMany(retire);
  for (const e of errors) core.warning(e);
  return deleted.length;
}

/** The entry @github/local-action (and src/bundle.ts) calls: importing this module runs nothing. */
export const run = reapMain;
