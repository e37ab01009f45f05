import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest (seconds, from a full run on a 2-core machine with 3 workers), so a fresh
 * checkout — which has no vitest timing cache — still starts them first: the suite then ends with many short
 * files spread over the workers instead of one long file running alone. A file missing here only starts later.
 */
export const SLOW_S: Record<string, number> = {
  'tests/payments/outbox-concurrency.test.ts': 130,
  'tests/ssh/compose-ssh.conformance.test.ts': 100,
  'tests/ssh/expiry.test.ts': 72,
  'tests/ssh/access.test.ts': 57,
  'tests/state/concurrency.test.ts': 48,
  'tests/ssh/isolation.test.ts': 46,
  'tests/ssh/transfer-cut.test.ts': 43,
  'tests/ssh/vm-packer.conformance.test.ts': 41,
  'tests/lifecycle/bounds.test.ts': 38,
  'tests/state/replicas.test.ts': 36,
  'tests/ssh/cli-access.test.ts': 23,
  'tests/ssh/hostile.test.ts': 20,
  'tests/actions/reap-rest.test.ts': 18,
  'tests/actions/bundled-actions.test.ts': 17,
  'tests/build/install.test.ts': 17,
  'tests/ssh/kill.test.ts': 16,
  'tests/ssh/mux.test.ts': 13,
  'tests/ssh/compose-errors.test.ts': 12,
  'tests/ssh/placement-list.test.ts': 12,
};

/** Longest first across all projects: this run's timing cache where vitest has one, else SLOW_S. */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const seconds = (f: TestSpecification): number => {
      const path = relative(root, f.moduleId);
      const cached = this.ctx.cache.getFileTestResults(`${f.project.name}:${path}`);
      return cached ? cached.duration / 1000 : (SLOW_S[path] ?? 0);
    };
    const sorted = await super.sort(files);
    return sorted
      .map((f, i) => ({ f, i, s: seconds(f) }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .map(({ f }) => f);
  }
}
