/** Character classes of the VADER tokeniser. */

/** Index just past the emoji starting at `index`: modifiers, ZWJ sequences and flag pairs fold in. */
export function endOfEmoji(text: string, index: number, codePoint: number): number {
  let end = index + (codePoint > 0xffff ? 2 : 1);
  const length = text.length;
  if (codePoint >= 0x1f1e6 && codePoint <= 0x1f1ff) {
    const next = text.codePointAt(end) ?? 0;
    if (next >= 0x1f1e6 && next <= 0x1f1ff) end += 2;
    return end;
  }
  while (end < length) {
    const c = text.charCodeAt(end);
    if (c === 0xfe0f || c === 0xfe0e || c === 0x20e3) end++;
    else if (c === 0xd83c) {
      // Skin tones U+1F3FB … U+1F3FF.
      const low = text.charCodeAt(end + 1);
      if (low >= 0xdffb && low <= 0xdfff) end += 2;
      else break;
    } else if (c === 0xdb40)
      end += 2; // tag characters of subdivision flags
    else if (c === 0x200d && end + 1 < length) {
      const joined = text.codePointAt(end + 1) ?? 0;
      end += 1 + (joined > 0xffff ? 2 : 1);
    } else break;
  }
  return end;
}

/** ASCII punctuation plus the typographic quotes, dashes and ellipsis phones insert. */
export function isPunctuation(c: number): boolean {
  if (c < 0x80)
    return (
      (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)
    );
  return (
    c === 0x2018 ||
    c === 0x2019 ||
    c === 0x201c ||
    c === 0x201d ||
    c === 0x201e ||
    c === 0x2026 ||
    c === 0x2013 ||
    c === 0x2014 ||
    c === 0x2022 ||
    c === 0xab ||
    c === 0xbb ||
    c === 0xa1 ||
    c === 0xbf ||
    c === 0xb7
  );
}

/** Lower-case letters outside ASCII whose upper case differs (Latin-1/Extended, Greek, Cyrillic). */
export function isLowerCaseLetter(c: number): boolean {
  return (
    (c >= 0xdf && c <= 0x24f && c !== 0xf7) ||
    (c >= 0x3b1 && c <= 0x3c9) ||
    (c >= 0x430 && c <= 0x45f)
  );
}
