import { usageError } from '../core/errors.ts';

/** `k=v` pairs (repeatable --input) into a record; the value may contain '='. */
export function parseKeyValues(
  items: string[],
  flag = '--input',
  hint = `repeat ${flag} name=value for each value, e.g. ${flag} repo=./app`,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const i = item.indexOf('=');
    if (i <= 0) throw usageError(`${flag} '${item}' is not of the form key=value`, hint);
    const key = item.slice(0, i).trim();
    if (!/^[a-z][a-z0-9_]*$/.test(key))
      throw usageError(`${flag} key '${key}' must be snake_case (a-z, 0-9, _)`, hint);
    if (key in out) throw usageError(`${flag} '${key}' given twice`, hint);
    out[key] = item.slice(i + 1);
  }
  return out;
}
