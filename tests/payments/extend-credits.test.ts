import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSync, json } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

/**
 * Money paths that used to skip the ledger: extend-ttl holds the added time's estimate through the same balance
 * and budget check as create, and a profile cannot promise a lifetime beyond its backend's cap.
 */
const tmp = tempDir('sbx-extend-credits-');
afterAll(() => tmp.cleanup());

interface Rec {
  id: string;
  expires_at: string;
  estimate_usd: string;
}
interface Balance {
  balance_usd: string;
  held_usd: string;
}

describe('extend-ttl and credits', () => {
  const env = { SANDBOXER_STATE_DIR: join(tmp.dir, 'state') };
  const balance = () => json<Balance>(cliSync(['credits', 'show', '--json'], env));

  it('refuses to extend by 23 h on a $0.05 balance: insufficient_credits, exit 1, nothing changed', () => {
    const r = json<Rec>(cliSync(['create', '--profile', 'profile.saas-stub', '--ttl', '10m', '--json'], env));
    // Grant what leaves exactly $0.05 once the create's hold is counted.
    const grant = (0.05 + Number(balance().held_usd)).toFixed(6);
    expect(cliSync(['credits', 'add', grant], env).code).toBe(0);
    const before = balance();
    expect(Number(before.balance_usd)).toBe(0.05);

    const refused = cliSync(['extend-ttl', r.id, '--duration', '23h', '--json'], env);
    expect(refused.code, refused.stderr).toBe(1);
    const body = json<{ error: { code: string; message: string } }>(refused);
    expect(body.error.code).toBe('insufficient_credits');
    expect(body.error.message).toMatch(/cannot cover the estimate \$\d+\.\d+ for extending sbx-/);
    const same = json<Rec>(cliSync(['get', r.id, '--json'], env));
    expect([same.expires_at, same.estimate_usd]).toEqual([r.expires_at, r.estimate_usd]);
    expect(balance()).toEqual(before);

    // A small extension fits: it is held like a create's estimate and added to the record's.
    const ok = cliSync(['extend-ttl', r.id, '--duration', '5m', '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    const extended = json<{ record: Rec }>(ok).record;
    expect(Date.parse(extended.expires_at)).toBe(Date.parse(r.expires_at) + 5 * 60_000);
    expect(Number(extended.estimate_usd)).toBeGreaterThan(Number(r.estimate_usd));
    expect(Number(balance().held_usd)).toBeCloseTo(Number(extended.estimate_usd), 6);
  });
});

describe("a profile's ttl.max beyond its extension's cap", () => {
  it('fails at catalog load naming the file and the field; the shipped catalog stays valid', () => {
    const root = join(tmp.dir, 'catalog');
    mkdirSync(join(root, 'profiles'), { recursive: true });
    const env = { SANDBOXER_CATALOG_PATH: root, SANDBOXER_STATE_DIR: join(tmp.dir, 'state2') };
    expect(cliSync(['profiles', 'list'], env).code).toBe(0);
    writeFileSync(
      join(root, 'profiles', 'profile.e2b-day.yaml'),
      [
        'id: profile.e2b-day',
        'version: 1.0.0',
        'description: asks E2B for a day',
        'extension: ext.e2b',
        'resources: { cpu: 2, memory_mib: 512 }',
        'ttl: { default: 1h, max: 24h }',
        '',
      ].join('\n'),
    );
    const r = cliSync(['profiles', 'list'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /profile\.e2b-day\.yaml:6:\d+: ttl\.max: 24h \(86400s\) exceeds the maximum lifetime of ext\.e2b, config\.max_timeout_s 3600s/,
    );
  });
});
