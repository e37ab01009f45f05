/**
 * One artifact per sandbox and run attempt: `sandboxer-<sandbox id>-a<attempt>.json`. Artifact names are unique
 * within a workflow run across jobs and attempts (a duplicate is refused), hence the attempt in the name; the
 * `.json` suffix is there because the record is uploaded unzipped (the file name is the artifact name).
 */
export const ARTIFACT_PREFIX = 'sandboxer-';
const NAME_RE = /^sandboxer-(sbx-[a-z0-9]{12})-a(\d+)\.json$/;

export function artifactName(sandboxId: string, attempt: string | number): string {
  return `${ARTIFACT_PREFIX}${sandboxId}-a${attempt}.json`;
}

export function parseArtifactName(name: string): { sandboxId: string; attempt: number } | undefined {
  const m = NAME_RE.exec(name);
  return m ? { sandboxId: m[1]!, attempt: Number(m[2]) } : undefined;
}
