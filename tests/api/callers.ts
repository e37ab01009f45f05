import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The callers of the tenancy tests (#19): alice and carol share scope team-a, bob is team-b, ops is an admin.
 * Tokens are given every way a tokens file can: env:, file: and a SHA-256 digest.
 */
export const TOK = {
  alice: 'alice-0123456789abcdef0123456789',
  carol: 'carol-0123456789abcdef0123456789',
  bob: 'bob-0123456789abcdef0123456789ab',
  ops: 'ops-0123456789abcdef0123456789ab',
};
export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The environment the tokens file's env: ref reads. */
export const tokenEnv = { TOK_ALICE: TOK.alice };

/** Write the tokens file (and carol's token file) into `dir`; returns the tokens file's path. */
export function writeTokensFile(dir: string): string {
  const tokensFile = join(dir, 'tokens.yaml');
  const carolFile = join(dir, 'carol.token');
  writeFileSync(carolFile, `${TOK.carol}\n`, { mode: 0o600 });
  writeFileSync(
    tokensFile,
    [
      'tokens:',
      '  - { caller: ci-alice, scope: team-a, token_ref: "env:TOK_ALICE" }',
      `  - { caller: ci-carol, scope: team-a, token_ref: "file:${carolFile}" }`,
      `  - { caller: ci-bob, scope: team-b, token_sha256: ${sha256(TOK.bob)} }`,
      `  - { caller: ops, scope: ops, admin: true, token_sha256: ${sha256(TOK.ops)} }`,
      '',
    ].join('\n'),
  );
  return tokensFile;
}
