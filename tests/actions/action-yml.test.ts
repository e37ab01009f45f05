import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const ACTIONS = ['action.yml', 'actions/teardown-sandbox/action.yml', 'actions/reap-stale/action.yml'];
const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures/github-action.schema.json'), 'utf8'),
);
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
const { ENTRIES } = (await import(join(ROOT, 'scripts/entries.mjs'))) as { ENTRIES: Record<string, string> };

describe('action.yml files', () => {
  it.each(ACTIONS)('%s is valid against the SchemaStore github-action schema', (file) => {
    const doc = parse(readFileSync(join(ROOT, file), 'utf8'));
    const ok = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(doc.runs.using).toBe('node24');
  });

  it.each(ACTIONS)('%s points at stubs the build generates', (file) => {
    const doc = parse(readFileSync(join(ROOT, file), 'utf8'));
    for (const key of ['main', 'post'] as const) {
      const target = doc.runs[key] as string | undefined;
      if (!target) continue;
      const rel = resolve(ROOT, dirname(file), target).slice(ROOT.length + 1);
      expect(rel.startsWith('dist/')).toBe(true);
      expect(Object.keys(ENTRIES)).toContain(rel.slice('dist/'.length));
      expect(existsSync(join(ROOT, rel))).toBe(true);
    }
  });

  it('setup-sandbox has a post step that always runs and the documented inputs and outputs', () => {
    const doc = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
    expect(doc.runs.post).toBe('dist/setup/post.js');
    expect(doc.runs['post-if']).toBe('always()');
    expect(Object.keys(doc.inputs)).toEqual(
      expect.arrayContaining(['profile', 'inputs', 'ttl', 'route', 'teardown', 'state-store', 'budget']),
    );
    expect(Object.keys(doc.outputs)).toEqual(
      expect.arrayContaining(['sandbox-id', 'extension-id', 'host', 'handle', 'expires-at', 'estimate-usd']),
    );
    expect(doc.branding).toEqual({ icon: expect.any(String), color: expect.any(String) });
  });

  it('the schema rejects what the runner rejects (a post step on a composite action, an unknown runtime)', () => {
    const base = { name: 'x', description: 'y' };
    expect(validate({ ...base, runs: { using: 'composite', steps: [], post: 'p.js' } })).toBe(false);
    expect(validate({ ...base, runs: { using: 'node99', main: 'm.js' } })).toBe(false);
    expect(validate({ ...base, runs: { using: 'node24', main: 'm.js' } })).toBe(true);
  });
});
