// API creates-to-ready per second on PostgreSQL: CREATES saas-stub creates sent at once to 1 `sandboxer serve`,
// then spread over 3 (round robin), each polled until ready. Prints the throughput, the ratio, and the CPU
// seconds the serve processes and the machine used (on a 2-core machine the replicas compete for the same CPUs).
// The replicas run the built CLI (dist/, as deployed) and are warmed up first: under tsx each replica compiled
// its modules on first use, and that start-up cost, three times over, was most of what the 3-replica run measured.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { call } from '../tests/api/harness.ts';
import { tempDir } from '../tests/helpers/env.ts';
import { startServe, type ServeProcess } from '../tests/helpers/serve.ts';
import { pgBinDir, startPg } from '../tests/state/pg-server.ts';

const CREATES = Number(process.env.BENCH_REPLICAS_CREATES ?? 300);
// Polling each create every 50 ms was most of the work measured (6,000 GETs a second at 300 creates).
const POLL_MS = Number(process.env.BENCH_REPLICAS_POLL_MS ?? 250);

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** Busy CPU seconds of the whole machine so far (all cores). */
function machineBusy(): number {
  return cpus().reduce((s, c) => s + (c.times.user + c.times.nice + c.times.sys + c.times.irq) / 1000, 0);
}

async function run(
  replicas: ServeProcess[],
  creates = CREATES,
): Promise<{ perSecond: number; serveCpu: number; busy: number }> {
  const cpu0 = replicas.map((r) => cpuSeconds(r.child.pid!));
  const busy0 = machineBusy();
  const t = performance.now();
  await Promise.all(
    Array.from({ length: creates }, async (_, i) => {
      const on = replicas[i % replicas.length]!.url;
      const created = await call(on, 'POST', '/v1/sandboxes', { json: { profile: 'profile.saas-stub' } });
      if (created.status !== 202) throw new Error(`create: ${created.status} ${created.text}`);
      for (;;) {
        const r = await call(on, 'GET', `/v1/sandboxes/${created.body.id}`);
        if (r.body.state === 'ready') return;
        if (r.body.state !== 'requested' && r.body.state !== 'provisioning')
          throw new Error(`${created.body.id}: ${r.body.state}`);
        await new Promise((res) => setTimeout(res, POLL_MS));
      }
    }),
  );
  const s = (performance.now() - t) / 1000;
  return { perSecond: creates / s, ...cpuSince(replicas, cpu0, busy0) };
}

function cpuSince(
  replicas: ServeProcess[],
  cpu0: number[],
  busy0: number,
): { serveCpu: number; busy: number } {
  const serveCpu = replicas.reduce((sum, r, i) => sum + cpuSeconds(r.child.pid!) - cpu0[i]!, 0);
  return { serveCpu, busy: machineBusy() - busy0 };
}

export async function replicasBench(): Promise<void> {
  if (!pgBinDir()) {
    console.log('\nreplicas: skipped (no PostgreSQL binaries)');
    return;
  }
  const pg = await startPg();
  const tmp = tempDir('sbx-bench-replicas-');
  const results: Record<number, Awaited<ReturnType<typeof run>>> = {};
  try {
    for (const n of [1, 3]) {
      const env = {
        SANDBOXER_STATE_URL: pg.database(`replicas_${n}`),
        SANDBOXER_STATE_DIR: join(tmp.dir, `${n}`, 'state'),
        SANDBOXER_STUB_DIR: join(tmp.dir, `${n}`, 'cloud'),
        SANDBOXER_FIN_HUB_URL: '',
      };
      const args = ['--max-in-flight', '100000', '--rate', '100000', '--burst', '100000', '-q'];
      const replicas = await Promise.all(
        Array.from({ length: n }, () => startServe(args, env, { bundled: true })),
      );
      try {
        await run(replicas, 20 * n); // warm-up, not measured
        results[n] = await run(replicas);
      } finally {
        for (const r of replicas) r.child.kill('SIGKILL');
        await Promise.all(replicas.map((r) => r.exited));
      }
    }
  } finally {
    pg.stop();
    tmp.cleanup();
  }
  console.log(`\nAPI creates-to-ready per second on PostgreSQL (${CREATES} at once, ${cpus().length} CPUs)`);
  for (const n of [1, 3]) {
    const r = results[n]!;
    console.log(
      `${n} replica${n > 1 ? 's' : ' '}: ${r.perSecond.toFixed(1).padStart(6)}/s  serve CPU ${r.serveCpu.toFixed(1)} s, machine busy ${r.busy.toFixed(1)} CPU-s`,
    );
  }
  console.log(`ratio 3 vs 1: ${(results[3]!.perSecond / results[1]!.perSecond).toFixed(2)}x`);
  // Replicas add CPUs' worth of work only where there are idle CPUs: with one replica already keeping `busyCpus`
  // of the machine's CPUs busy (serve, PostgreSQL, this client and whatever else runs), no number of replicas
  // can go faster than cpus / busyCpus times one.
  const one = results[1]!;
  const busyCpus = one.busy / (CREATES / one.perSecond);
  console.log(
    `ceiling on this machine: 1 replica kept ${busyCpus.toFixed(2)} of ${cpus().length} CPUs busy, so at most ${(cpus().length / busyCpus).toFixed(2)}x`,
  );
}
