import type { ExtensionManifest, Profile } from '../catalog/schema.ts';
import type { SandboxRecord, SandboxState, SnapshotRecord } from '../core/record.ts';

/**
 * Side effects that fan out from the manager. Hooks are called after the state is persisted.
 * - `beforeProvision` may refuse (throw), e.g. when credits cannot cover the estimate;
 * - `onTransition` is best effort: a failing hook is logged and never fails or blocks the lifecycle;
 * - `onSettled` runs once a sandbox reaches a terminal state, with its meter when the extension is metered.
 */
export interface LifecycleHooks {
  readonly name: string;
  beforeProvision?(input: {
    record: SandboxRecord;
    profile: Profile;
    manifest: ExtensionManifest;
  }): Promise<void>;
  /**
   * May refuse (throw) an extend-ttl before anything changes, like beforeProvision for create: `estimate_usd` is
   * the cost of the added time, `ref` names this extension (idempotent per resulting expiry).
   */
  beforeExtend?(input: {
    record: SandboxRecord;
    manifest: ExtensionManifest;
    add_s: number;
    estimate_usd: string;
    ref: string;
  }): Promise<void>;
  onTransition?(input: { record: SandboxRecord; from: SandboxState | null; to: SandboxState }): Promise<void>;
  onSettled?(input: { record: SandboxRecord; manifest: ExtensionManifest }): Promise<void>;
  /** Best effort, like onTransition: an applied reaper action (a record closed or an orphan torn down). */
  onReaped?(input: { action: ReapedAction }): Promise<void>;
  /** Best effort: a snapshot was taken (`available`) or deleted. */
  onSnapshot?(input: { snapshot: SnapshotRecord; record?: SandboxRecord }): Promise<void>;
}

/** What the reaper did, as hooks see it (src/reaper/reap.ts ReapAction): no secrets, only ids and outcome. */
export interface ReapedAction {
  kind: string;
  extension_id: string;
  sandbox_id?: string;
  backend_id?: string;
  outcome: string;
  at: string;
  reason: string;
  final_state?: string;
  error?: string;
}
