import type { Logger } from '../../core/logger.ts';
import { MirroredStateStore } from '../artifact/mirrored-store.ts';
import type { StateStore } from '../store.ts';
import { CacheMirror } from './cache-mirror.ts';

/** `state-store: cache`: the local store mirrored to the Actions cache (see CacheMirror for its limits). */
export class CacheStateStore extends MirroredStateStore {
  constructor(local: StateStore, opts: { log?: Logger } = {}) {
    super(local, new CacheMirror(), opts.log);
  }
}
