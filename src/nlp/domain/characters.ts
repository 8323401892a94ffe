/** Character classes the tokenisers share, on UTF-16 code units. */

/** ASCII and Unicode whitespace, including the zero-width space and BOM editors leave in text. */
export function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    (c >= 0x80 &&
      (c === 0xa0 ||
        c === 0x1680 ||
        (c >= 0x2000 && c <= 0x200b) ||
        c === 0x2028 ||
        c === 0x2029 ||
        c === 0x202f ||
        c === 0x205f ||
        c === 0x3000 ||
        c === 0xfeff))
  );
}

/** First code unit of an emoji: U+1F000 … U+1FAFF (surrogates), symbols, dingbats, arrows, stars. */
export function isEmojiStart(c: number): boolean {
  return (
    (c >= 0xd83c && c <= 0xd83e) ||
    (c >= 0x2600 && c <= 0x27bf) ||
    (c >= 0x2300 && c <= 0x23ff) ||
    (c >= 0x2b00 && c <= 0x2bff)
  );
}
