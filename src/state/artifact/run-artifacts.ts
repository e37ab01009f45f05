import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactClient } from '@actions/artifact';
import { SandboxerError } from '../../core/errors.ts';
import { SandboxRecord } from '../../core/record.ts';
import type { RecordMirror } from './mirrored-store.ts';
import { artifactName, parseArtifactName } from './names.ts';

/** Whether this process can reach the workflow run's artifact service (JavaScript actions only). */
export function hasArtifactRuntime(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL);
}

let clientPromise: Promise<ArtifactClient> | undefined;

/** The SDK is large: it is loaded on first use, so the CLI and `state-store: none` never pay for it. */
export function artifactClient(): Promise<ArtifactClient> {
  clientPromise ??= import('@actions/artifact').then((m) => new m.DefaultArtifactClient());
  return clientPromise;
}

export interface FoundArtifact {
  id: number;
  name: string;
  sandboxId: string;
  attempt: number;
}

/** Sandbox records stored as artifacts of the current workflow run (Twirp API, scoped by the runtime token). */
export class RunArtifacts implements RecordMirror {
  readonly kind = 'artifact';
  constructor(
    private readonly opts: { attempt: string; retentionDays?: number; tmp?: string } = { attempt: '1' },
  ) {}

  private async scratch(): Promise<string> {
    return mkdtemp(join(this.opts.tmp ?? tmpdir(), 'sandboxer-artifact-'));
  }

  /** Upload (or replace) the record of one sandbox. Artifacts are immutable: a replace deletes first. */
  async put(record: SandboxRecord, replace: boolean): Promise<number> {
    const client = await artifactClient();
    const name = artifactName(record.id, this.opts.attempt);
    if (replace) await this.deleteByName(name);
    const dir = await this.scratch();
    try {
      await writeFile(join(dir, name), JSON.stringify(SandboxRecord.parse(record)));
      const upload = () =>
        client.uploadArtifact(name, [join(dir, name)], dir, {
          skipArchive: true,
          ...(this.opts.retentionDays ? { retentionDays: this.opts.retentionDays } : {}),
        });
      try {
        return (await upload()).id ?? 0;
      } catch (err) {
        // Another step of this job (the main, when this is the post) uploaded it: replace it.
        if (replace || !(err instanceof Error && /\(409\)|already exists/i.test(err.message))) throw err;
        await this.deleteByName(name);
        return (await upload()).id ?? 0;
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async list(): Promise<FoundArtifact[]> {
    const client = await artifactClient();
    const { artifacts } = await client.listArtifacts();
    const out: FoundArtifact[] = [];
    for (const a of artifacts) {
      const parsed = parseArtifactName(a.name);
      if (parsed) out.push({ id: a.id, name: a.name, ...parsed });
    }
    return out;
  }

  /** The newest record of a sandbox in this run (highest attempt), or undefined. */
  async find(sandboxId: string): Promise<{ record: SandboxRecord; artifact: FoundArtifact } | undefined> {
    const found = (await this.list())
      .filter((a) => a.sandboxId === sandboxId)
      .sort((a, b) => b.attempt - a.attempt)[0];
    if (!found) return undefined;
    return { record: await this.download(found.id), artifact: found };
  }

  async download(
    artifactId: number,
    findBy?: { token: string; workflowRunId: number; repositoryOwner: string; repositoryName: string },
  ): Promise<SandboxRecord> {
    const client = await artifactClient();
    const dir = await this.scratch();
    try {
      await client.downloadArtifact(artifactId, { path: dir, ...(findBy ? { findBy } : {}) });
      const files = await readdir(dir);
      if (files.length !== 1)
        throw new SandboxerError(
          'state_store',
          `artifact ${artifactId} holds ${files.length} files, not one record`,
        );
      const parsed = SandboxRecord.safeParse(JSON.parse(await readFile(join(dir, files[0]!), 'utf8')));
      if (!parsed.success)
        throw new SandboxerError('state_store', `artifact ${artifactId} does not hold a sandbox record`, {
          hint: 'it was written by an incompatible version; delete it from the run if the sandbox is gone',
        });
      return parsed.data;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Delete one artifact of this run by name; a missing artifact is not an error. */
  async deleteByName(name: string): Promise<boolean> {
    const client = await artifactClient();
    try {
      await client.deleteArtifact(name);
      return true;
    } catch (err) {
      if (err instanceof Error && (err.name === 'ArtifactNotFoundError' || /not found/i.test(err.message)))
        return false;
      throw err;
    }
  }

  retire(record: SandboxRecord): Promise<number> {
    return this.deleteSandbox(record.id);
  }

  /** Delete every attempt's artifact of a sandbox in this run. */
  async deleteSandbox(sandboxId: string): Promise<number> {
    let n = 0;
    for (const a of await this.list())
      if (a.sandboxId === sandboxId && (await this.deleteByName(a.name))) n++;
    return n;
  }
}
