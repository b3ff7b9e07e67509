/**
 * The closest of `candidates` to a mistyped `word` (edit distance, transpositions counted as one
 * edit), when it is close enough to be what was meant: at most 2 edits, and fewer than half the
 * word's length. Undefined otherwise: no guess is better than a wrong one.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(w, candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (best === undefined || best.distance === 0) return best?.candidate;
  return best.distance <= 2 && best.distance < Math.max(2, w.length / 2) ? best.candidate : undefined;
}

/** " (did you mean 'x'?)", or nothing. */
export function didYouMean(word: string, candidates: readonly string[], prefix = ''): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? '' : ` (did you mean '${prefix}${match}'?)`;
}

/** node:util parseArgs' "Unknown option '--prot'…", cut to the point, with the option that was probably meant. */
export function withOptionGuess(message: string, optionNames: readonly string[]): string {
  const unknown = /Unknown option '--([^'=]+)'/.exec(message);
  return unknown ? `unknown option '--${unknown[1] ?? ''}'${didYouMean(unknown[1] ?? '', optionNames, '--')}` : message;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}
