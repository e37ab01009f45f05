import { setSecret } from '@actions/core';

/**
 * The `onResolved` hook for GitHub Actions: registers every line of a resolved value with the runner's log
 * masker (`::add-mask::`). Masking is exact-match per line, so multi-line values (keys) are masked line by line.
 * Outside Actions (GITHUB_ACTIONS != 'true') there is nothing to register and this returns undefined.
 */
export function actionsMasker(
  env: NodeJS.ProcessEnv,
  sink: (line: string) => void = setSecret,
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
