import type * as z from 'zod';
import { accessRoutes } from './access-routes.ts';
import type { Reply, Route } from './route.ts';
import type { SandboxRecord, SandboxState } from '../core/record.ts';
import { isTerminal, LIVE_STATES } from '../core/lifecycle.ts';
import {
  CreateSandboxRequest,
  ExtendTtlRequest,
  ListSandboxesQuery,
  ListSnapshotsQuery,
  RestoreRequest,
  SandboxId,
  SnapshotId,
  SnapshotRequest,
} from './schemas.ts';
import { ownSnapshots, recordedCaller, visibleTo } from './tenancy.ts';

export type { Reply, Route, RouteContext } from './route.ts';

const sandboxLocation = (r: SandboxRecord) => ({ Location: `/v1/sandboxes/${r.id}` });
const accepted = (r: SandboxRecord): Reply => ({ status: 202, body: r, headers: sandboxLocation(r) });
const POLL =
  'Answers once the record exists; poll GET /v1/sandboxes/{id} until the state is ready or failed.';

export const routes: Route[] = [
  ...accessRoutes,
  {
    method: 'POST',
    path: '/v1/sandboxes',
    operationId: 'createSandbox',
    summary: 'Create a sandbox from a profile',
    description: `The record is returned in state \`requested\` and provisioning continues in the background. ${POLL}`,
    mutating: true,
    body: 'CreateSandboxRequest',
    responses: { 202: { description: 'Accepted: the new record', schema: 'SandboxRecord' } },
    errors: [402, 409, 422, 503],
    async handle({ body, manager, work, caller, paths }) {
      const b = body as z.infer<typeof CreateSandboxRequest>;
      const record = await work.startProvision('create', ({ signal, onCreated }) =>
        manager.create({
          ...(b.profile ? { profileId: b.profile } : {}),
          inputs: b.inputs ?? {},
          ...(b.ttl ? { ttl: b.ttl } : {}),
          ...(b.route ? { route: b.route } : {}),
          ...(b.labels ? { labels: b.labels } : {}),
          caller: recordedCaller(caller),
          paths,
          signal,
          onCreated,
        }),
      );
      return accepted(record);
    },
  },
  {
    method: 'GET',
    path: '/v1/sandboxes',
    operationId: 'listSandboxes',
    summary: 'List sandboxes',
    description:
      'Live sandboxes (requested, provisioning, ready, destroying) by default; `all=true` lists every record, ' +
      '`state` (repeatable or comma-separated) and `profile` filter. Only the records of the caller’s scope ' +
      '(every record for an admin token).',
    query: ListSandboxesQuery,
    responses: { 200: { description: 'The matching records', schema: 'SandboxList' } },
    async handle({ query, manager, caller }) {
      const q = query as z.infer<typeof ListSandboxesQuery>;
      const state: SandboxState[] | undefined = q.state ?? (q.all === 'true' ? undefined : [...LIVE_STATES]);
      const all = await manager.list({
        ...(state ? { state } : {}),
        ...(q.profile ? { profileId: q.profile } : {}),
      });
      return { status: 200, body: { sandboxes: all.filter((r) => visibleTo(caller, r)) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/sandboxes/{id}',
    operationId: 'getSandbox',
    summary: 'Get one sandbox record (poll this for the state of long operations)',
    owned: 'sandbox',
    params: { id: SandboxId },
    responses: { 200: { description: 'The record', schema: 'SandboxRecord' } },
    errors: [404],
    async handle({ params, manager }) {
      return { status: 200, body: await manager.get(params.id!) };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/sandboxes/{id}',
    operationId: 'destroySandbox',
    summary: 'Destroy a sandbox (idempotent)',
    description:
      'Answers 202 once the teardown has started (state `destroying`) and finishes it in the background; poll ' +
      'until `destroyed`. A sandbox this server is still provisioning is cancelled first: it ends `failed` with ' +
      'error code `cancelled` after what was made is torn down. An already final record answers 200.',
    mutating: true,
    owned: 'sandbox',
    params: { id: SandboxId },
    responses: {
      200: { description: 'Already final: nothing to do', schema: 'SandboxRecord' },
      202: { description: 'Accepted: teardown in progress', schema: 'SandboxRecord' },
    },
    errors: [404, 409, 503],
    async handle({ params, work }) {
      const record = await work.startDestroy(params.id!);
      const final = isTerminal(record.state) && !record.cleanup_pending;
      return { status: final ? 200 : 202, body: record, headers: sandboxLocation(record) };
    },
  },
  {
    method: 'POST',
    path: '/v1/sandboxes/{id}/recreate',
    operationId: 'recreateSandbox',
    summary: 'Destroy a sandbox (if live) and create a new one with the same profile, inputs and TTL',
    description: `The answer is the new record (its \`recreated_from\` names the old one), given once the old sandbox is torn down. ${POLL}`,
    mutating: true,
    owned: 'sandbox',
    params: { id: SandboxId },
    body: 'RecreateRequest',
    responses: { 202: { description: 'Accepted: the new record', schema: 'SandboxRecord' } },
    errors: [404, 409, 422, 503],
    async handle({ params, manager, work, caller, paths }) {
      await work.cancelProvision(params.id!);
      const record = await work.startProvision('recreate', ({ signal, onCreated }) =>
        manager.recreate(params.id!, { caller: recordedCaller(caller), paths, signal, onCreated }),
      );
      return accepted(record);
    },
  },
  {
    method: 'POST',
    path: '/v1/sandboxes/{id}/snapshot',
    operationId: 'snapshotSandbox',
    summary: 'Snapshot a ready sandbox',
    description: 'Answers when the backend has taken the snapshot (snapshots have no pending state to poll).',
    mutating: true,
    owned: 'sandbox',
    params: { id: SandboxId },
    body: 'SnapshotRequest',
    responses: { 201: { description: 'The snapshot', schema: 'SnapshotRecord' } },
    errors: [404, 409, 422, 502, 503],
    async handle({ params, body, manager }) {
      const b = body as z.infer<typeof SnapshotRequest>;
      const snap = await manager.snapshot(params.id!, b.name);
      return { status: 201, body: snap, headers: { Location: `/v1/snapshots/${snap.id}` } };
    },
  },
  {
    method: 'POST',
    path: '/v1/sandboxes/{id}/extend-ttl',
    operationId: 'extendSandboxTtl',
    summary: "Extend a live sandbox's TTL",
    description:
      '`pushed` tells whether the backend enforces the new expiry itself; `note` explains when not.',
    mutating: true,
    owned: 'sandbox',
    params: { id: SandboxId },
    body: 'ExtendTtlRequest',
    responses: { 200: { description: 'The updated record', schema: 'ExtendTtlResponse' } },
    errors: [404, 409, 502, 503],
    async handle({ params, body, manager }) {
      const b = body as z.infer<typeof ExtendTtlRequest>;
      return { status: 200, body: await manager.extendTtl(params.id!, b.by) };
    },
  },
  {
    method: 'GET',
    path: '/v1/snapshots',
    operationId: 'listSnapshots',
    summary: 'List snapshots',
    description:
      'Available snapshots by default; `all=true` includes deleted ones, `sandbox` filters by source. Only ' +
      "snapshots of the caller's scope's sandboxes (every one for an admin token).",
    query: ListSnapshotsQuery,
    responses: { 200: { description: 'The matching snapshot records', schema: 'SnapshotList' } },
    async handle({ query, manager, caller }) {
      const q = query as z.infer<typeof ListSnapshotsQuery>;
      const snapshots = await manager.listSnapshots({
        ...(q.sandbox ? { sandboxId: q.sandbox } : {}),
        ...(q.all === 'true' ? { all: true } : {}),
      });
      return { status: 200, body: { snapshots: await ownSnapshots(manager, caller, snapshots) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/snapshots/{id}',
    operationId: 'getSnapshot',
    summary: 'Get one snapshot record',
    owned: 'snapshot',
    params: { id: SnapshotId },
    responses: { 200: { description: 'The snapshot', schema: 'SnapshotRecord' } },
    errors: [404],
    async handle({ params, manager }) {
      return { status: 200, body: await manager.getSnapshot(params.id!) };
    },
  },
  {
    method: 'POST',
    path: '/v1/snapshots/{id}/restore',
    operationId: 'restoreSnapshot',
    summary: 'Create a new sandbox from a snapshot',
    description: `The record is returned in state \`requested\` (its \`restored_from\` names the snapshot). ${POLL}`,
    mutating: true,
    owned: 'snapshot',
    params: { id: SnapshotId },
    body: 'RestoreRequest',
    responses: { 202: { description: 'Accepted: the new record', schema: 'SandboxRecord' } },
    errors: [404, 409, 422, 503],
    async handle({ params, body, manager, work, caller }) {
      const b = body as z.infer<typeof RestoreRequest>;
      const record = await work.startProvision('restore', ({ signal, onCreated }) =>
        manager.restore(params.id!, {
          ...(b.ttl ? { ttl: b.ttl } : {}),
          caller: recordedCaller(caller),
          signal,
          onCreated,
        }),
      );
      return accepted(record);
    },
  },
  {
    method: 'GET',
    path: '/healthz',
    operationId: 'health',
    summary: 'Liveness; `draining` while shutting down',
    public: true,
    responses: { 200: { description: 'Serving', schema: 'Health' } },
    async handle({ health }) {
      return { status: 200, body: health() };
    },
  },
  {
    method: 'GET',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This OpenAPI 3.1 document',
    public: true,
    responses: { 200: { description: 'The OpenAPI document', raw: true } },
    async handle({ openapi }) {
      return { status: 200, body: openapi() };
    },
  },
];

/** Split a route path into literal segments and `{param}` names. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith('{')) {
      if (g === '') return undefined;
      params[w.slice(1, -1)] = g;
    } else if (w !== g) return undefined;
  }
  return params;
}
