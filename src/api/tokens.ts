import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { SecretRef } from '../catalog/schema.ts';
import { CatalogError, formatIssue, parseYamlFile, zodIssues } from '../catalog/yaml-errors.ts';
import { SandboxerError } from '../core/errors.ts';
import type { CredentialResolver } from '../credentials/resolver.ts';
import { MIN_TOKEN_LENGTH, resolveApiToken, tokenDigest, type ApiToken } from './auth.ts';

/** The tokens file (`serve --tokens-file`): a caller, a scope and optionally `admin` for each bearer token. */
const Name = (what: string, max: number) =>
  z
    .string()
    .max(max)
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/,
      `${what} must start with a letter or digit and hold only letters, digits and . _ : @ / -`,
    );

export const TokenEntry = z
  .object({
    /** The caller id recorded on the sandboxes it creates (record.caller.id). */
    caller: Name('a caller id', 64),
    /** Callers of one scope see each other's sandboxes and no others. */
    scope: Name('a scope', 128),
    /** An admin token sees and acts on every sandbox, CLI-made ones included. */
    admin: z.boolean().default(false),
    /** Where the token is: env:NAME, file:PATH or vault:<mount>/<path>#<key>. */
    token_ref: SecretRef.optional(),
    /** Or the token's SHA-256, hex (`printf %s "$TOKEN" | sha256sum`): the file then holds no secret. */
    token_sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (sha256sum of the token)')
      .optional(),
  })
  .strict()
  .refine((t) => (t.token_ref === undefined) !== (t.token_sha256 === undefined), {
    message: 'give exactly one of token_ref and token_sha256',
  });
export type TokenEntry = z.infer<typeof TokenEntry>;

export const TokensFile = z
  .object({ tokens: z.array(TokenEntry).min(1, 'list at least one token') })
  .strict();
export type TokensFile = z.infer<typeof TokensFile>;

const HINT = 'fix the tokens file (see "Callers and scopes" in docs/http-api.md)';

function fileError(file: string, field: string, message: string): SandboxerError {
  return new SandboxerError('usage', formatIssue({ file, field, message }), { hint: HINT });
}

/** Read and validate a tokens file (YAML or JSON); every error names the file, the line and the field. */
export function parseTokensFile(file: string): TokensFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SandboxerError(
      'usage',
      `cannot read the tokens file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      { hint: 'pass --tokens-file PATH of a readable file' },
    );
  }
  let parsed;
  try {
    parsed = parseYamlFile(file, text);
  } catch (err) {
    if (err instanceof CatalogError) throw new SandboxerError('usage', err.message, { hint: HINT });
    throw err;
  }
  const result = TokensFile.safeParse(parsed.value);
  if (!result.success) {
    const issues = zodIssues(file, parsed, result.error);
    throw new SandboxerError('usage', issues.map(formatIssue).join('\n'), { hint: HINT });
  }
  const seen = new Map<string, number>();
  result.data.tokens.forEach((t, i) => {
    const before = seen.get(t.caller);
    if (before !== undefined)
      throw fileError(file, `tokens[${i}].caller`, `caller '${t.caller}' is also tokens[${before}]`);
    seen.set(t.caller, i);
  });
  return result.data;
}

/**
 * The tokens of a tokens file, resolved (token_ref) or taken as digests (token_sha256). Two entries with the same
 * token are refused, naming both entries and not the value.
 */
export async function loadTokens(
  file: string,
  credentials: CredentialResolver,
  env: NodeJS.ProcessEnv,
): Promise<ApiToken[]> {
  const { tokens } = parseTokensFile(file);
  const out: ApiToken[] = [];
  for (const [i, t] of tokens.entries()) {
    let digest: Buffer;
    if (t.token_ref !== undefined) {
      const value = await resolveApiToken(t.token_ref, credentials, env).catch((err: unknown) => {
        const e = err as SandboxerError;
        throw new SandboxerError(e.code ?? 'credentials', `${file}: tokens[${i}].token_ref: ${e.message}`, {
          hint: e.hint ?? `every token must be at least ${MIN_TOKEN_LENGTH} characters`,
        });
      });
      digest = tokenDigest(value);
    } else digest = Buffer.from(t.token_sha256!, 'hex');
    const same = out.findIndex((o) => o.digest.equals(digest));
    if (same >= 0)
      throw fileError(file, `tokens[${i}]`, `the same token as tokens[${same}] (caller '${out[same]!.id}')`);
    out.push({ id: t.caller, scope: t.scope, admin: t.admin, digest });
  }
  return out;
}
