import type { Owner } from './record.ts';

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
    ...(input.expiresAt ? { [LABEL.expiresAt]: input.expiresAt } : {}),
  };
}

/** The owner of sandboxes created by this process: the GitHub run when in Actions, else this user@host. */
export function ownerFromEnv(env: NodeJS.ProcessEnv = process.env, hostname = 'localhost'): Owner {
  const repository = env.GITHUB_REPOSITORY;
  return {
    scope:
      env.SANDBOXER_SCOPE ??
      (repository ? `github:${repository}` : `local:${env.USER ?? 'user'}@${hostname}`),
    ...(repository ? { repository } : {}),
    ...(env.GITHUB_RUN_ID ? { run_id: env.GITHUB_RUN_ID } : {}),
    ...(env.GITHUB_RUN_ATTEMPT ? { run_attempt: env.GITHUB_RUN_ATTEMPT } : {}),
    ...(env.GITHUB_ACTOR ? { actor: env.GITHUB_ACTOR } : {}),
  };
}

/** Whether an object's labels carry every key/value of `filter` (how `list` filters by ownership labels). */
export const matchesLabels = (labels: Record<string, string>, filter: Record<string, string>): boolean =>
  Object.entries(filter).every(([k, v]) => labels[k] === v);
