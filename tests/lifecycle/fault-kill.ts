import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliArgs, json, REPO_ROOT } from '../helpers/cli.ts';

/**
 * SIGKILL fault test, reusable per backend: `create` runs as a real CLI child process and is killed with
 * SIGKILL at random points (seeded, so a failure can be replayed) — during start-up, right around the moment
 * the backend object is made and its handle saved, or while provisioning waits. Then ONE
 * `reap-stale --apply --min-orphan-age 0 --stuck-after 0` must leave nothing of ours on the backend and no
 * live record in the state store.
 */
export interface KillHarness {
  name: string;
  profileId: string;
  inputs?: Record<string, string>;
  /** Env for every CLI child: state dir, backend location, and a slow provision (so kills land inside it). */
  env(): NodeJS.ProcessEnv;
  /** Names of our objects still on the backend (by the backend's own means: files, podman ps, list()). */
  leftovers(): Promise<string[]>;
  setup?(): Promise<void>;
  cleanup?(): Promise<void>;
  /** Default 20. */
  runs?: number;
  seed?: number;
  /** Kills after the "▸ provision" line land within this many ms (default 1500). */
  windowMs?: number;
  /** vitest timeout for the whole test (default 300 s). */
  timeoutMs?: number;
  /** Children run at once (default 4). */
  concurrency?: number;
}

/** mulberry32: a tiny deterministic PRNG, so a failing seed can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type KillPlan = { after: 'spawn' | 'provision'; delayMs: number };

export function killPlans(n: number, seed: number, windowMs: number): KillPlan[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const r = rnd();
    if (r < 0.2) return { after: 'spawn' as const, delayMs: Math.floor(rnd() * 1500) };
    // Half of the rest land within ~20 ms of the provision line: between object creation and saveHandle.
    if (r < 0.6) return { after: 'provision' as const, delayMs: Math.floor(rnd() * 20) };
    return { after: 'provision' as const, delayMs: Math.floor(rnd() * windowMs) };
  });
}

/** Run `create` and SIGKILL it according to the plan; resolves with how the child ended. */
function createAndKill(
  h: KillHarness,
  plan: KillPlan,
): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  const inputs = Object.entries(h.inputs ?? {}).flatMap(([k, v]) => ['--input', `${k}=${v}`]);
  const child = spawn(process.execPath, cliArgs(['create', '--profile', h.profileId, ...inputs]), {
    cwd: REPO_ROOT,
    env: { ...process.env, ...h.env() },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let timer: NodeJS.Timeout | undefined;
  const kill = () => {
    timer ??= setTimeout(() => child.kill('SIGKILL'), plan.delayMs);
  };
  if (plan.after === 'spawn') kill();
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    if (plan.after === 'provision' && stderr.includes('▸ provision')) kill();
  });
  // A safety net: never let a child outlive the test, whatever it prints.
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

export function sigkillFaultTest(h: KillHarness): void {
  const runs = h.runs ?? 20;
  const seed = h.seed ?? 20261123;
  describe(`SIGKILL during create: ${h.name}`, () => {
    beforeAll(async () => {
      await h.setup?.();
    });
    afterAll(async () => {
      await h.cleanup?.();
    });

    it(
      `after ${runs} killed creates, one reap-stale --apply leaves nothing behind (seed ${seed})`,
      async () => {
        const plans = killPlans(runs, seed, h.windowMs ?? 1500);
        const outcomes = [];
        const width = h.concurrency ?? 4;
        for (let i = 0; i < plans.length; i += width) {
          outcomes.push(...(await Promise.all(plans.slice(i, i + width).map((p) => createAndKill(h, p)))));
        }
        // Every create was cut short by the kill (provisioning is slow on purpose), none finished.
        expect(outcomes.map((o) => o.signal)).toEqual(plans.map(() => 'SIGKILL'));
        // The kills did leave debris: backend objects and records that never reached a terminal state.
        expect((await h.leftovers()).length).toBeGreaterThan(0);
        const stranded = json<{ id: string }[]>(await cli(['list', '--json'], h.env()));
        expect(stranded.length).toBeGreaterThan(0);

        const reap = await cli(
          ['reap-stale', '--apply', '--min-orphan-age', '0', '--stuck-after', '0', '--json'],
          h.env(),
        );
        const report = json<{ summary: { error: number; done: number }; actions: unknown[] }>(reap);
        expect(reap.code, reap.stderr).toBe(0);
        expect(report.summary.error).toBe(0);

        expect(await h.leftovers()).toEqual([]);
        const live = json<{ id: string }[]>(await cli(['list', '--json'], h.env()));
        expect(live).toEqual([]);
        // A second run finds nothing more to do.
        const again = json<{ actions: unknown[] }>(
          await cli(
            ['reap-stale', '--apply', '--min-orphan-age', '0', '--stuck-after', '0', '--json'],
            h.env(),
          ),
        );
        expect(again.actions).toEqual([]);
      },
      h.timeoutMs ?? 300_000,
    );
  });
}
