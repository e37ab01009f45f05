/**
 * The CLI process's first module: an exec with a kept route runs on the warm path (exec-route/warm.ts) without
 * loading the rest of the CLI; everything else, and every warm-path miss, runs main.ts. `beforeFullCli` runs
 * once the warm path has declined, before the rest loads (bin/sandboxer.js turns on the compile cache there).
 */
export async function startCli(argv = process.argv.slice(2), beforeFullCli?: () => void): Promise<void> {
  if (argv[0] === 'exec' && (await (await import('./exec-route/warm.ts')).warmExec(argv, process.env)))
    return;
  beforeFullCli?.();
  return (await import('./main.ts')).main(argv);
}
