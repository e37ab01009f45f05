import '../core/zod-jitless.ts';
import { allowMux } from '../extensions/ssh/mux/paths.ts';
import { runCli } from './run.ts';
import { abortOnSignals, signalExitCode } from './signals.ts';

/** The hidden verb the CLI starts its SSH mux agent with (src/extensions/ssh/mux/agent.ts). */
const MUX_AGENT_VERB = '__ssh-mux-agent';

/** Process entry: wires signals to an AbortSignal (a second signal exits at once) and sets the exit code. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  if (argv[0] === MUX_AGENT_VERB) return (await import('../extensions/ssh/mux/agent.ts')).runMuxAgent();
  // exec, cp, ports and url reuse one SSH connection across CLI calls (SANDBOXER_SSH_MUX=0 connects directly).
  allowMux([process.execPath, ...process.execArgv, process.argv[1]!, MUX_AGENT_VERB]);
  const controller = abortOnSignals();
  const code = await runCli(argv, {
    stdout: (s) => process.stdout.write(`${s}\n`),
    stderr: (s) => process.stderr.write(`${s}\n`),
    stdoutRaw: (d) => process.stdout.write(d),
    stderrRaw: (d) => process.stderr.write(d),
    stdin: () => process.stdin,
    env: process.env,
    signal: controller.signal,
  });
  // Cut short by Ctrl-C / SIGTERM (a drained serve still ends 0): the shell convention (128 + signal number), so scripts can tell it from a failure.
  const final = code === 0 ? 0 : (signalExitCode(controller.signal) ?? code);
  process.exitCode = final;
  // A backend call we stopped waiting for (raced against the bound or the cancel) may still hold a socket open:
  // it must not keep the process alive. After a cancel exit at once; otherwise give stragglers a short grace.
  process.stdout.write('', () => {
    if (controller.signal.aborted) process.exit(final);
    setTimeout(() => process.exit(final), EXIT_GRACE_MS).unref();
  });
}

/** How long a finished command may wait for leftover handles (an unanswered request) before the process exits. */
const EXIT_GRACE_MS = 2000;
