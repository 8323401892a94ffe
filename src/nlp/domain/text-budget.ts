import { isSpace } from './characters';

/** How far back from the budget a cut looks for whitespace before cutting mid-word. */
const WORD_BOUNDARY_LOOKBACK = 200;

/**
 * The start of `text` that a scorer with a budget of `maxChars` characters
 * reads: cut at the last whitespace within 200 characters before the budget,
 * else at the budget itself (never between the halves of a surrogate pair).
 * Every scorer cuts the same way, so VADER and the features of the trained
 * model see the same words.
 */
export function cutToBudget(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let cut = maxChars;
  const floor = Math.max(1, cut - WORD_BOUNDARY_LOOKBACK);
  let boundary = cut;
  while (boundary >= floor && !isSpace(text.charCodeAt(boundary))) boundary--;
  if (boundary >= floor) cut = boundary;
  else if (isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
  return text.slice(0, cut);
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
