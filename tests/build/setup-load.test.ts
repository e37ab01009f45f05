import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../actions/fake-github.ts';
import { defaultInputs, loadedByStep } from '../actions/loaded-by-step.ts';

/** actions/checkout's bundle, the yardstick of issue #17: what a default setup step parses stays below it. */
const SETUP_LOAD_LIMIT = 1_450_000;

let fake: FakeGitHub;
beforeAll(async () => {
  fake = await new FakeGitHub().start();
});
afterAll(async () => {
  await fake.stop();
});

describe('what the bundled setup step loads', () => {
  it(`stays ≤ ${SETUP_LOAD_LIMIT / 1e6} MB with the default inputs (state-store artifact: one upload)`, async () => {
    const inputs: Record<string, string> = { ...defaultInputs(), profile: 'profile.saas-stub' };
    expect(inputs['state-store']).toBe('artifact');
    const { step, files, bytes } = await loadedByStep(fake, 'setup/main.js', inputs);
    expect(step.stdout + step.stderr).not.toMatch(/::error|::warning/);
    expect(step.code).toBe(0);
    // The record was uploaded, so the artifact client's upload path is among what was measured.
    expect(fake.live().length).toBeGreaterThan(0);
    expect(bytes, files.map((f) => `${f.file} ${f.bytes}`).join('\n')).toBeLessThanOrEqual(SETUP_LOAD_LIMIT);
  });
});
