import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { projects } from './tests/projects.ts';
import { LongestFirst } from './tests/sequencer.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const by = projects(root);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
    // Most of the suite waits on the SSH host, containers and child processes rather than computing, so files run
    // side by side beyond the core count (vitest's default here would be one file at a time on 2 cores).
    // SANDBOXER_TEST_WORKERS overrides it (1 = one file at a time).
    maxWorkers: Number(process.env.SANDBOXER_TEST_WORKERS) || 3,
    sequence: { sequencer: LongestFirst },
    // The packaged default (the canary) needs the SSH test host; tests that do not name a profile run on the
    // stub. Tests of the default itself load the catalog with an explicit env.
    env: { SANDBOXER_DEFAULT_PROFILE: 'profile.saas-stub' },
    // One project per kind of test (tests/projects.ts): `vitest run --project unit` is the quick loop.
    // Unit and process files share their worker's loaded modules (isolate: false): half the unit project's CPU
    // is otherwise spent importing the same modules once per file. tests/build/projects.test.ts keeps them free
    // of what would leak from one file to the next (process.env writes, chdir, module mocks).
    projects: (['unit', 'process', 'integration'] as const).map((name) => ({
      extends: true,
      test: {
        name,
        include: by[name],
        isolate: name === 'integration',
        // One PostgreSQL server for every file that needs one (tests/state/pg-server.ts startPg()).
        ...(name === 'integration' ? { globalSetup: ['tests/state/pg-global.ts'] } : {}),
      },
    })),
  },
});
