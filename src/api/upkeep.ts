import { toSandboxerError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { SandboxManager } from '../manager/manager.ts';
import type { Coordinator } from '../state/replicas/coordinator.ts';
import { reapAbandonedProvisions } from '../reaper/abandoned.ts';
import { reapStale, type ReapReport } from '../reaper/reap.ts';

export interface UpkeepOptions {
  manager: SandboxManager;
  coordinator: Coordinator;
  /** Time between passes, ms. */
  intervalMs: number;
  log?: Logger;
  /** The reap-stale part of a pass (default: `reapStale(manager, { apply: true })`, outbox replay included). */
  reap?: () => Promise<unknown>;
}

export interface UpkeepPass {
  leader: boolean;
  abandoned: number;
  reaped?: ReapReport['summary'];
}

/**
 * What `sandboxer serve` does besides answering requests: every interval it tries the reaper lock, and only the
 * replica holding it runs a pass — provisions abandoned by a replica that is gone (src/reaper/abandoned.ts),
 * then TTL expiry and reaping (reapStale: expired, stuck, cleanup pending, gone, orphans; the fin-hub outbox
 * replayed). One pass at a time; a failed pass is logged and the next one runs on schedule. When the holder dies
 * its lock is released by the store and another replica's next try takes it, resuming from the records.
 */
export class Upkeep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<UpkeepPass> | undefined;
  private readonly stopping = new AbortController();
  private readonly suspects = new Map<string, number>();
  private leading = false;
  private readonly log: Logger;

  constructor(private readonly opts: UpkeepOptions) {
    this.log = opts.log ?? silentLogger;
  }

  /** Passes from now on: the first after a short random delay (replicas started together spread out). */
  start(): void {
    this.schedule(Math.min(this.opts.intervalMs, 250 + Math.random() * 750));
  }

  private schedule(ms: number): void {
    if (this.stopping.signal.aborted) return;
    this.timer = setTimeout(() => {
      void this.pass().finally(() => this.schedule(this.opts.intervalMs));
    }, ms);
  }

  /** One pass now (or the one already running). */
  pass(): Promise<UpkeepPass> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<UpkeepPass> {
    const { manager, coordinator } = this.opts;
    const signal = this.stopping.signal;
    const leader = !signal.aborted && (await coordinator.tryLead());
    if (leader !== this.leading) {
      this.leading = leader;
      this.log.info(
        leader
          ? `reaper: this replica (${coordinator.replica}) holds the reaper lock (${coordinator.describe}): it runs expiry and reaping`
          : 'reaper: another replica holds the reaper lock',
      );
    }
    if (!leader) {
      this.suspects.clear(); // a later leader starts counting afresh
      return { leader, abandoned: 0 };
    }
    const out: UpkeepPass = { leader, abandoned: 0 };
    try {
      const abandoned = await reapAbandonedProvisions(manager, coordinator, this.suspects, {
        log: this.log,
        signal,
      });
      out.abandoned = abandoned.filter((a) => a.outcome === 'done').length;
      if (signal.aborted) return out;
      // No signal: stopping waits for the pass, as a teardown cut short would leak its backend object.
      const reap = this.opts.reap ?? (() => reapStale(manager, { apply: true, log: this.log }));
      const report = await reap();
      if (report && typeof report === 'object' && 'summary' in report) {
        out.reaped = (report as ReapReport).summary;
        if (out.reaped.done || out.reaped.error)
          this.log.info(`reaper: ${out.reaped.done} done, ${out.reaped.error} failed`);
      }
    } catch (err) {
      this.log.warn(`reaper pass: ${toSandboxerError(err).message}`);
    }
    return out;
  }

  /** No more passes; the running one stops before its next abandoned record, and is waited for. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('server shutting down'));
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}
