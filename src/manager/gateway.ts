import { getExtensionManifest, type Catalog } from '../catalog/loader.ts';
import type { ExtensionManifest, Profile } from '../catalog/schema.ts';
import type { Logger } from '../core/logger.ts';
import type { SandboxRecord } from '../core/record.ts';
import { credentialSpecsFor } from '../credentials/index.ts';
import {
  emptySecrets,
  missingCredentialsError,
  type CredentialMemo,
  type CredentialResolver,
} from '../credentials/resolver.ts';
import type { Extension, ExtensionContext, Secrets, TeardownContext } from '../extensions/contract.ts';
import type { ExtensionRegistry } from '../extensions/registry.ts';
import { bounded, detachedBound } from './bounds.ts';

export interface ContextOptions {
  signal?: AbortSignal;
  profile?: Profile;
  config?: Record<string, unknown>;
  /** Secrets the caller's run already resolved (one reaper run touching many objects). */
  memo?: CredentialMemo;
}

export interface GatewayDeps {
  catalog: Catalog;
  registry: ExtensionRegistry;
  credentials: CredentialResolver;
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** Bound on one teardown, seconds; also the bound of a context handed out by `contextFor`. */
  teardownTimeout_s: number;
}

/**
 * The one place that talks to an extension on a caller's behalf: it finds the implementation for a manifest,
 * resolves the secrets the manifest and profile ask for, builds the context and applies the bound. Used by the
 * manager's modules, the reaper, `inspect host`, `doctor` and sandbox access.
 */
export class ExtensionGateway {
  readonly teardownTimeout_s: number;

  constructor(private readonly deps: GatewayDeps) {
    this.teardownTimeout_s = deps.teardownTimeout_s;
  }

  extension(extId: string): { ext: Extension; manifest: ExtensionManifest } {
    const manifest = getExtensionManifest(this.deps.catalog, extId);
    return { ext: this.deps.registry.get(manifest), manifest };
  }

  extensionFor(record: Pick<SandboxRecord, 'extension_id'>): { ext: Extension; manifest: ExtensionManifest } {
    return this.extension(record.extension_id);
  }

  profileOrUndefined(id: string): Profile | undefined {
    return this.deps.catalog.profiles.get(id)?.value;
  }

  /** The secrets `manifest` (and `profile`) declare; a missing one is a `credentials` error naming it. */
  async secrets(
    manifest: ExtensionManifest,
    profile: Profile | undefined,
    signal?: AbortSignal,
    memo?: CredentialMemo,
  ): Promise<Secrets> {
    const specs = credentialSpecsFor(manifest, profile);
    if (specs.length === 0) return emptySecrets;
    const { secrets, missing } = await this.deps.credentials.resolve(specs, {
      env: this.deps.env,
      ...(signal ? { signal } : {}),
      ...(memo ? { memo } : {}),
    });
    if (missing.length) throw missingCredentialsError(manifest.id, missing);
    return secrets;
  }

  context(
    manifest: ExtensionManifest,
    config: Record<string, unknown>,
    secrets: Secrets,
    signal: AbortSignal,
  ): ExtensionContext {
    return { manifest, config, secrets, signal, log: this.deps.log, env: this.deps.env };
  }

  /**
   * Run `fn` on one sandbox's backend object with `secrets` (already resolved), under a bound of `ms` and the
   * caller's `signal`: the call settles no later than either.
   */
  async onSandbox<T>(
    manifest: ExtensionManifest,
    record: SandboxRecord,
    secrets: Secrets,
    bound: { ms: number; signal?: AbortSignal | undefined },
    fn: (ctx: TeardownContext) => Promise<T>,
  ): Promise<T> {
    return bounded(bound.ms, bound.signal, (signal) =>
      fn({ ...this.context(manifest, record.config, secrets, signal), sandbox: record }),
    );
  }

  /** Context for callers outside the lifecycle (reaper, inspect) that need to talk to an extension. */
  async contextFor(manifest: ExtensionManifest, opts: ContextOptions = {}): Promise<ExtensionContext> {
    const secrets = await this.secrets(manifest, opts.profile, opts.signal, opts.memo);
    const ctx = this.context(
      manifest,
      opts.config ?? { ...manifest.config, ...(opts.profile?.config ?? {}) },
      secrets,
      opts.signal ?? detachedBound(this.teardownTimeout_s * 1000),
    );
    return opts.profile ? { ...ctx, placement: opts.profile.placement } : ctx;
  }
}
