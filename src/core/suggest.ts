/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The known names closest to a mistyped one (best first, at most `max`): within a third of the longer name's
 * length (at least 2 edits), or containing it / contained in it ("stub" → "profile.saas-stub").
 * `prefix` ("profile.", "ext.") is ignored for the comparison, so a user may type the id without it.
 */
export function suggest(
  input: string,
  known: Iterable<string>,
  opts: { prefix?: string; max?: number } = {},
): string[] {
  const strip = (s: string) => (opts.prefix && s.startsWith(opts.prefix) ? s.slice(opts.prefix.length) : s);
  const want = strip(input).toLowerCase();
  if (!want) return [];
  const scored: [string, number][] = [];
  for (const name of known) {
    const have = strip(name).toLowerCase();
    const d = levenshtein(want, have);
    const bound = Math.max(2, Math.floor(Math.max(want.length, have.length) / 3));
    if (d <= bound) scored.push([name, d]);
    else if (want.length >= 3 && (have.includes(want) || want.includes(have))) scored.push([name, bound + 1]);
  }
  return scored
    .sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]))
    .slice(0, opts.max ?? 3)
    .map(([n]) => n);
}

/** "did you mean 'a' or 'b'?" for the suggestions, or undefined when there are none. */
export function didYouMean(names: string[]): string | undefined {
  if (names.length === 0) return undefined;
  const quoted = names.map((n) => `'${n}'`);
  return `did you mean ${quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : quoted[0]}?`;
}
