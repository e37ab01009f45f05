import { readFile } from 'node:fs/promises';
import type { CredentialSpec } from '../catalog/schema.ts';
import { CancelledError, SandboxerError } from '../core/errors.ts';
import type { Secrets } from '../extensions/contract.ts';

export interface MissingCredential {
  name: string;
  secret_ref: string;
  reason: string;
}

export interface ResolvedCredentials {
  secrets: Secrets;
  missing: MissingCredential[];
}

/** What a scheme is given besides the ref: the environment, cancellation, and a way to mask derived values. */
export interface SchemeContext {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Masks a value the scheme obtained on the way (a login token, an OIDC JWT) like a resolved secret. */
  mask?: (value: string) => void;
}

/** The outcome of a cheap, fetch-free check of one ref. `unknown`: only fetching can tell. */
export interface Precheck {
  status: 'ok' | 'missing' | 'unknown';
  reason?: string;
}

/** A secret_ref scheme: turns the part after `scheme:` into a value, or explains why it cannot. */
export interface SecretScheme {
  readonly scheme: string;
  resolve(ref: string, ctx: SchemeContext): Promise<string>;
  /** Cheap check without fetching (routing); absent means "only known by fetching". */
  precheck?(ref: string, env: NodeJS.ProcessEnv): Precheck;
}

/** Reasons never include values. */
export class SecretUnavailable extends SandboxerError {
  readonly reason: string;
  constructor(ref: string, reason: string, opts: { retryable?: boolean } = {}) {
    super('credentials', `secret_ref '${ref}' cannot be resolved: ${reason}`, {
      hint: 'set the referenced secret (see docs/payments.md, BYOK credentials)',
      ...opts,
    });
    this.reason = reason;
  }
}

export const envScheme: SecretScheme = {
  scheme: 'env',
  async resolve(name, { env }) {
    const v = env[name];
    if (v === undefined || v === '')
      throw new SecretUnavailable(`env:${name}`, `environment variable ${name} is not set`);
    return v;
  },
  precheck: (name, env) =>
    env[name] !== undefined && env[name] !== ''
      ? { status: 'ok' }
      : { status: 'missing', reason: `environment variable ${name} is not set` },
};

export const fileScheme: SecretScheme = {
  scheme: 'file',
  async resolve(path) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new SecretUnavailable(
        `file:${path}`,
        `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    const value = text.replace(/\r?\n$/, '');
    if (value === '') throw new SecretUnavailable(`file:${path}`, 'the file is empty');
    return value;
  },
};

class MapSecrets implements Secrets {
  constructor(private readonly values: Map<string, string>) {}
  get(name: string) {
    return this.values.get(name);
  }
  has(name: string) {
    return this.values.has(name);
  }
  // Keep values out of accidental JSON.stringify / console.log / util.inspect of a context.
  toJSON() {
    return `[secrets: ${[...this.values.keys()].join(', ')}]`;
  }
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toJSON();
  }
}

export const emptySecrets: Secrets = new MapSecrets(new Map());

/** The status of one credential of a candidate, as routing reports it. Never holds the value. */
export interface CredentialCheck {
  name: string;
  secret_ref: string;
  required: boolean;
  status: 'ok' | 'missing';
  reason?: string;
}

/**
 * Values one operation has already resolved, by secret_ref: a create checks credentials while routing and
 * resolves them again for the attempt, and a Vault read should happen once. It lives as long as that operation
 * (in memory, like the resolved secrets themselves) and is never persisted.
 */
export type CredentialMemo = Map<string, string>;

export interface ResolveContext {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  memo?: CredentialMemo;
}

export class CredentialResolver {
  private readonly schemes = new Map<string, SecretScheme>();
  /** Called with every resolved value (e.g. core.setSecret in Actions) before anyone else sees it. */
  onResolved: ((value: string) => void) | undefined;

  constructor(schemes: SecretScheme[] = [envScheme, fileScheme]) {
    for (const s of schemes) this.schemes.set(s.scheme, s);
  }

  register(scheme: SecretScheme): this {
    this.schemes.set(scheme.scheme, scheme);
    return this;
  }

  private split(ref: string): [SecretScheme | undefined, string] {
    const i = ref.indexOf(':');
    return [this.schemes.get(ref.slice(0, i)), ref.slice(i + 1)];
  }

  private unknownScheme(ref: string): string {
    return `unknown scheme '${ref.slice(0, Math.max(ref.indexOf(':'), 0))}' (known: ${[...this.schemes.keys()].join(', ')})`;
  }

  /**
   * The status of each spec. Refs a cheap precheck cannot decide are fetched, so a candidate is only called
   * usable when its secrets really resolve; the value is dropped, or kept in `ctx.memo` for the same operation.
   */
  async check(specs: CredentialSpec[], ctx: ResolveContext): Promise<CredentialCheck[]> {
    const out: CredentialCheck[] = [];
    for (const spec of specs) {
      const base = { name: spec.name, secret_ref: spec.secret_ref, required: spec.required };
      const [scheme, rest] = this.split(spec.secret_ref);
      if (!scheme) {
        out.push({ ...base, status: 'missing', reason: this.unknownScheme(spec.secret_ref) });
        continue;
      }
      const pre = scheme.precheck?.(rest, ctx.env);
      if (pre && pre.status !== 'unknown') {
        out.push({ ...base, status: pre.status, ...(pre.reason ? { reason: pre.reason } : {}) });
        continue;
      }
      const { missing } = await this.resolve([{ ...spec, required: true }], ctx);
      out.push(
        missing[0] ? { ...base, status: 'missing', reason: missing[0].reason } : { ...base, status: 'ok' },
      );
    }
    return out;
  }

  async resolve(specs: CredentialSpec[], ctx: ResolveContext): Promise<ResolvedCredentials> {
    const values = new Map<string, string>();
    const missing: MissingCredential[] = [];
    const mask = (v: string) => this.onResolved?.(v);
    for (const spec of specs) {
      const [scheme, rest] = this.split(spec.secret_ref);
      try {
        if (!scheme) throw new SecretUnavailable(spec.secret_ref, this.unknownScheme(spec.secret_ref));
        const value = ctx.memo?.get(spec.secret_ref) ?? (await scheme.resolve(rest, { ...ctx, mask }));
        ctx.memo?.set(spec.secret_ref, value);
        mask(value);
        values.set(spec.name, value);
      } catch (err) {
        // A caller's cancellation is not a missing credential; a deadline running out is (the backend may
        // still be tried again or another candidate used).
        const timedOut = (ctx.signal?.reason as Error | undefined)?.name === 'TimeoutError';
        if (ctx.signal?.aborted && !timedOut) throw new CancelledError('credential resolution cancelled');
        if (!spec.required) continue;
        // Only our own reasons are shown: anything else might quote what it was handling.
        const reason = timedOut
          ? 'timed out'
          : err instanceof SecretUnavailable
            ? err.reason
            : 'resolution failed';
        missing.push({ name: spec.name, secret_ref: spec.secret_ref, reason });
      }
    }
    return { secrets: new MapSecrets(values), missing };
  }
}

export function missingCredentialsError(extensionId: string, missing: MissingCredential[]): SandboxerError {
  return new SandboxerError(
    'credentials',
    `${extensionId}: required credential${missing.length > 1 ? 's' : ''} not available: ${missing
      .map((m) => `${m.name} (${m.secret_ref}: ${m.reason})`)
      .join('; ')}`,
    {
      hint: 'set the referenced secret (see docs/payments.md, BYOK credentials) or pick another profile/route',
    },
  );
}
