import { getProfile } from '../../catalog/loader.ts';
import { parseDurationSeconds } from '../../core/duration.ts';
import { usageError } from '../../core/errors.ts';
import { DEFAULT_TTL_FOR_ESTIMATE_S } from '../../manager/manager.ts';
import { StrategyRouter } from '../../routing/router.ts';
import type { ExplainedCandidate } from '../../routing/types.ts';
import type { Command } from '../command.ts';
import { table } from '../output.ts';
import { parseRoute } from './sandboxes.ts';

const credentialCell = (c: ExplainedCandidate): string =>
  c.credential_checks.length === 0
    ? 'not required'
    : c.credential_checks
        .map((k) => `${k.name}:${k.status === 'ok' ? 'ok' : k.required ? 'missing' : 'absent (optional)'}`)
        .join(' ');

export const routeExplain: Command = {
  name: 'route explain',
  summary: 'Show how a profile is routed: every candidate, its estimate, latency, credentials, and why',
  usage: 'sandboxer route explain --profile ID [--route STRATEGY] [--ttl DUR] [--json]',
  details: [
    'Credentials are checked the way create checks them (vault: refs are fetched, values never shown).',
    'The estimate is for the TTL given (default: the profile default, else 1h).',
    'Examples:',
    '  sandboxer route explain --profile profile.burst-sandbox',
    '  sandboxer route explain --profile profile.burst-sandbox --route lowest-cost --json',
  ].join('\n'),
  options: {
    profile: { type: 'string', short: 'p', description: 'the profile to route' },
    route: {
      type: 'string',
      description: 'override the profile strategy: prefer-self-hosted, lowest-cost, lowest-latency, explicit',
    },
    ttl: { type: 'string', description: 'price the estimate for this long, e.g. 30m' },
  },
  async run(ctx, { values }) {
    if (values.profile === undefined)
      throw usageError('route explain: --profile is required', "see 'sandboxer profiles list'");
    const strategy = parseRoute(values.route);
    const m = ctx.manager();
    const profile = getProfile(m.catalog, String(values.profile));
    const ttl_s = values.ttl
      ? parseDurationSeconds(String(values.ttl), 'TTL')
      : (m.resolveTtl(profile, undefined) ?? DEFAULT_TTL_FOR_ESTIMATE_S);
    const router = new StrategyRouter({
      catalog: m.catalog,
      registry: m.registry,
      credentials: m.credentials,
      store: m.store,
    });
    const x = await router.explain({
      profile,
      ttl_s,
      env: ctx.env,
      signal: ctx.signal,
      ...(strategy ? { strategy } : {}),
    });
    if (ctx.json) {
      ctx.out(JSON.stringify(x, null, 2));
      return;
    }
    ctx.out(
      [
        `profile ${x.profile_id}, strategy ${x.strategy}, estimates for ${x.ttl_s}s`,
        '',
        table(
          x.candidates.map((c) => ({
            '#': c.rank,
            candidate: c.extension_id,
            kind: c.kind,
            estimate: c.estimate_usd !== undefined ? `$${c.estimate_usd}` : undefined,
            latency: `${c.latency_s}s (${c.latency_source === 'history' ? `${c.latency_samples} runs` : 'default'})`,
            credentials: credentialCell(c),
            decision: c.decision,
            why: c.reason.replace(/^(skipped|picked|fallback): /, ''),
          })),
          ['#', 'candidate', 'kind', 'estimate', 'latency', 'credentials', 'decision', 'why'],
        ),
        '',
        x.picked
          ? `create would use ${x.picked}${x.order.length > 1 ? `, falling back to ${x.order.slice(1).join(' → ')}` : ''}`
          : 'no candidate is usable: create would fail',
      ].join('\n'),
    );
  },
};

export const routeCommands = [routeExplain];
