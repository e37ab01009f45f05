import { getProfile } from '../../catalog/loader.ts';
import { profileCandidates } from '../../catalog/schema.ts';
import { withDeadline } from '../../core/deadline.ts';
import type { DoctorCheck } from '../../extensions/compose-ssh/doctor.ts';
import type { Command } from '../command.ts';

const SELF_HOSTED = ['ext.compose-ssh', 'ext.vm-packer'];

function describe(profile: string, extension: string, checks: DoctorCheck[]): string {
  const width = Math.max(0, ...checks.map((c) => c.check.length));
  return [
    `${profile} on ${extension}`,
    ...checks.flatMap((c) => [
      `  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.check.padEnd(width)}  ${c.detail}`,
      ...(c.hint ? [`        ${' '.repeat(width)}  hint: ${c.hint}`] : []),
    ]),
  ].join('\n');
}

export const doctor: Command = {
  name: 'doctor',
  summary: "Check a profile's placement host: SSH reachable, host key, login, compose/podman, disk",
  usage: 'sandboxer doctor [--profile ID] [--json]',
  details: [
    'Read-only. The host is the one create would use: SANDBOXER_HOST, else the first reachable of',
    'placement.preferred, else placement.host. Exit 0 when every check passes, 1 otherwise. A profile that is not',
    'self-hosted has no host to check. See docs/getting-started.md for writing a profile for your own host.',
    'Examples:',
    '  sandboxer doctor --profile profile.my-host',
    '  SANDBOXER_HOST=root@127.0.0.1:2222 sandboxer doctor --profile profile.compose-e2e --json',
  ].join('\n'),
  options: {
    profile: {
      type: 'string',
      short: 'p',
      description: 'the profile to check (default: the catalog default)',
    },
  },
  async run(ctx, { values }) {
    const m = ctx.manager();
    const profile = getProfile(m.catalog, values.profile === undefined ? undefined : String(values.profile));
    const extId = profileCandidates(profile).find((c) => SELF_HOSTED.includes(c));
    if (!extId) {
      const report = {
        profile: profile.id,
        extension: profileCandidates(profile).join(', '),
        ok: true,
        checks: [],
      };
      ctx.out(
        ctx.json
          ? JSON.stringify(report, null, 2)
          : `${profile.id} runs on ${report.extension}: no self-hosted placement host to check`,
      );
      return 0;
    }
    const { manifest } = m.gateway.extensionFor({ extension_id: extId });
    const checks = await withDeadline(90_000, [ctx.signal], async (signal) =>
      (await import('../../extensions/compose-ssh/doctor.ts')).doctorHost(
        await m.gateway.contextFor(manifest, { profile, signal }),
        profile.placement,
      ),
    );
    const ok = checks.every((c) => c.ok);
    ctx.out(
      ctx.json
        ? JSON.stringify({ profile: profile.id, extension: extId, ok, checks }, null, 2)
        : describe(profile.id, extId, checks),
    );
    return ok ? 0 : 1;
  },
};
