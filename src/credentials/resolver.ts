import { readFile } from 'node:fs/promises';
import type { CredentialSpec } from '../catalog/schema.ts';
import { SandboxerError } from '../core/errors.ts';
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

/** A secret_ref scheme: turns the part after `scheme:` into a value, or explains why it cannot. */
export interface SecretScheme {
  readonly scheme: string;
  resolve(ref: string, ctx: { env: NodeJS.ProcessEnv; signal?: AbortSignal }): Promise<string>;
  /** Cheap check without fetching (routing explain); undefined means "only known by fetching". */
  available?(ref: string, env: NodeJS.ProcessEnv): boolean | undefined;
}

/** Reasons never include values. */
export class SecretUnavailable extends SandboxerError {
  constructor(ref: string, reason: string) {
    super('credentials', `secret_ref '${ref}' cannot be resolved: ${reason}`);
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
  available: (name, env) => env[name] !== undefined && env[name] !== '',
};

export const fileScheme: SecretScheme = {
  scheme: 'file',
  async resolve(path) {
    try {
      return (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      throw new SecretUnavailable(
        `file:${path}`,
        `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
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

  /** Whether a ref looks resolvable without fetching it (undefined: can only tell by fetching). */
  available(ref: string, env: NodeJS.ProcessEnv): boolean | undefined {
    const [scheme, rest] = this.split(ref);
    if (!scheme) return false;
    return scheme.available ? scheme.available(rest, env) : undefined;
  }

  async resolve(
    specs: CredentialSpec[],
    ctx: { env: NodeJS.ProcessEnv; signal?: AbortSignal },
  ): Promise<ResolvedCredentials> {
    const values = new Map<string, string>();
    const missing: MissingCredential[] = [];
    for (const spec of specs) {
      const [scheme, rest] = this.split(spec.secret_ref);
      try {
        if (!scheme)
          throw new SecretUnavailable(
            spec.secret_ref,
            `unknown scheme (known: ${[...this.schemes.keys()].join(', ')})`,
          );
        const value = await scheme.resolve(rest, ctx);
        this.onResolved?.(value);
        values.set(spec.name, value);
      } catch (err) {
        if (!spec.required) continue;
        const reason =
          err instanceof SecretUnavailable
            ? err.message.replace(/^secret_ref '[^']*' cannot be resolved: /, '')
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
    { hint: 'set the referenced secret (see docs/payments.md, BYOK) or pick another profile/route' },
  );
}
