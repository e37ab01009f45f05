import { SandboxerError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { mapLimit } from '../../core/pool.ts';
import { parseArtifactName } from './names.ts';

/** A sandbox-record artifact of any workflow run in the repository, as the REST API lists it. */
export interface RepoArtifact {
  id: number;
  name: string;
  sandboxId: string;
  attempt: number;
  runId: number;
  createdAt?: string;
  expired: boolean;
}

interface RestArtifact {
  id: number;
  name: string;
  expired: boolean;
  created_at: string | null;
  workflow_run?: { id?: number } | null;
}

/**
 * Writes pass this gate instead of plugin-throttling's own write queue (one at a time, a second apart: 100
 * deletes took 99 s). Deletes are bounded by `deleteMany`'s pool instead; primary and secondary rate limits are
 * still waited out by the plugin (its retry limiter wraps every request).
 */
const WRITE_GATE = {
  key: () => ({ schedule: <T>(_opts: unknown, fn: () => Promise<T>) => fn() }),
};

/** Deletes in flight at once: well under the 100 concurrent requests and 900 points a minute GitHub allows. */
export const DELETE_CONCURRENCY = 6;

/**
 * Repo-wide listing and deletion of sandbox-record artifacts over REST (the artifact client only sees one run),
 * and the runs they came from. Octokit carries plugin-throttling and plugin-retry: GITHUB_TOKEN has 1,000
 * requests/hour per repository, shared by every workflow, so rate limits are waited out (bounded) instead of
 * failing the reaper.
 */
export class RepoArtifacts {
  private octokitPromise: Promise<Octo> | undefined;

  constructor(
    private readonly opts: { token: string; repository: string; log: Logger; maxRetries?: number },
  ) {
    if (!/^[^/\s]+\/[^/\s]+$/.test(opts.repository))
      throw new SandboxerError('usage', `repository '${opts.repository}' is not owner/name`, {
        exitCode: 2,
        hint: 'run inside GitHub Actions (GITHUB_REPOSITORY) or set it',
      });
  }

  get owner(): string {
    return this.opts.repository.split('/')[0]!;
  }
  get repo(): string {
    return this.opts.repository.split('/')[1]!;
  }

  private octokit(): Promise<Octo> {
    this.octokitPromise ??= (async () => {
      const [{ getOctokit }, { throttling }, { retry }] = await Promise.all([
        import('@actions/github'),
        import('@octokit/plugin-throttling'),
        import('@octokit/plugin-retry'),
      ]);
      const log = this.opts.log;
      const maxRetries = this.opts.maxRetries ?? 2;
      const limit =
        (kind: string) =>
        (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
          log.warn(
            `${kind} rate limit on ${options.method} ${options.url}: retry ${retryCount + 1} after ${retryAfter}s`,
          );
          return retryCount < maxRetries && retryAfter <= 120;
        };
      return getOctokit(
        this.opts.token,
        {
          throttle: {
            onRateLimit: limit('primary'),
            onSecondaryRateLimit: limit('secondary'),
            write: WRITE_GATE,
          },
          retry: { retries: maxRetries },
        },
        throttling,
        retry,
      ) as unknown as Octo;
    })();
    return this.octokitPromise;
  }

  /** Every unexpired sandbox-record artifact in the repository (all pages). */
  async list(): Promise<RepoArtifact[]> {
    const octokit = await this.octokit();
    const out: RepoArtifact[] = [];
    for (let page = 1; ; page++) {
      const res = await octokit.request('GET /repos/{owner}/{repo}/actions/artifacts', {
        owner: this.owner,
        repo: this.repo,
        per_page: 100,
        page,
      });
      const data = res.data as { total_count: number; artifacts: RestArtifact[] };
      for (const a of data.artifacts) {
        const parsed = parseArtifactName(a.name);
        if (!parsed || a.expired) continue;
        out.push({
          id: a.id,
          name: a.name,
          ...parsed,
          runId: a.workflow_run?.id ?? 0,
          ...(a.created_at ? { createdAt: a.created_at } : {}),
          expired: a.expired,
        });
      }
      if (data.artifacts.length < 100 || page * 100 >= data.total_count) break;
    }
    return out;
  }

  /** One REST request through the throttled, retried client (e.g. `GET /repos/{owner}/{repo}/actions/runs/{run_id}`). */
  async request(route: string, params: Record<string, unknown>): Promise<{ status: number; data: unknown }> {
    return (await this.octokit()).request(route, params);
  }

  /** Delete artifacts, `DELETE_CONCURRENCY` at a time; returns the ids deleted and an error per failure. */
  async deleteMany(ids: number[]): Promise<{ deleted: number[]; errors: string[] }> {
    const deleted: number[] = [];
    const errors: string[] = [];
    await mapLimit(ids, DELETE_CONCURRENCY, async (id) => {
      try {
        await this.delete(id);
        deleted.push(id);
      } catch (err) {
        errors.push((err as Error).message);
      }
    });
    return { deleted, errors };
  }

  /** Delete one artifact; an artifact that is already gone counts as deleted. */
  async delete(artifactId: number): Promise<void> {
    const octokit = await this.octokit();
    try {
      await octokit.request('DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}', {
        owner: this.owner,
        repo: this.repo,
        artifact_id: artifactId,
      });
    } catch (err) {
      if ((err as { status?: number }).status === 404) return;
      throw new SandboxerError(
        'state_store',
        `deleting artifact ${artifactId} failed: ${(err as Error).message}`,
        {
          retryable: true,
          hint: 'the workflow needs permissions: actions: write',
          cause: err,
        },
      );
    }
  }
}

interface Octo {
  request(route: string, params: Record<string, unknown>): Promise<{ status: number; data: unknown }>;
}
