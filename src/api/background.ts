import { toSandboxerError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { SandboxRecord } from '../core/record.ts';
import type { SandboxManager } from '../manager/manager.ts';

type Starter = (opts: {
  signal: AbortSignal;
  onCreated: (record: SandboxRecord) => void;
}) => Promise<SandboxRecord>;

/**
 * The long operations the API answers early (202) and finishes in the background: provisions (create,
 * recreate, restore) and teardowns. Every one is tracked, so shutdown can wait for them, and every provision
 * keeps its AbortController, so shutdown or a DELETE can cancel it — the manager then tears down what was made.
 */
export class BackgroundWork {
  private readonly provisions = new Map<string, AbortController>();
  private readonly destroys = new Map<string, Promise<void>>();
  private readonly tracked = new Set<Promise<void>>();
  private readonly settledProvision = new Map<string, Promise<void>>();
  /** Set once shutdown stops waiting: provisions that start after that are cancelled at once. */
  private cancelling = false;

  constructor(
    private readonly manager: SandboxManager,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.tracked.size;
  }

  private track(p: Promise<void>): Promise<void> {
    this.tracked.add(p);
    void p.finally(() => this.tracked.delete(p));
    return p;
  }

  /**
   * Run a manager call that makes a new record; resolve with that record as soon as it exists (state
   * `requested`). Failures before that (validation, routing) reject; later ones end up in the record.
   */
  startProvision(what: string, start: Starter, onSettled?: () => void): Promise<SandboxRecord> {
    const controller = new AbortController();
    return new Promise<SandboxRecord>((resolve, reject) => {
      let id: string | undefined;
      let markSettled: () => void = () => {};
      const work = start({
        signal: controller.signal,
        onCreated: (record) => {
          id = record.id;
          if (this.cancelling) controller.abort(new Error('server shutting down'));
          this.provisions.set(id, controller);
          this.settledProvision.set(id, new Promise<void>((r) => (markSettled = r)));
          resolve(record);
        },
      }).then(
        (record) => {
          resolve(record);
          this.log.info(`${what} ${record.id}: ${record.state}`);
        },
        (err) => {
          if (id === undefined) reject(err);
          else this.log.warn(`${what} ${id}: ${toSandboxerError(err).message}`);
        },
      );
      void this.track(
        work.finally(() => {
          onSettled?.();
          if (id === undefined) return;
          this.provisions.delete(id);
          this.settledProvision.delete(id);
          markSettled();
        }),
      );
    });
  }

  /**
   * Tear a sandbox down in the background; resolve with its record once the teardown has started (or was not
   * needed). A provision still running here is cancelled first, so its own cleanup and this teardown never race.
   */
  async startDestroy(id: string): Promise<SandboxRecord> {
    if (this.destroys.has(id)) return this.manager.get(id);
    // Ready already: only the provision's final bookkeeping is left, so let it finish and destroy normally.
    if (this.provisions.has(id) && (await this.manager.get(id)).state === 'ready')
      await this.settledProvision.get(id);
    if (this.destroys.has(id)) return this.manager.get(id);
    const provision = this.provisions.get(id);
    if (provision) {
      provision.abort(new Error('destroy requested while provisioning'));
      const settled = this.settledProvision.get(id) ?? Promise.resolve();
      this.trackDestroy(
        id,
        settled.then(() => this.destroyNow(id)),
      );
      return this.manager.get(id);
    }
    return new Promise<SandboxRecord>((resolve, reject) => {
      let started = false;
      const work = this.manager
        .destroy(id, {
          reason: 'user',
          onDestroying: (record) => {
            started = true;
            resolve(record);
          },
        })
        .then(
          (record) => resolve(record),
          (err) => {
            if (!started) reject(err);
            else this.log.warn(`destroy ${id}: ${toSandboxerError(err).message}`);
          },
        );
      this.trackDestroy(id, work);
    });
  }

  private async destroyNow(id: string): Promise<void> {
    try {
      await this.manager.destroy(id, { reason: 'user' });
    } catch (err) {
      this.log.warn(`destroy ${id}: ${toSandboxerError(err).message}`);
    }
  }

  private trackDestroy(id: string, p: Promise<void>): void {
    const done = p.finally(() => this.destroys.delete(id));
    this.destroys.set(id, done);
    void this.track(done);
  }

  /** Cancel a provision of this id running here (if any) and wait until it has settled. */
  async cancelProvision(id: string): Promise<void> {
    const controller = this.provisions.get(id);
    if (!controller) return;
    controller.abort(new Error('cancelled by a newer request'));
    await this.settledProvision.get(id);
  }

  /**
   * Wait up to graceMs for everything in flight; then cancel the provisions still running (each is torn down
   * by the manager) and wait for all of it to settle. Teardowns are never cancelled: that would leak.
   */
  async drain(graceMs: number): Promise<void> {
    if (this.tracked.size === 0) {
      this.cancelling = true;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((r) => (timer = setTimeout(r, graceMs)));
    await Promise.race([Promise.allSettled([...this.tracked]), grace]);
    clearTimeout(timer);
    this.cancelling = true;
    for (const [id, controller] of this.provisions) {
      this.log.info(`shutting down: cancelling the provision of ${id}`);
      controller.abort(new Error('server shutting down'));
    }
    while (this.tracked.size) await Promise.allSettled([...this.tracked]);
  }
}
