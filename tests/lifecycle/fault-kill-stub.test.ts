import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/env.ts';
import { sigkillFaultTest } from './fault-kill.ts';

const tmp = tempDir('sbx-kill-stub-');
const stubDir = join(tmp.dir, 'stub');

sigkillFaultTest({
  name: 'ext.saas-stub',
  profileId: 'profile.saas-stub',
  env: () => ({
    SANDBOXER_STATE_DIR: join(tmp.dir, 'state'),
    SANDBOXER_STUB_DIR: stubDir,
    // Long enough that no create can finish before its kill; the kill lands inside this wait.
    SANDBOXER_STUB_DELAY_MS: '30000',
    SANDBOXER_SCOPE: 'test:kill-stub',
  }),
  async leftovers() {
    const objects = join(stubDir, 'objects');
    return existsSync(objects) ? readdirSync(objects).filter((f) => f.endsWith('.json')) : [];
  },
  async cleanup() {
    tmp.cleanup();
  },
});
