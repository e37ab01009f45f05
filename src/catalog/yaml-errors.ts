import { LineCounter, parseDocument, type Document } from 'yaml';
import type * as z from 'zod';
import { SandboxerError } from '../core/errors.ts';

/** One problem in one catalog file, located as precisely as the YAML parser allows. */
export interface CatalogIssue {
  file: string;
  field: string;
  line?: number;
  column?: number;
  message: string;
}

export const formatIssue = (i: CatalogIssue): string =>
  `${i.file}${i.line ? `:${i.line}${i.column ? `:${i.column}` : ''}` : ''}: ${i.field ? `${i.field}: ` : ''}${i.message}`;

export class CatalogError extends SandboxerError {
  readonly issues: CatalogIssue[];
  constructor(issues: CatalogIssue[]) {
    super('validation', issues.map(formatIssue).join('\n'), {
      hint: 'fix the catalog file(s) named above; schemas/*.schema.json describe every field',
    });
    this.name = 'CatalogError';
    this.issues = issues;
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

export interface ParsedYaml {
  doc: Document;
  lines: LineCounter;
  value: unknown;
}

export function parseYamlFile(file: string, text: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new CatalogError(
      // The first parse error is the real one; the rest are usually its echoes.
      doc.errors.slice(0, 1).map((e) => {
        const pos = e.linePos?.[0] ?? (e.pos ? lines.linePos(e.pos[0]) : undefined);
        return {
          file,
          field: '',
          ...(pos ? { line: pos.line, column: pos.col } : {}),
          message: `invalid YAML: ${e.message.split('\n')[0]}`,
        };
      }),
    );
  }
  return { doc, lines, value: doc.toJS() };
}

/** Locate the YAML node for a path, falling back to the nearest existing parent (a missing field's parent). */
export function locate(parsed: ParsedYaml, path: readonly PropertyKey[]): { line?: number; column?: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = parsed.doc.getIn(path.slice(0, n) as unknown[], true) as
      { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) {
      const pos = parsed.lines.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

export function zodIssues(file: string, parsed: ParsedYaml, error: z.ZodError): CatalogIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path as PropertyKey[];
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
      const loc = locate(parsed, [...path, issue.keys[0]!]);
      return { file, field: formatPath(path), ...loc, message };
    }
    if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
      message = `required field is missing (expected ${issue.expected})`;
    } else if (
      issue.code === 'invalid_type' &&
      issue.expected === 'string' &&
      /received number/.test(message)
    ) {
      message = `expected a string, got a number: quote it in YAML (e.g. '0.000014')`;
    } else if (issue.code === 'invalid_key') {
      message = `invalid key: ${issue.issues.map((i) => i.message).join('; ')}`;
    }
    return { file, field: formatPath(path), ...locate(parsed, path), message };
  });
}
