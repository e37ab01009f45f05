import * as z from 'zod';
import { configSchema } from './define.ts';
import { ALLOWANCES } from './compose-ssh/policy.ts';

/** The config each adapter reads (manifest `config:` overlaid by a profile's `config:`). */
const str = z.string().min(1);
const seconds = z.number().positive();
const sshKeys = {
  host: str.optional(),
  port: z.number().int().min(1).max(65535).optional(),
  key_ref: str.optional(),
  insecure_accept_any_host_key: z.boolean().optional(),
  exclude: z.array(z.string()).optional(),
};
const envMap = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'),
  z.string(),
);
const cloudTimeouts = {
  default_timeout_s: seconds.optional(),
  max_timeout_s: seconds.optional(),
  env: envMap.optional(),
};

export const composeSshConfig = configSchema({
  ...sshKeys,
  compose_cmd: str.optional(),
  engine_cmd: str.optional(),
  base_dir: str.optional(),
  compose_file: str.optional(),
  stop_timeout_s: z.number().nonnegative().optional(),
  repo_cache_entries: z.number().int().nonnegative().optional(),
  canary: z.boolean().optional(),
  canary_image: str.optional(),
  snapshot_volumes: z.boolean().optional(),
  host_ports: z.enum(['ephemeral', 'fixed']).optional(),
  /** Relaxations of the compose policy (an operator decision, logged as a warning when used). */
  allow: z.array(z.enum(ALLOWANCES)).optional(),
});

export const vmPackerConfig = configSchema({
  ...sshKeys,
  workspace_root: str.optional(),
  ready_check: str.optional(),
  vm_aliases: z.record(z.string(), str).optional(),
});

export const e2bConfig = configSchema({
  ...cloudTimeouts,
  template: str.optional(),
  api_url: z.url().optional(),
  sandbox_url: z.url().optional(),
  domain: str.optional(),
  list_page_size: z.number().int().positive().optional(),
  request_timeout_ms: z.number().int().positive().optional(),
});

export const modalConfig = configSchema({
  ...cloudTimeouts,
  app: str.optional(),
  image: str.optional(),
  environment: str.optional(),
  regions: z.array(str).optional(),
  snapshot_ttl_s: seconds.optional(),
});

export const saasStubConfig = configSchema({
  ...cloudTimeouts,
  region: str.optional(),
  fault: z.string().optional(),
  provision_delay_ms: z.number().int().nonnegative().optional(),
});
