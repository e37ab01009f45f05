import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { type QuotedArgs, sh, trusted } from './quote.ts';

/**
 * A tar stream sealed with a trailer, so the host can tell a whole transfer from a cut one. GNU tar accepts a
 * stream cut at a member boundary (exit 0, no end-of-archive blocks needed): without a seal, a transfer killed
 * mid-way extracts as a smaller repo. The trailer follows the tar bytes (tar ignores what follows its
 * end-of-archive blocks) and has a fixed length:
 *   `\nSANDBOXER-TAR <sha256 of the tar bytes, hex> <byte count, space-padded to 16>\n`
 * computed here while streaming, so the tar is read once.
 */
const MAGIC = 'SANDBOXER-TAR';
export const TRAILER_LENGTH = 1 + MAGIC.length + 1 + 64 + 1 + 16 + 1;

export function trailer(sha256: string, bytes: number): string {
  const t = `\n${MAGIC} ${sha256} ${String(bytes).padStart(16, ' ')}\n`;
  if (t.length !== TRAILER_LENGTH) throw new Error('tar trailer: unexpected length');
  return t;
}

/** `tar` (a stream of the archive's bytes) followed by its trailer once it ended. */
export function sealTar(tar: AsyncIterable<Buffer | string>): Readable {
  async function* sealed() {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of tar) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      hash.update(b);
      bytes += b.length;
      yield b;
    }
    yield Buffer.from(trailer(hash.digest('hex'), bytes));
  }
  return Readable.from(sealed(), { objectMode: false });
}

/**
 * Shell: receive a sealed tar on stdin into `file` while extracting it into `dir`, then check the seal (byte
 * count and sha256) and strip it, leaving the bare tar in `file`. On any failure (tar failed, the stream was cut,
 * the digest differs) `file` and the extracted `dir` are removed and the script exits 1 with a message, so
 * nothing after it runs on a partial workspace. `file` may be trusted('"$tmp"'). Needs coreutils (tee, tail, truncate, sha256sum).
 */
export function receiveSealedTar(file: string | QuotedArgs, dir: string): string {
  const L = TRAILER_LENGTH;
  return [
    // tar stops reading at its end-of-archive blocks: drain the rest (the trailer) so tee records it all.
    sh`tee ${file} | { tar -xf - -C ${dir}; r=$?; cat >/dev/null; exit $r; }; rc=$?`,
    sh`ok=; if [ $rc -eq 0 ] && n=$(wc -c < ${file}) && [ "$n" -ge ${L} ]; then`,
    sh`  set -f; set -- $(tail -c ${L} ${file} | tr -d '\\n\\000')`,
    sh`  if [ $# -eq 3 ] && [ "$1" = ${MAGIC} ]; then case "$3" in *[!0-9]*) ;; *)`,
    sh`    if [ $((n - ${trusted(String(L))})) -eq "$3" ] && truncate -s "$3" ${file} && [ "$(sha256sum < ${file} | cut -d' ' -f1)" = "$2" ]; then ok=1; fi;;`,
    '  esac; fi; fi',
    sh`if [ -z "$ok" ]; then rm -f -- ${file}; rm -rf -- ${dir}; echo 'repo transfer incomplete or corrupt (the stream was cut, or its sha256 differs): nothing was kept' >&2; exit 1; fi`,
  ].join('\n');
}
