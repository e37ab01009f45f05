import type { Command } from '../command.ts';
import { accessCommands } from './access.ts';
import { catalogCommands } from './catalog.ts';
import { creditsCommands } from './credits.ts';
import { doctor } from './doctor.ts';
import { exportCommands } from './export.ts';
import { initHost } from './init-host.ts';
import { inspectHost } from './inspect-host.ts';
import { routeCommands } from './route.ts';
import { sandboxCommands } from './sandboxes.ts';
import { serve } from './serve.ts';
import { snapshotCommands } from './snapshots.ts';
import { staleCommands } from './stale.ts';
import { stateCommands } from './state.ts';
import { ttlCommands } from './ttl.ts';

/** Every CLI verb. Verb groups add their commands here. */
export const commands: Command[] = [
  ...sandboxCommands,
  ...accessCommands,
  ...catalogCommands,
  serve,
  ...creditsCommands,
  ...exportCommands,
  ...snapshotCommands,
  ...ttlCommands,
  ...staleCommands,
  ...stateCommands,
  inspectHost,
  initHost,
  doctor,
  ...routeCommands,
];
