import { readFileSync } from 'node:fs';

/** Where the vader-sentiment package keeps the lexicon (only its data file is used). */
export function defaultVaderLexiconPath(): string {
  return require.resolve('vader-sentiment/vader_lexicon.txt');
}

const cache = new Map<string, ReadonlyMap<string, number>>();

/**
 * Reads the VADER lexicon: one entry a line, tab-separated token, mean valence
 * (-4 … +4), standard deviation and the raw ratings; only the first two fields
 * are used. Keys are lower-cased because lookups are; when a token appears
 * twice the later line wins, and a lower-case entry beats an upper-case
 * variant (":p" 1.0 over ":P" 1.4), which is what case-folded lookups saw in
 * the reference implementation. Parsed once per path.
 */
export function loadVaderLexicon(
  path: string = defaultVaderLexiconPath(),
): ReadonlyMap<string, number> {
  const cached = cache.get(path);
  if (cached) return cached;
  const lexicon = parseVaderLexicon(readFileSync(path, 'utf8'));
  cache.set(path, lexicon);
  return lexicon;
}

export function parseVaderLexicon(content: string): Map<string, number> {
  const lexicon = new Map<string, number>();
  const folded: [string, number][] = [];
  for (const rawLine of content.split('\n')) {
    const line = rawLine.trim();
    if (line === '') continue;
    const firstTab = line.indexOf('\t');
    if (firstTab <= 0) continue;
    const secondTab = line.indexOf('\t', firstTab + 1);
    const token = line.slice(0, firstTab);
    const valence = Number(line.slice(firstTab + 1, secondTab < 0 ? undefined : secondTab));
    if (Number.isNaN(valence)) continue;
    const lower = token.toLowerCase();
    if (lower === token) lexicon.set(token, valence);
    else folded.push([lower, valence]);
  }
  for (const [lower, valence] of folded) if (!lexicon.has(lower)) lexicon.set(lower, valence);
  return lexicon;
}
