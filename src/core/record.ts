import * as z from 'zod';
import { Resources } from '../catalog/schema.ts';
import { SANDBOX_ID_RE, SNAPSHOT_ID_RE } from './ids.ts';
import { DECIMAL_RE } from './money.ts';

export const SandboxState = z.enum([
  'requested',
  'provisioning',
  'ready',
  'destroying',
  'destroyed',
  'failed',
  'expired',
]);
export type SandboxState = z.infer<typeof SandboxState>;

const Iso = z.string().datetime({ offset: true });
const Usd = z.string().regex(DECIMAL_RE);

/** Non-secret, JSON-safe facts a backend needs to find its object again (host, container project, sandbox id…). */
export const Handle = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type Handle = z.infer<typeof Handle>;

export const Meter = z
  .object({
    duration_s: z.number().nonnegative(),
    actual_usd: Usd,
    started_at: Iso,
    ended_at: Iso,
    pricing: z.record(z.string(), z.union([z.string(), z.number()])),
  })
  .strict();
export type Meter = z.infer<typeof Meter>;

export const RouteCandidate = z
  .object({
    extension_id: z.string(),
    eligible: z.boolean(),
    reason: z.string(),
    estimate_usd: Usd.optional(),
    latency_s: z.number().optional(),
    credentials: z.enum(['ok', 'missing', 'not_required']).optional(),
    outcome: z.enum(['chosen', 'failed', 'skipped', 'not_tried']).optional(),
    error: z.string().optional(),
  })
  .strict();
export type RouteCandidate = z.infer<typeof RouteCandidate>;

export const RouteDecision = z
  .object({
    strategy: z.string(),
    chosen: z.string().optional(),
    candidates: z.array(RouteCandidate),
  })
  .strict();
export type RouteDecision = z.infer<typeof RouteDecision>;

export const Transition = z
  .object({ from: SandboxState.nullable(), to: SandboxState, at: Iso, reason: z.string().optional() })
  .strict();
export type Transition = z.infer<typeof Transition>;

/**
 * The kind of actor behind a request, as the seeds name them: `adm` a human operator, `agt` an agent acting for
 * someone, `atm` an automation (CI, a schedule). Carried on records, labels and State Hub events.
 */
export const ActorType = z.enum(['adm', 'agt', 'atm']);
export type ActorType = z.infer<typeof ActorType>;

/** Who/what created the sandbox: used for ownership labels and for scoping reaping. */
export const Owner = z
  .object({
    scope: z.string(),
    repository: z.string().optional(),
    run_id: z.string().optional(),
    run_attempt: z.string().optional(),
    actor: z.string().optional(),
    actor_type: ActorType.optional(),
  })
  .strict();
export type Owner = z.infer<typeof Owner>;

/**
 * Who asked the HTTP API for a sandbox: the caller id and the tenancy scope of its token (docs/http-api.md,
 * "Callers and scopes"). Unset on records made by the CLI, the action or the library.
 */
export const Caller = z
  .object({
    id: z.string().min(1),
    scope: z.string().min(1),
  })
  .strict()
  .meta({
    description:
      "The HTTP API caller that created the sandbox (its token's caller id and scope); absent on CLI-made records",
  });
export type Caller = z.infer<typeof Caller>;

export const SandboxRecord = z
  .object({
    id: z.string().regex(SANDBOX_ID_RE),
    /** Bumped on every write; used for optimistic concurrency by stores that need it. */
    revision: z.number().int().nonnegative(),
    profile_id: z.string(),
    profile_version: z.string(),
    extension_id: z.string(),
    state: SandboxState,
    placement: z.record(z.string(), z.string()).default({}),
    handle: Handle.default({}),
    inputs: z.record(z.string(), z.string()).default({}),
    resources: Resources,
    labels: z.record(z.string(), z.string()).default({}),
    owner: Owner,
    created_at: Iso,
    ready_at: Iso.optional(),
    destroyed_at: Iso.optional(),
    ttl_s: z.number().int().positive().optional(),
    expires_at: Iso.optional(),
    estimate_usd: Usd.optional(),
    meter: Meter.optional(),
    route: RouteDecision.optional(),
    restored_from: z.string().optional(),
    recreated_from: z.string().optional(),
    /** Effective adapter config (manifest config overlaid by profile config). Never holds secrets, only refs. */
    config: z.record(z.string(), z.unknown()).default({}),
    error: z.object({ code: z.string(), message: z.string() }).strict().optional(),
    /** Set on a failed record while backend cleanup has not been confirmed; the reaper retries it. */
    cleanup_pending: z.boolean().optional(),
    /** Set when a teardown was requested explicitly (e.g. by teardown-sandbox) so a later post step skips it. */
    teardown_requested_by: z.string().optional(),
    /**
     * Who runs this record's provision: a `sandboxer serve` replica's id (see src/state/replicas/; once that
     * replica is gone, the one holding the reaper lock finishes the record), or `process:<host>/<pid>` for a CLI
     * or action process (once that process is gone from its host, the next reap pass there finishes it).
     */
    provisioner: z.string().optional(),
    /** The HTTP API caller that created it (its scope decides who may see it over HTTP); unset for CLI records. */
    caller: Caller.optional(),
    history: z.array(Transition),
  })
  .strict();
export type SandboxRecord = z.infer<typeof SandboxRecord>;

export const SnapshotRecord = z
  .object({
    id: z.string().regex(SNAPSHOT_ID_RE),
    sandbox_id: z.string(),
    profile_id: z.string(),
    extension_id: z.string(),
    name: z.string().optional(),
    created_at: Iso,
    /** When the backend deletes it by itself (a provider-side lifetime): past it, it is no longer available. */
    expires_at: Iso.optional(),
    state: z.enum(['available', 'deleted']),
    handle: Handle,
  })
  .strict();
export type SnapshotRecord = z.infer<typeof SnapshotRecord>;
