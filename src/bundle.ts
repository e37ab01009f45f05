// The one shared bundle (dist/index.js). Every entry point — the CLI and each action's main/post — is an export
// here; the files under dist/ that runners and bin/ execute are tiny stubs that call one of them. Each entry is
// loaded on demand (ncc emits it as a chunk), so an action step only parses the code it runs: that keeps the
// setup step's start-up overhead down. Each action entry is a module exporting `run()` (what
// @github/local-action calls), and importing one runs nothing.
export async function runCliMain(beforeFullCli?: () => void): Promise<void> {
  return (await import('./cli/start.ts')).startCli(process.argv.slice(2), beforeFullCli);
}
export async function setupMain(): Promise<void> {
  return step((await import('./action/setup.ts')).run);
}
export async function setupPost(): Promise<void> {
  return step((await import('./action/setup-post.ts')).run);
}
export async function teardownMain(): Promise<void> {
  return step((await import('./action/teardown.ts')).run);
}
export async function reapMain(): Promise<void> {
  return step((await import('./action/reap.ts')).run);
}

/** How long a finished step may wait for leftover handles (an unanswered request) before the process exits. */
const EXIT_GRACE_MS = 2000;

/**
 * Run one action step as the runner's process: once it has finished, a backend request we stopped waiting for
 * (raced against a bound or a cancel) must not keep the step alive until the runner kills it. Only here, not in
 * run(): under @github/local-action the harness's own process goes on after a step.
 */
async function step(run: () => Promise<void>): Promise<void> {
  await run();
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}
