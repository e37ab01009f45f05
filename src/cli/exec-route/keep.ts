import { catalogRoots } from '../../catalog/loader.ts';
import type { SandboxRecord } from '../../core/record.ts';
import type { MuxExecRoute } from '../../extensions/ssh/place.ts';
import { stateBackend } from '../../state/open.ts';
import { sqliteFile } from '../../state/paths.ts';
import type { CommandContext } from '../command.ts';
import { writeRoute } from './route.ts';

/**
 * After an exec on the full path: keep its route for the warm path (route.ts), when the state is the local
 * SQLite database (the one store the warm path reads). A route that cannot be written only means no warm path.
 */
export function keepExecRoute(
  ctx: Pick<CommandContext, 'env' | 'log'>,
  kept: { route: MuxExecRoute; record: SandboxRecord },
  service: string,
): void {
  try {
    if (stateBackend(ctx.env) !== 'sqlite') return;
    const { record } = kept;
    writeRoute(ctx.env, process.cwd(), {
      ...kept.route,
      id: record.id,
      service,
      ext_id: record.extension_id,
      db: sqliteFile(ctx.env),
      revision: record.revision,
      ...(record.expires_at ? { expires_at: record.expires_at } : {}),
      roots: catalogRoots(ctx.env),
    });
  } catch (err) {
    ctx.log.debug(`exec route not kept: ${(err as Error).message}`);
  }
}
