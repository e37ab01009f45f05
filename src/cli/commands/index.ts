import type { Command } from '../command.ts';
import { catalogCommands } from './catalog.ts';
import { sandboxCommands } from './sandboxes.ts';

/** Every CLI verb. Verb groups add their commands here. */
export const commands: Command[] = [...sandboxCommands, ...catalogCommands];
