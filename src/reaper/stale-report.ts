import type { SandboxState } from '../core/record.ts';
import type { BackendObject } from '../extensions/contract.ts';
import type { CredentialMemo } from '../credentials/resolver.ts';
import type { RunOracle } from './run-oracle.ts';

/** How long a record may sit in a non-terminal state before the reaper treats its creator as gone. */
export interface StaleBounds {
  requested_s: number;
  /** Added to the record's ready timeout (config.ready_timeout_s, else 600 s). */
  provisioning_margin_s: number;
  destroying_s: number;
  /** Overrides all three bounds at once (the CLI's --stuck-after); 0 means "any age". */
  stuck_after_s?: number;
}

export const DEFAULT_BOUNDS: StaleBounds = {
  requested_s: 900,
  provisioning_margin_s: 900,
  destroying_s: 900,
};

export type StaleKind = 'expired' | 'stuck' | 'abandoned' | 'cleanup' | 'gone' | 'orphaned' | 'foreign';

/** A record or a backend object the reaper would act on, and why. */
export interface StaleItem {
  kind: StaleKind;
  extension_id: string;
  sandbox_id?: string;
  /** Record state when inspected (absent for an orphan without a record). */
  state?: SandboxState;
  /** Record revision when inspected: the reaper skips a record that changed since. */
  revision?: number;
  backend_id?: string;
  /** Seconds since the relevant moment (last transition, expiry, object creation). */
  age_s?: number;
  reason: string;
  /** For orphans: what `teardown` needs, and which listing context found it. */
  object?: BackendObject;
  target?: number;
  /** For orphans: the workflow run named in its labels has completed, so its age does not protect it. */
  run_completed?: boolean;
}

/** One way to ask an extension for its objects: the manifest config overlaid by one profile's config. */
export interface ListTarget {
  extension_id: string;
  profile_id?: string;
}

export interface StaleReport {
  at: string;
  scope: string;
  items: StaleItem[];
  examined: {
    records: number;
    live_records: number;
    backend_objects: number;
    listed: string[];
    /** Extensions without `list`: only their records are checked. */
    not_listable: string[];
  };
  /** Extensions whose listing failed (credentials, network): their records are never judged `gone`. */
  unreachable: ListFailure[];
  /** Extensions not listed because their credentials are not configured here (not an error). */
  not_configured: ListFailure[];
  targets: ListTarget[];
  /** Objects with our labels but another ownership scope (another installation or repository): never
   *  orphans, never touched unless the reaper is told `--scope any`. */
  foreign: StaleItem[];
}

export interface ListFailure {
  extension_id: string;
  profile_id?: string;
  error: string;
}

export interface FindStaleOptions {
  now?: Date;
  bounds?: Partial<StaleBounds>;
  /** Backend objects (and `gone` records) younger than this are left alone. Default 600 s. */
  minOrphanAge_s?: number;
  /** Only these extensions. Default: every catalog extension with an implementation. */
  extensions?: string[];
  /** Ownership scope whose orphans may be reaped. Default the manager's owner scope; '*' (or 'any') for any. */
  scope?: string;
  signal?: AbortSignal;
  /** Counts backend calls (for benchmarks and reports). */
  calls?: CallCounter;
  /** Secrets already resolved in this run, so each is resolved once however many targets and objects it serves. */
  memo?: CredentialMemo;
  /** Asks GitHub whether a sandbox's workflow run is still going: a completed run's live sandbox is `abandoned`,
   *  and a young orphan of a completed run loses the minimum-age protection. Without it, runs are not asked. */
  runs?: RunOracle;
  /** Sandboxes whose records exist but were not loaded into the store (judged live from a listing elsewhere):
   *  their objects are never orphans. */
  unloaded?: ReadonlySet<string>;
}

export interface CallCounter {
  list: number;
  teardown: number;
  destroy: number;
}

export const newCallCounter = (): CallCounter => ({ list: 0, teardown: 0, destroy: 0 });

export const DEFAULT_MIN_ORPHAN_AGE_S = 600;
