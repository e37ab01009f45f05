import { SANDBOX_ID_RE } from '../../core/ids.ts';
import { LABEL } from '../../core/labels.ts';
import { shQuote } from './quote.ts';

/**
 * A remote command printing `<file>\t<json on one line>` for every file under `dir` matching `glob`. `dir` is
 * quoted; `glob` is a constant of ours (checked), left unquoted so the remote shell expands it.
 */
export function catLabelFiles(dir: string, glob: string): string {
  if (!/^[A-Za-z0-9_.*/-]+$/.test(glob)) throw new Error(`unsafe glob ${glob}`);
  return `for f in ${shQuote(dir)}/${glob}; do [ -f "$f" ] || continue; printf '%s\\t' "$f"; tr -d '\\n' < "$f"; echo; done`;
}

/** Parse what `catLabelFiles` printed: the labels of each file that names one of our sandboxes; junk is skipped. */
export function parseLabelFiles(
  text: string,
): { file: string; id: string; labels: Record<string, string> }[] {
  const out: { file: string; id: string; labels: Record<string, string> }[] = [];
  for (const line of text.split('\n')) {
    const [file, json] = line.split('\t');
    if (!file || !json) continue;
    let labels: Record<string, string>;
    try {
      labels = JSON.parse(json) as Record<string, string>;
    } catch {
      continue;
    }
    const id = labels[LABEL.sandboxId];
    if (id && SANDBOX_ID_RE.test(id)) out.push({ file, id, labels });
  }
  return out;
}
