import * as core from '@actions/core';
import { formatDuration } from '../core/duration.ts';
import type { SandboxRecord } from '../core/record.ts';

/** Step outputs of setup-sandbox. The handle is JSON of non-secret backend facts (host, ports, provider ids). */
export function setRecordOutputs(r: SandboxRecord): void {
  const host = r.handle.host ?? r.placement.host ?? '';
  core.setOutput('sandbox-id', r.id);
  core.setOutput('extension-id', r.extension_id);
  core.setOutput('state', r.state);
  core.setOutput('host', String(host));
  core.setOutput('handle', JSON.stringify(r.handle));
  core.setOutput('expires-at', r.expires_at ?? '');
  core.setOutput('estimate-usd', r.estimate_usd ?? '');
  core.setOutput('route-decision', JSON.stringify(r.route ?? {}));
}

export function routeText(r: SandboxRecord): string {
  if (!r.route) return r.extension_id;
  const tried = r.route.candidates
    .map((c) => `${c.extension_id}: ${c.outcome ?? (c.eligible ? 'eligible' : 'skipped')}`)
    .join(', ');
  return `${r.route.strategy} → ${r.route.chosen ?? '-'} (${tried})`;
}

export const SUMMARY_HEADER = [
  'Sandbox',
  'State',
  'Backend',
  'Route decision',
  'TTL',
  'Estimate',
  'Actual cost',
];

export function summaryRow(r: SandboxRecord): string[] {
  return [
    r.id,
    r.state,
    r.extension_id,
    routeText(r),
    r.ttl_s ? `${formatDuration(r.ttl_s)}${r.expires_at ? ` (until ${r.expires_at})` : ''}` : 'none',
    r.estimate_usd ? `$${r.estimate_usd}` : '-',
    r.meter ? `$${r.meter.actual_usd} (${r.meter.duration_s}s)` : r.state === 'ready' ? 'at teardown' : '-',
  ];
}

/** The job summary: one table row per sandbox; failures in writing it never fail the step. */
export async function writeSummary(
  title: string,
  records: SandboxRecord[],
  notes: string[] = [],
): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    const s = core.summary
      .addHeading(title, 3)
      .addTable([SUMMARY_HEADER.map((h) => ({ data: h, header: true })), ...records.map(summaryRow)]);
    for (const n of notes) s.addRaw(n, true);
    await s.write();
  } catch (err) {
    core.warning(`job summary: ${(err as Error).message}`);
  }
}
