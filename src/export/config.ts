import { SandboxerError } from '../core/errors.ts';

export interface FinHubConfig {
  url: string;
  /** Bearer token (SANDBOXER_FIN_HUB_TOKEN); never logged or persisted. */
  token?: string;
  /** CloudEvents `source`: collectors dedupe on (source, id), so it must not change between runs. */
  source: string;
}

/** fin-hub export is off unless SANDBOXER_FIN_HUB_URL is set. */
export function finHubConfig(env: NodeJS.ProcessEnv): FinHubConfig | undefined {
  const url = env.SANDBOXER_FIN_HUB_URL?.trim();
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new SandboxerError('validation', 'SANDBOXER_FIN_HUB_URL is not an http(s) URL', {
      hint: 'set it to the usage endpoint, e.g. https://fin-hub.example/v1/usage, or unset it to disable export',
    });
  return {
    url,
    ...(env.SANDBOXER_FIN_HUB_TOKEN ? { token: env.SANDBOXER_FIN_HUB_TOKEN } : {}),
    source: env.SANDBOXER_FIN_HUB_SOURCE?.trim() || 'sandboxer',
  };
}

/** Where a URL points, for messages: never the path's query or any userinfo. */
export function describeEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
