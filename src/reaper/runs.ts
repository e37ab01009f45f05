import { LABEL } from '../core/labels.ts';
import { mapLimit } from '../core/pool.ts';
import { isTerminal } from '../core/lifecycle.ts';
import type { SandboxRecord } from '../core/record.ts';
import { runKey, type RunOracle, type RunRef, type RunStatus } from './run-oracle.ts';
import type { StaleItem } from './stale-report.ts';

export { runKey, type RunOracle, type RunRef, type RunStatus } from './run-oracle.ts';

/** The run a record belongs to: its owner, else its ownership labels. */
export function runOfRecord(r: SandboxRecord): RunRef | undefined {
  const repository = r.owner.repository ?? r.labels[LABEL.repository];
  const run_id = r.owner.run_id ?? r.labels[LABEL.runId];
  return repository && run_id ? { repository, run_id } : undefined;
}

export function runOfLabels(labels: Record<string, string>): RunRef | undefined {
  const repository = labels[LABEL.repository];
  const run_id = labels[LABEL.runId];
  return repository && run_id ? { repository, run_id } : undefined;
}

type Request = (route: string, params: Record<string, unknown>) => Promise<{ data: unknown }>;

/**
 * Run statuses from the REST API: `GET /repos/{owner}/{repo}/actions/runs/{run_id}`, one call per distinct run
 * per pass (answers and calls in flight are shared), at most `concurrency` at a time.
 */
export class GitHubRunStatus implements RunOracle {
  private readonly cache = new Map<string, Promise<RunStatus>>();
  calls = 0;

  constructor(
    private readonly request: Request,
    private readonly opts: { concurrency?: number; onError?: (ref: RunRef, err: unknown) => void } = {},
  ) {}

  async statuses(refs: RunRef[], signal?: AbortSignal): Promise<Map<string, RunStatus>> {
    const fresh = new Map<string, RunRef>();
    for (const r of refs) if (!this.cache.has(runKey(r))) fresh.set(runKey(r), r);
    const todo = [...fresh.values()].map((ref) => {
      let resolve!: (s: RunStatus) => void;
      this.cache.set(runKey(ref), new Promise<RunStatus>((r) => (resolve = r)));
      return { ref, resolve };
    });
    await mapLimit(todo, this.opts.concurrency ?? 8, async ({ ref, resolve }) =>
      resolve(await this.ask(ref, signal)),
    );
    const out = new Map<string, RunStatus>();
    for (const r of refs) out.set(runKey(r), await this.cache.get(runKey(r))!);
    return out;
  }

  private async ask(ref: RunRef, signal?: AbortSignal): Promise<RunStatus> {
    const [owner, repo] = ref.repository.split('/');
    if (!owner || !repo || !/^\d+$/.test(ref.run_id) || signal?.aborted) return 'unknown';
    try {
      this.calls += 1;
      const res = await this.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', {
        owner,
        repo,
        run_id: Number(ref.run_id),
        ...(signal ? { request: { signal } } : {}),
      });
      const status = (res.data as { status?: string | null }).status;
      return status === 'completed' ? 'completed' : status ? 'active' : 'unknown';
    } catch (err) {
      this.opts.onError?.(ref, err);
      return 'unknown';
    }
  }
}

/** A record the post step kept on purpose (`teardown: never` / `on-success`): it outlives its run, to its TTL. */
export const isKept = (r: SandboxRecord): boolean => Boolean(r.labels[LABEL.kept]);

/**
 * Live records whose run has completed: their creator is gone (the runner died before any post step), so they
 * are reaped now instead of at their TTL. A killed create (`requested` / `provisioning`) is among them.
 */
export async function abandonedRecords(
  records: SandboxRecord[],
  oracle: RunOracle,
  signal?: AbortSignal,
): Promise<Omit<StaleItem, 'extension_id'>[]> {
  const owned = records
    .filter((r) => !isTerminal(r.state) && !isKept(r))
    .map((r) => ({ r, run: runOfRecord(r) }))
    .filter((x): x is { r: SandboxRecord; run: RunRef } => x.run !== undefined);
  if (owned.length === 0) return [];
  const status = await oracle.statuses(
    owned.map((x) => x.run),
    signal,
  );
  return owned
    .filter((x) => status.get(runKey(x.run)) === 'completed')
    .map(({ r, run }) => ({
      kind: 'abandoned' as const,
      sandbox_id: r.id,
      state: r.state,
      revision: r.revision,
      reason: `${r.state}, and its workflow run ${run.run_id} has completed`,
    }));
}

/**
 * Orphans younger than the minimum age whose labels name a run that has completed: the age exists to spare a
 * creation in progress, and a completed run creates nothing, so they may be reaped now (`run_completed`).
 */
export async function markCompletedRuns(
  items: StaleItem[],
  oracle: RunOracle | undefined,
  minAge_s: number,
  signal?: AbortSignal,
): Promise<void> {
  if (!oracle) return;
  const young = items
    .filter((i) => i.kind === 'orphaned' && minAge_s > 0 && (i.age_s === undefined || i.age_s < minAge_s))
    .map((i) => ({ i, run: i.object ? runOfLabels(i.object.labels) : undefined }))
    .filter((x): x is { i: StaleItem; run: RunRef } => x.run !== undefined);
  if (young.length === 0) return;
  const status = await oracle.statuses(
    young.map((x) => x.run),
    signal,
  );
  for (const { i, run } of young) if (status.get(runKey(run)) === 'completed') i.run_completed = true;
}
