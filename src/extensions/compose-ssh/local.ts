import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackendError } from '../../core/errors.ts';
import type { PrecheckInput } from '../contract.ts';
import { composeSshConfig } from '../config-schemas.ts';
import { configOf } from '../define.ts';
import { parseHostSpec } from '../ssh/target.ts';
import { compileExcludes, repoExcludePatterns } from '../ssh/upload.ts';
import { enforcePolicy } from './policy.ts';
import { safeRelativePath } from './project.ts';

/** The compose file input of a request: relative, inside the repo (a usage error otherwise). */
export const composeFileOf = (config: { compose_file?: string }, inputs: Readonly<Record<string, string>>) =>
  safeRelativePath(inputs.compose_file ?? config.compose_file ?? 'docker-compose.yml', 'compose_file');

/** The compose file, read from the local repo (what the host will hold), for its services and volumes. */
export function localComposeText(
  extId: string,
  repo: string,
  composeFile: string,
  excluded: boolean,
): string {
  const path = join(repo, composeFile);
  const problem = excluded
    ? 'is excluded from the transfer (exclude patterns / .sandboxerignore)'
    : !existsSync(path)
      ? 'does not exist'
      : lstatSync(path).isSymbolicLink()
        ? 'is a symbolic link (the host would resolve it elsewhere)'
        : undefined;
  if (problem) {
    throw new BackendError(extId, `compose file ${composeFile} ${problem} in ${repo}`, {
      retryable: false,
      hint: 'pass --input compose_file=<path of the compose file inside the repo>',
    });
  }
  return readFileSync(path, 'utf8');
}

/** The repo's exclude patterns (profile config `exclude` and the repo's .sandboxerignore). */
export const excludePatternsOf = (config: { exclude?: string[] }, repo: string) =>
  repoExcludePatterns(repo, config.exclude ?? []);

/**
 * Before any record: the compose_file input is a path inside the repo, the compose file is there, and it passes
 * the compose policy (binds checked against the local repo, symbolic links included).
 */
export function composePrecheck(input: PrecheckInput): void {
  const cfg = configOf(input, composeSshConfig);
  // A bad host spec is refused here, not after a record exists.
  if (input.env.SANDBOXER_HOST) parseHostSpec(input.env.SANDBOXER_HOST);
  const composeFile = composeFileOf(cfg, input.inputs);
  const repo = input.inputs.repo;
  if (!repo) return;
  const patterns = excludePatternsOf(cfg, repo);
  const excluded = compileExcludes(patterns)(composeFile, false);
  let text: string;
  try {
    text = localComposeText(input.manifest.id, repo, composeFile, excluded);
  } catch {
    return; // no compose file to check: provisioning says so (another candidate of a route may not need one)
  }
  enforcePolicy(text, composeFile, { config: input.config, log: input.log, repo });
}
