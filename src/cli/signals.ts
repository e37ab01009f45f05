/**
 * Ctrl-C and SIGTERM for a CLI process (main.ts and the warm exec path): the first signal aborts the returned
 * controller, so the command cancels and cleans up; a second one exits at once.
 */
export function abortOnSignals(): AbortController {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) process.exit(130);
    process.stderr.write(`received ${sig}: cancelling and cleaning up (send again to exit at once)\n`);
    controller.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller;
}

/** The exit code of a command cut short by a signal, by the shell convention (128 + signal number). */
export function signalExitCode(signal: AbortSignal): number | undefined {
  const reason = signal.aborted ? String((signal.reason as Error | undefined)?.message) : '';
  return reason === 'SIGINT' ? 130 : reason === 'SIGTERM' ? 143 : undefined;
}
