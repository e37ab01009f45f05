import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
    // The packaged default (the canary) needs the SSH test host; tests that do not name a profile run on the
    // stub. Tests of the default itself load the catalog with an explicit env.
    env: { SANDBOXER_DEFAULT_PROFILE: 'profile.saas-stub' },
  },
});
