import type { QuotedArgs } from './quote.ts';
import type { SshTarget } from './target.ts';

/**
 * How an exec reached its sandbox through the user's SSH mux agent (the agent's socket, the target whose host-key
 * policy checks it, where the command runs): what the CLI's warm exec path replays (cli/exec-route/).
 */
export interface MuxExecRoute {
  socket: string;
  target: SshTarget;
  place: Place;
}

export interface Place {
  /** Host directory relative paths resolve against (the workspace). */
  workspace: string;
  /** Run inside this container (`<engine> exec`), not on the host. */
  container?: { engine: readonly string[]; id: string | QuotedArgs };
  /** Shell run first on the host (e.g. finding the container and setting $C), in the same round trip. */
  prelude?: string;
}
