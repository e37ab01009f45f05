import { SANDBOX_ID_RE, SNAPSHOT_ID_RE } from '../core/ids.ts';
import * as z from 'zod';
import { ProfileId, RouteStrategy } from '../catalog/schema.ts';
import { parseDurationSeconds } from '../core/duration.ts';
import { SandboxRecord, SandboxState, SnapshotRecord } from '../core/record.ts';

/**
 * Request and response bodies of the HTTP API. These zod schemas validate requests and are the source of the
 * OpenAPI document (openapi.ts), so the two cannot drift.
 */

export const SandboxId = z
  .string()
  .regex(SANDBOX_ID_RE, 'a sandbox id looks like sbx-xxxxxxxxxxxx (12 lowercase letters or digits)');
export const SnapshotId = z
  .string()
  .regex(SNAPSHOT_ID_RE, 'a snapshot id looks like snap-xxxxxxxxxxxx (12 lowercase letters or digits)');

const isDuration = (v: string): boolean => {
  try {
    parseDurationSeconds(v);
    return true;
  } catch {
    return false;
  }
};

export const Duration = z
  .string()
  .min(1)
  .max(32)
  .refine(isDuration, 'must be a positive duration with a unit, e.g. 90s, 30m, 2h or 1d')
  .meta({ description: 'A duration with a unit: 90s, 30m, 2h, 1d', examples: ['30m'] });

const MAX_ENTRIES = 32;
const bounded = <T extends z.ZodType>(schema: T, what: string) =>
  schema.refine(
    (v) => Object.keys(v as object).length <= MAX_ENTRIES,
    `at most ${MAX_ENTRIES} ${what} are accepted`,
  );

const InputName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'input names are snake_case');
/** Label keys the backend can carry; the io.sandboxer.* namespace is reserved for ownership labels. */
const LabelKey = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$/, 'label keys are lowercase [a-z0-9._/-], at most 63 long')
  .refine((k) => !k.startsWith('io.sandboxer.'), 'the io.sandboxer.* label namespace is reserved');
const LabelValue = z
  .string()
  .max(63)
  .regex(/^[A-Za-z0-9._:@/-]*$/, 'label values are [A-Za-z0-9._:@/-]*');

export const CreateSandboxRequest = z
  .object({
    profile: ProfileId.optional().meta({ description: 'Profile id; the catalog default when omitted' }),
    inputs: bounded(z.record(InputName, z.string().max(4096)), 'inputs').optional(),
    ttl: Duration.optional(),
    route: RouteStrategy.optional(),
    labels: bounded(z.record(LabelKey, LabelValue), 'labels').optional(),
  })
  .strict();
export type CreateSandboxRequest = z.infer<typeof CreateSandboxRequest>;

export const RecreateRequest = z.object({}).strict();

export const SnapshotRequest = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'names are [A-Za-z0-9._-], at most 63 long')
      .optional(),
  })
  .strict();

export const RestoreRequest = z.object({ ttl: Duration.optional() }).strict();

export const ExtendTtlRequest = z
  .object({ by: Duration.meta({ description: 'How much longer the sandbox may live', examples: ['30m'] }) })
  .strict();

/** `GET /v1/sandboxes` query. Repeated or comma-separated `state`; `all=true` includes terminal records. */
export const ListSandboxesQuery = z
  .object({
    state: z.array(SandboxState).optional(),
    profile: ProfileId.optional(),
    all: z.enum(['true', 'false']).optional(),
  })
  .strict();

/** `GET /v1/snapshots` query: available snapshots by default, `all=true` includes deleted ones. */
export const ListSnapshotsQuery = z
  .object({
    sandbox: SandboxId.optional(),
    all: z.enum(['true', 'false']).optional(),
  })
  .strict();

export const ApiErrorBody = z
  .object({
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        hint: z.string().optional(),
        retryable: z.boolean(),
        issues: z.array(z.object({ path: z.string(), message: z.string() }).strict()).optional(),
      })
      .strict(),
  })
  .strict();
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

export const SandboxList = z.object({ sandboxes: z.array(SandboxRecord) }).strict();
export const SnapshotList = z.object({ snapshots: z.array(SnapshotRecord) }).strict();
export const ExtendTtlResponse = z
  .object({ record: SandboxRecord, pushed: z.boolean(), note: z.string().optional() })
  .strict();
export const Health = z
  .object({
    status: z.enum(['ok', 'draining']),
    version: z.string(),
    in_flight: z.number().int().nonnegative(),
  })
  .strict();

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');
const ServiceName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a compose service name')
  .max(128);
const RemotePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !/[\0\n\r]/.test(p), 'no NUL or newline');

export const ExecRequestBody = z
  .object({
    argv: z.array(z.string().max(65_536)).min(1).max(1024).optional(),
    shell: z.string().min(1).max(65_536).optional(),
    service: ServiceName.optional(),
    cwd: RemotePath.optional(),
    env: bounded(z.record(EnvName, z.string().max(65_536)), 'environment variables').optional(),
    /** UTF-8 text sent to the command's stdin, then closed. */
    stdin: z.string().max(1_000_000).optional(),
    timeout_s: z.number().int().positive().max(86_400).optional(),
  })
  .strict()
  .refine((b) => (b.argv === undefined) !== (b.shell === undefined), 'give exactly one of argv or shell')
  .meta({ description: 'A command for POST /v1/sandboxes/{id}/exec: argv (no shell) or shell (sh -c).' });

export const Endpoint = z
  .object({
    service: z.string(),
    port: z.number().int(),
    host: z.string(),
    host_port: z.number().int(),
    protocol: z.enum(['tcp', 'http']),
    url: z.string().optional(),
    secret: z.boolean().optional(),
  })
  .strict();
export const EndpointList = z.object({ endpoints: z.array(Endpoint) }).strict();
export const LogsQuery = z
  .object({
    service: ServiceName.optional(),
    tail: z.coerce.number().int().nonnegative().max(100_000).optional(),
    since: z.string().max(40).optional(),
    follow: z.enum(['true', 'false']).optional(),
  })
  .strict();
export const FilesQuery = z.object({ path: RemotePath, service: ServiceName.optional() }).strict();

/** Named schemas of the OpenAPI document's components. */
export const requestSchemas = {
  CreateSandboxRequest,
  RecreateRequest,
  SnapshotRequest,
  RestoreRequest,
  ExtendTtlRequest,
  ExecRequestBody,
} as const;

export const responseSchemas = {
  SandboxRecord,
  SnapshotRecord,
  SandboxList,
  SnapshotList,
  ExtendTtlResponse,
  Health,
  EndpointList,
  Error: ApiErrorBody,
} as const;

export type SchemaName = keyof typeof requestSchemas | keyof typeof responseSchemas;
