import { getProfile } from '../../catalog/loader.ts';
import { withDeadline } from '../../core/deadline.ts';
import { profileCandidates } from '../../catalog/schema.ts';
import { usageError } from '../../core/errors.ts';
import type { HostTelemetry } from '../../extensions/compose-ssh/telemetry.ts';
import type { Command } from '../command.ts';
import { table } from '../output.ts';

const SELF_HOSTED = ['ext.compose-ssh', 'ext.vm-packer'];
const gib = (kib: number) => `${(kib / 1024 / 1024).toFixed(1)} GiB`;

function describe(t: HostTelemetry): string {
  const lines = [
    `host      ${t.host}`,
    `disk      ${gib(t.disk.available_kib)} free of ${gib(t.disk.total_kib)} (${t.disk.used_pct}% used, ${t.disk.path})`,
    `memory    ${gib(t.memory.available_kib)} available of ${gib(t.memory.total_kib)}`,
    `load      ${t.load['1m']} ${t.load['5m']} ${t.load['15m']} (${t.cpus} CPUs)`,
    `projects  ${t.projects.length} running sandboxer project(s)`,
  ];
  if (t.projects.length) {
    lines.push(
      '',
      table(
        t.projects.map((p) => ({ ...p, containers: `${p.running}/${p.containers}` })),
        ['project', 'profile', 'scope', 'containers', 'expires_at'],
      ),
    );
  }
  return lines.join('\n');
}

export const inspectHost: Command = {
  name: 'inspect host',
  summary: 'Telemetry of a self-hosted placement host: disk, memory, load, running sandboxer projects',
  usage: 'sandboxer inspect host [--profile ID] [--json]',
  details: [
    'The host is the profile placement (default: profile.sandbox-canary), or SANDBOXER_HOST=[user@]host[:port].',
    'The SSH key comes from the profile placement.key_ref (e.g. env:SANDBOXER_SSH_KEY).',
    'Examples:',
    '  sandboxer inspect host',
    '  SANDBOXER_HOST=root@127.0.0.1:2222 sandboxer inspect host --profile profile.compose-e2e --json',
  ].join('\n'),
  options: {
    profile: {
      type: 'string',
      short: 'p',
      description: 'the profile whose placement host to inspect (default: the catalog default)',
    },
  },
  async run(ctx, { values }) {
    const m = ctx.manager();
    const profile = getProfile(m.catalog, String(values.profile ?? 'profile.sandbox-canary'));
    const extId = profileCandidates(profile).find((c) => SELF_HOSTED.includes(c));
    if (!extId) {
      throw usageError(
        `${profile.id} does not place sandboxes on a self-hosted host`,
        `use a profile of ${SELF_HOSTED.join(' or ')}, e.g. --profile profile.sandbox-canary`,
      );
    }
    const { manifest } = m.gateway.extensionFor({ extension_id: extId });
    const t = await withDeadline(60_000, [ctx.signal], async (signal) =>
      (await import('../../extensions/compose-ssh/index.ts')).hostTelemetry(
        await m.gateway.contextFor(manifest, { profile, signal }),
        profile.placement,
      ),
    );
    ctx.out(ctx.json ? JSON.stringify(t, null, 2) : describe(t));
  },
};
