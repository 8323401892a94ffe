import { cutUnits } from '@app/common/text-cut';
import { isSpace } from './characters';

/** How far back from the budget a scorer's cut looks for whitespace before cutting mid-word. */
const WORD_BOUNDARY_LOOKBACK = 200;

/**
 * At most `maxChars` units of `text`, cut at the last whitespace within
 * `lookback` units before the limit, else at the limit itself (never between
 * the halves of a surrogate pair). Every step that reads a bounded start of
 * a text (the scorers, keywords, mentions) cuts this way.
 */
export function cutAtWordBoundary(text: string, maxChars: number, lookback: number): string {
  if (text.length <= maxChars) return text;
  const floor = Math.max(1, maxChars - lookback);
  let boundary = maxChars;
  while (boundary >= floor && !isSpace(text.charCodeAt(boundary))) boundary--;
  return boundary >= floor ? text.slice(0, boundary) : cutUnits(text, maxChars);
}

/**
 * The start of `text` that a scorer with a budget of `maxChars` characters
 * reads. Every scorer cuts the same way, so VADER and the features of the
 * trained model see the same words.
 */
export function cutToBudget(text: string, maxChars: number): string {
  return cutAtWordBoundary(text, maxChars, WORD_BOUNDARY_LOOKBACK);
}
