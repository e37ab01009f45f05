import type { ExtensionManifest, Profile } from '../catalog/schema.ts';
import type { SandboxRecord, SandboxState } from '../core/record.ts';

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
  onTransition?(input: { record: SandboxRecord; from: SandboxState | null; to: SandboxState }): Promise<void>;
  onSettled?(input: { record: SandboxRecord; manifest: ExtensionManifest }): Promise<void>;
}
