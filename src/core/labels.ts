import { SandboxerError } from './errors.ts';
import { ActorType, type Owner } from './record.ts';

/** Ownership labels put on every backend object, so reaping can find ours (and only ours). */
export const LABEL = {
  managed: 'io.sandboxer.managed',
  sandboxId: 'io.sandboxer.sandbox-id',
  profile: 'io.sandboxer.profile',
  scope: 'io.sandboxer.scope',
  repository: 'io.sandboxer.repository',
  runId: 'io.sandboxer.run-id',
  runAttempt: 'io.sandboxer.run-attempt',
  expiresAt: 'io.sandboxer.expires-at',
  /** When the backend object was made, for backends whose listing has no creation time (Modal). */
  createdAt: 'io.sandboxer.created-at',
  actorType: 'io.sandboxer.actor-type',
  /** On a record only: why the setup post kept the sandbox past its job (it then lives to its TTL). */
  kept: 'io.sandboxer.kept',
} as const;

export function ownershipLabels(input: {
  sandboxId: string;
  profileId: string;
  owner: Owner;
  expiresAt?: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  const { owner } = input;
  return {
    ...(input.extra ?? {}),
    [LABEL.managed]: 'true',
    [LABEL.sandboxId]: input.sandboxId,
    [LABEL.profile]: input.profileId,
    [LABEL.scope]: owner.scope,
    ...(owner.repository ? { [LABEL.repository]: owner.repository } : {}),
    ...(owner.run_id ? { [LABEL.runId]: owner.run_id } : {}),
    ...(owner.run_attempt ? { [LABEL.runAttempt]: owner.run_attempt } : {}),
    ...(owner.actor_type ? { [LABEL.actorType]: owner.actor_type } : {}),
    ...(input.expiresAt ? { [LABEL.expiresAt]: input.expiresAt } : {}),
  };
}

/**
 * The actor type of this process: `SANDBOXER_ACTOR_TYPE` when set (an agent gateway sets `agt`), `atm` under
 * GitHub Actions or any CI, else `adm` (a person at a terminal).
 */
export function actorTypeFromEnv(env: NodeJS.ProcessEnv = process.env): ActorType {
  const given = env.SANDBOXER_ACTOR_TYPE;
  if (given !== undefined && given !== '') {
    const parsed = ActorType.safeParse(given);
    if (!parsed.success)
      throw new SandboxerError(
        'usage',
        `SANDBOXER_ACTOR_TYPE must be adm, agt or atm (got ${JSON.stringify(given.slice(0, 20))})`,
        {
          hint: 'adm: a human operator, agt: an agent, atm: an automation such as CI',
        },
      );
    return parsed.data;
  }
  return env.GITHUB_ACTIONS === 'true' || env.CI === 'true' ? 'atm' : 'adm';
}

/**
 * The owner of sandboxes created by this process: the GitHub run when in Actions, else this user@host and the
 * state store's id (`storeId`), so installations with different state stores have different scopes; a store
 * many machines share (`shared`, PostgreSQL) is its own scope, so every replica and team member on it is one.
 */
export function ownerFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  hostname = 'localhost',
  storeId?: string,
  shared = false,
): Owner {
  const repository = env.GITHUB_REPOSITORY;
  return {
    actor_type: actorTypeFromEnv(env),
    scope:
      env.SANDBOXER_SCOPE ??
      (repository
        ? `github:${repository}`
        : shared && storeId
          ? `store:${storeId}`
          : `local:${env.USER ?? 'user'}@${hostname}${storeId ? `/${storeId}` : ''}`),
    ...(repository ? { repository } : {}),
    ...(env.GITHUB_RUN_ID ? { run_id: env.GITHUB_RUN_ID } : {}),
    ...(env.GITHUB_RUN_ATTEMPT ? { run_attempt: env.GITHUB_RUN_ATTEMPT } : {}),
    ...(env.GITHUB_ACTOR ? { actor: env.GITHUB_ACTOR } : {}),
  };
}

/** Whether an object's labels carry every key/value of `filter` (how `list` filters by ownership labels). */
export const matchesLabels = (labels: Record<string, string>, filter: Record<string, string>): boolean =>
  Object.entries(filter).every(([k, v]) => labels[k] === v);
