import * as z from 'zod';
import { DECIMAL_RE } from '../core/money.ts';

/**
 * The catalog's zod schemas are the single source of the Profile / ExtensionManifest types and of the JSON
 * Schemas in schemas/ (npm run schema) that editors use to complete the YAML.
 */

const SEMVER_RE = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
export const EXTENSION_ID_RE = /^ext\.[a-z0-9][a-z0-9-]*$/;
export const PROFILE_ID_RE = /^profile\.[a-z0-9][a-z0-9-]*$/;

export const ExtensionId = z
  .string()
  .regex(EXTENSION_ID_RE, 'must look like ext.<name> (lowercase, digits, -)');
export const ProfileId = z
  .string()
  .regex(PROFILE_ID_RE, 'must look like profile.<name> (lowercase, digits, -)');
const Version = z.string().regex(SEMVER_RE, 'must be a semantic version such as 1.0.0');
const Usd = z.string().regex(DECIMAL_RE, 'must be a decimal string such as "0.000014" (quote it in YAML)');

/** A reference to a secret, resolved at provision time into memory only. */
export const SecretRef = z
  .string()
  .regex(
    /^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|vault:[^#\s]+#[^#\s]+)$/,
    'must be env:NAME, file:PATH or vault:<mount>/<path>#<key>',
  );
export type SecretRef = z.infer<typeof SecretRef>;

export const CredentialSpec = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case'),
    secret_ref: SecretRef,
    required: z.boolean().default(true),
    description: z.string().optional(),
  })
  .strict();
export type CredentialSpec = z.infer<typeof CredentialSpec>;

export const Pricing = z
  .object({
    model: z.enum(['free', 'metered']),
    currency: z.literal('USD').default('USD'),
    /** Flat rate per sandbox-second, independent of resources. */
    per_second_usd: Usd.optional(),
    per_vcpu_second_usd: Usd.optional(),
    per_gib_second_usd: Usd.optional(),
    per_gpu_second_usd: Usd.optional(),
    /** Minimum billed seconds per sandbox. */
    minimum_seconds: z.number().int().nonnegative().default(0),
  })
  .strict()
  .refine(
    (p) =>
      p.model === 'free' ||
      p.per_second_usd !== undefined ||
      p.per_vcpu_second_usd !== undefined ||
      p.per_gib_second_usd !== undefined ||
      p.per_gpu_second_usd !== undefined,
    { message: 'a metered extension needs at least one per_*_usd rate' },
  );
export type Pricing = z.infer<typeof Pricing>;

export const Capabilities = z
  .object({
    snapshot: z.boolean().default(false),
    restore: z.boolean().default(false),
    extend_ttl: z.boolean().default(false),
    list: z.boolean().default(false),
    host_expiry: z.boolean().default(false),
    /** Access to a live sandbox (the adapter must implement the matching methods; checked when it is loaded). */
    endpoints: z.boolean().default(false),
    exec: z.boolean().default(false),
    logs: z.boolean().default(false),
    files: z.boolean().default(false),
  })
  .strict();
export type Capabilities = z.infer<typeof Capabilities>;

export const ExtensionManifest = z
  .object({
    id: ExtensionId,
    version: Version,
    name: z.string().min(1),
    description: z.string().default(''),
    kind: z.enum(['self-hosted', 'saas']),
    capabilities: Capabilities.default({
      snapshot: false,
      restore: false,
      extend_ttl: false,
      list: false,
      host_expiry: false,
      endpoints: false,
      exec: false,
      logs: false,
      files: false,
    }),
    pricing: Pricing.default({ model: 'free', currency: 'USD', minimum_seconds: 0 }),
    latency: z.object({ default_ready_s: z.number().positive() }).strict().default({ default_ready_s: 30 }),
    credentials: z.array(CredentialSpec).default([]),
    /** Adapter-specific defaults; profiles may override keys under their own `config`. */
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type ExtensionManifest = z.infer<typeof ExtensionManifest>;

export const RouteStrategy = z.enum(['prefer-self-hosted', 'lowest-cost', 'lowest-latency', 'explicit']);
export type RouteStrategy = z.infer<typeof RouteStrategy>;

export const RouteSpec = z
  .object({
    strategy: RouteStrategy.default('explicit'),
    candidates: z.array(ExtensionId).min(1, 'list at least one candidate extension'),
  })
  .strict();
export type RouteSpec = z.infer<typeof RouteSpec>;

export const Resources = z
  .object({
    cpu: z.number().positive().default(1),
    memory_mib: z.number().int().positive().default(512),
    gpu: z.string().optional(),
    gpu_count: z.number().int().nonnegative().default(0),
    disk_gib: z.number().positive().optional(),
  })
  .strict();
export type Resources = z.infer<typeof Resources>;

export const InputSpec = z
  .object({
    description: z.string().default(''),
    required: z.boolean().default(false),
    default: z.string().optional(),
    /** Inputs of kind `path` name a local directory (e.g. the repo to transfer). */
    kind: z.enum(['string', 'path']).default('string'),
  })
  .strict();
export type InputSpec = z.infer<typeof InputSpec>;

export const Placement = z
  .object({
    host: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    /** secret_ref of the SSH private key (never the key itself). */
    key_ref: SecretRef.optional(),
    /** Pinned host key fingerprint, SHA256:<base64>. */
    host_key_sha256: z
      .string()
      .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must be SHA256:<base64> as printed by ssh-keygen -lf')
      .optional(),
    known_hosts: z.string().optional(),
    preferred: z.array(z.string()).default([]),
  })
  .strict();
export type Placement = z.infer<typeof Placement>;

const Port = z.number().int().min(1).max(65535);
const WaitTimeout = z
  .string()
  .regex(/^\d+(ms|s|m)$/, 'a duration such as 30s or 2m')
  .default('60s');

/** A port the sandbox serves. Cloud backends expose only declared ports; compose reports what it publishes. */
export const PortSpec = z
  .object({
    port: Port,
    /** The compose service that serves it (compose-ssh); single-container backends ignore it. */
    service: z.string().min(1).optional(),
    protocol: z.enum(['http', 'tcp']).default('http'),
  })
  .strict();
export type PortSpec = z.infer<typeof PortSpec>;

/** Readiness checks run after the backend says ready, in order, each bounded by its timeout (testcontainers' wait strategies). */
export const WaitStrategy = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('port'),
      service: z.string().min(1).optional(),
      port: Port,
      timeout: WaitTimeout,
    })
    .strict(),
  z
    .object({
      type: z.literal('http'),
      service: z.string().min(1).optional(),
      port: Port,
      path: z.string().startsWith('/', 'must start with /').default('/'),
      status: z.number().int().min(100).max(599).default(200),
      timeout: WaitTimeout,
    })
    .strict(),
  z
    .object({
      type: z.literal('log'),
      service: z.string().min(1).optional(),
      /** A regular expression matched against each log line. */
      pattern: z
        .string()
        .min(1)
        .refine((p) => {
          try {
            new RegExp(p);
            return true;
          } catch {
            return false;
          }
        }, 'must be a valid regular expression'),
      timeout: WaitTimeout,
    })
    .strict(),
  z
    .object({
      type: z.literal('command'),
      service: z.string().min(1).optional(),
      /** A shell command line (sh -c) or an argv list; ready when it exits 0. */
      command: z.union([z.string().min(1), z.array(z.string()).min(1)]),
      timeout: WaitTimeout,
    })
    .strict(),
]);
export type WaitStrategy = z.infer<typeof WaitStrategy>;

export const Profile = z
  .object({
    id: ProfileId,
    version: Version,
    description: z.string().default(''),
    /** Exactly one of `extension` (a single backend) or `route` (candidates + strategy). */
    extension: ExtensionId.optional(),
    route: RouteSpec.optional(),
    placement: Placement.default({ preferred: [] }),
    resources: Resources.default({ cpu: 1, memory_mib: 512, gpu_count: 0 }),
    ttl: z
      .object({
        default: z.string().optional(),
        max: z.string().optional(),
      })
      .strict()
      .default({}),
    inputs: z
      .record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'input names are snake_case'), InputSpec)
      .default({}),
    config: z.record(z.string(), z.unknown()).default({}),
    labels: z.record(z.string(), z.string()).default({}),
    /** Ports the sandbox serves (declared at create on cloud backends, where only declared ports are reachable). */
    ports: z.array(PortSpec).default([]),
    /** Readiness checks after the backend reports ready. */
    wait: z.array(WaitStrategy).default([]),
    default: z.boolean().default(false),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.extension === undefined && p.route === undefined) {
      ctx.addIssue({ code: 'custom', path: ['extension'], message: 'set either extension or route' });
    }
    if (p.extension !== undefined && p.route !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['route'], message: 'set either extension or route, not both' });
    }
  });
export type Profile = z.infer<typeof Profile>;

/** The candidate extensions of a profile, in declared order. */
export const profileCandidates = (p: Profile): string[] =>
  p.route ? p.route.candidates : p.extension ? [p.extension] : [];
