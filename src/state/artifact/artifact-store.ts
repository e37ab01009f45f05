import type { Logger } from '../../core/logger.ts';
import type { StateStore } from '../store.ts';
import { MirroredStateStore } from './mirrored-store.ts';
import type { RunArtifacts } from './run-artifacts.ts';

/** `state-store: artifact` (the default): the local store mirrored to one workflow artifact per sandbox. */
export class ArtifactStateStore extends MirroredStateStore {
  constructor(
    local: StateStore,
    readonly artifacts: RunArtifacts,
    log?: Logger,
  ) {
    super(local, artifacts, log);
  }
}
