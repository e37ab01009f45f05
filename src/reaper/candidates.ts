import { LABEL } from '../core/labels.ts';
import type { CredentialMemo } from '../credentials/resolver.ts';
import type { SandboxManager } from '../manager/manager.ts';
import { runKey, type RunOracle, type RunRef } from './runs.ts';
import { inspectableExtensions, listExtension } from './listing.ts';
import type { CallCounter, StaleReport } from './stale-report.ts';

/** A record kept somewhere it is costly to read (an artifact): which sandbox, and the run that wrote it. */
export interface StoredRecordRef {
  sandboxId: string;
  runId: number;
}

export interface Candidates<T> {
  /** Records that may need action: read these. */
  load: T[];
  /** Sandboxes judged live from the listing alone: their records are not read, their objects are not orphans. */
  unloaded: Set<string>;
  /** Why each loaded record is a candidate (for the log). */
  why: Map<string, string>;
}

/**
 * Which stored records must be read for a reap pass, decided from what is cheap to know: the backends' own
 * listings (the ownership labels, `io.sandboxer.expires-at` among them) and whether each record's workflow run
 * is still going. A record is a candidate when no listed object carries its sandbox id (gone, killed before
 * its object existed, on a backend that cannot list or did not answer, or already terminal), when its object's
 * expiry label is missing or past, or when its run has completed. Every other record belongs to a live object
 * of a running workflow: nothing in it could make the reaper act, so it is not read.
 */
export async function recordCandidates<T extends StoredRecordRef>(
  manager: SandboxManager,
  refs: T[],
  opts: {
    repository: string;
    runs?: RunOracle;
    now?: Date;
    signal?: AbortSignal;
    memo?: CredentialMemo;
    calls?: CallCounter;
  },
): Promise<Candidates<T>> {
  const now = (opts.now ?? new Date()).getTime();
  const expiry = new Map<string, string | undefined>();
  const scratch: Pick<StaleReport, 'unreachable' | 'not_configured' | 'targets'> = {
    unreachable: [],
    not_configured: [],
    targets: [],
  };
  for (const { manifest, ext } of inspectableExtensions(manager)) {
    if (!ext.list) continue;
    const listed = await listExtension(manager, manifest, ext, scratch, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.calls ? { calls: opts.calls } : {}),
      ...(opts.memo ? { memo: opts.memo } : {}),
    });
    for (const o of listed.objects) {
      const sid = o.sandbox_id ?? o.labels[LABEL.sandboxId];
      if (sid) expiry.set(sid, o.labels[LABEL.expiresAt]);
    }
  }

  const why = new Map<string, string>();
  const open: { ref: T; run: RunRef }[] = [];
  for (const ref of refs) {
    if (!expiry.has(ref.sandboxId)) why.set(ref.sandboxId, 'no backend object lists it');
    else {
      const at = Date.parse(expiry.get(ref.sandboxId) ?? '');
      if (Number.isNaN(at) || at <= now) why.set(ref.sandboxId, 'its object carries no future expiry');
      else open.push({ ref, run: { repository: opts.repository, run_id: String(ref.runId) } });
    }
  }
  const asked = open.filter((x) => x.ref.runId > 0);
  const status = opts.runs
    ? await opts.runs.statuses(
        asked.map((x) => x.run),
        opts.signal,
      )
    : new Map();
  for (const { ref, run } of open) {
    if (status.get(runKey(run)) === 'completed')
      why.set(ref.sandboxId, `its run ${run.run_id} has completed`);
  }
  return {
    load: refs.filter((r) => why.has(r.sandboxId)),
    unloaded: new Set(refs.filter((r) => !why.has(r.sandboxId)).map((r) => r.sandboxId)),
    why,
  };
}
