/**
 * The runner's `add-mask` workflow command for one line, escaped as @actions/core escapes command data (`%`,
 * CR and LF), so the runner registers exactly this line. Written here rather than through `core.setSecret`:
 * @actions/core loads its HTTP client, proxy tunnel and TLS with it, which every CLI start would then pay for.
 */
export function addMaskCommand(line: string): string {
  return `::add-mask::${line.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}`;
}

const toStdout = (line: string) => void process.stdout.write(`${addMaskCommand(line)}\n`);

/**
 * The `onResolved` hook for GitHub Actions: registers every line of a resolved value with the runner's log
 * masker (`::add-mask::`, on stdout unless `sink` writes it elsewhere). Masking is exact-match per line, so
 * multi-line values (keys) are masked line by line. Outside Actions (GITHUB_ACTIONS != 'true') there is nothing
 * to register and this returns undefined.
 */
export function actionsMasker(
  env: NodeJS.ProcessEnv,
  sink: (line: string) => void = toStdout,
): ((value: string) => void) | undefined {
  if (env.GITHUB_ACTIONS !== 'true') return undefined;
  const seen = new Set<string>();
  return (value) => {
    for (const line of value.split(/\r?\n/)) {
      const l = line.trim();
      if (l === '' || seen.has(l)) continue;
      seen.add(l);
      sink(l);
    }
  };
}
