/** Character classes of the keyword scanner, one table lookup per character. */

export const SEPARATOR = 0;
export const LETTER = 1;
export const DIGIT = 2;
/** Spaces within a line, zero-width characters and markdown emphasis: a phrase goes on. */
export const SPACE = 3;
export const HYPHEN = 4;
export const APOSTROPHE = 5;

const CHAR_CLASS = buildCharClasses();

function buildCharClasses(): Uint8Array {
  const table = new Uint8Array(0x10000);
  const letter = /[\p{L}\p{M}]/u;
  const digit = /\p{Nd}/u;
  for (let code = 0; code < 0x10000; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue; // astral: emoji, rare CJK
    if (code < 0x80) {
      if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90)) table[code] = LETTER;
      else if (code >= 48 && code <= 57) table[code] = DIGIT;
      continue;
    }
    const ch = String.fromCharCode(code);
    if (letter.test(ch)) table[code] = isUnspacedScript(code) ? SEPARATOR : LETTER;
    else if (digit.test(ch)) table[code] = DIGIT;
  }
  for (const code of [0x09, 0x20, 0xa0, 0x1680, 0x202f, 0x205f, 0x2060, 0x3000, 0xfeff]) {
    table[code] = SPACE;
  }
  for (let code = 0x2000; code <= 0x200d; code++) table[code] = SPACE;
  for (const ch of '*_~`') table[ch.charCodeAt(0)] = SPACE;
  for (const code of [0x2d, 0x2010, 0x2011]) table[code] = HYPHEN;
  for (const code of [0x27, 0x2019]) table[code] = APOSTROPHE;
  return table;
}

/** Scripts that do not separate words with spaces. */
function isUnspacedScript(code: number): boolean {
  return (
    (code >= 0x0e00 && code <= 0x0fff) || // Thai, Lao, Tibetan
    (code >= 0x1000 && code <= 0x109f) || // Myanmar
    (code >= 0x1780 && code <= 0x17ff) || // Khmer
    (code >= 0x2e80 && code <= 0xa4cf) || // CJK, kana, bopomofo, Yi
    (code >= 0xf900 && code <= 0xfaff) || // CJK compatibility
    (code >= 0xff66 && code <= 0xff9f) // half-width katakana
  );
}

/** NaN (past the end) and unlisted codes are separators. */
export function classOf(code: number): number {
  return CHAR_CLASS[code] ?? SEPARATOR;
}

export function isWordClass(cls: number): boolean {
  return cls === LETTER || cls === DIGIT;
}

function isWhitespace(code: number): boolean {
  return (
    code === 32 ||
    (code >= 9 && code <= 13) ||
    code === 0xa0 ||
    (code >= 0x2000 && code <= 0x200b) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x3000
  );
}

export function skipToWhitespace(s: string, from: number): number {
  let i = from;
  while (i < s.length && !isWhitespace(s.charCodeAt(i))) i++;
  return i;
}

// ---------------------------------------------------------------------------
// Scanning: words -> phrases -> counts.
