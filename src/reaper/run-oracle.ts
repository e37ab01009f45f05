/**
 * Whether the GitHub Actions run that created a sandbox is still going. A sandbox belongs to its run (every
 * attempt: a re-run of failed jobs can still use what an earlier attempt's successful job made), so only a run
 * that GitHub reports `completed` frees it. Anything GitHub cannot answer (no such run, no access, an error)
 * is `unknown` and changes nothing.
 */
export type RunStatus = 'active' | 'completed' | 'unknown';

export interface RunRef {
  repository: string;
  run_id: string;
}

export interface RunOracle {
  /** The status of each distinct run (keyed by `runKey`), asked in a batch; answers are cached for the pass. */
  statuses(refs: RunRef[], signal?: AbortSignal): Promise<Map<string, RunStatus>>;
}

export const runKey = (r: RunRef): string => `${r.repository}#${r.run_id}`;
