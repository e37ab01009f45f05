import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { sigkillFaultTest } from '../lifecycle/fault-kill.ts';
import { tempDir } from '../helpers/env.ts';
import { podman, skipReason, testHost, writeComposeRepo } from './host.ts';

/**
 * SIGKILL during `sandboxer create` on ext.compose-ssh against the real host (the shared fault-kill harness): the
 * killed CLIs leave directories, containers and in-flight `compose up`s behind; one reap-stale must remove them.
 */
const reason = skipReason();
if (reason) {
  describe.skip(`SIGKILL during create: ext.compose-ssh (skipped: ${reason})`, () => {
    it('needs the loopback SSH + podman host', () => {});
  });
} else {
  const tmp = tempDir('sbx-kill-compose-');
  const repo = join(tmp.dir, 'repo');
  const base = join(tmp.dir, 'host');
  const scope = `test:kill-compose-${process.pid}`;
  sigkillFaultTest({
    name: 'ext.compose-ssh',
    profileId: 'profile.compose-e2e',
    inputs: { repo },
    runs: 6,
    concurrency: 2,
    windowMs: 3000,
    env: () => ({
      ...testHost().env,
      SANDBOXER_STATE_DIR: join(tmp.dir, 'state'),
      SANDBOXER_BASE_DIR: base,
      SANDBOXER_SCOPE: scope,
    }),
    async setup() {
      // Healthy only after two minutes: every create is still provisioning when it is killed.
      writeComposeRepo(repo, testHost().image, { healthyAfter_s: 120 });
    },
    async leftovers() {
      const containers = podman(testHost(), ['ps', '-aq', '--filter', `label=io.sandboxer.scope=${scope}`])
        .split('\n')
        .filter(Boolean);
      const dirs = existsSync(base) ? readdirSync(base).filter((d) => d.startsWith('sbx-')) : [];
      return [...containers, ...dirs];
    },
    async cleanup() {
      tmp.cleanup();
    },
  });
}
