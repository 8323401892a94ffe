import { extractKeywords, type Keyword } from './keywords';
import { type DetectedLanguage, detectLanguage } from './language';
import { extractMentions, type Mentions } from './mentions';
import { prepareRedditText } from './reddit-text';
import { type Sentiment, type SentimentScorer } from './sentiment';

/** Everything NLP says about one Reddit text. Small and bounded, so windows merge it cheaply. */
export interface TextAnalysis {
  /** 'non-en' texts are marked, not scored as English. */
  readonly language: DetectedLanguage;
  /** null when there is nothing to score: empty, deleted, removed or not English. */
  readonly sentiment: Sentiment | null;
  readonly keywords: readonly Keyword[];
  readonly mentions: Mentions;
  /** True when Reddit replaced the body with [deleted] or [removed]. */
  readonly removed: boolean;
}

export interface TextParts {
  readonly title?: string | null;
  readonly body?: string | null;
}

/**
 * The NLP of one Reddit item: mentions from the raw markdown (links matter),
 * then keywords and sentiment on the author's own words (markdown, quotes,
 * code and URLs stripped), unless the text is not English.
 */
export function analyzeRedditText(parts: TextParts, scorer: SentimentScorer): TextAnalysis {
  // Preparing stops past the scorer's budget, so a huge body costs only what gets scored.
  const budget = { maxChars: scorer.maxChars };
  const title = prepareRedditText(parts.title, budget);
  const body = prepareRedditText(parts.body, budget);
  const text = [title.text, body.text].filter((part): part is string => part !== null).join('\n');
  const raw = [parts.title, parts.body].filter((part): part is string => !!part).join('\n');
  const mentions = extractMentions(raw);
  const removed = body.removed && title.text === null;
  if (text === '') {
    return { language: 'unknown', sentiment: null, keywords: [], mentions, removed };
  }
  const language = detectLanguage(text);
  if (language === 'non-en') {
    return { language, sentiment: null, keywords: [], mentions, removed };
  }
  return {
    language,
    sentiment: scorer.score(text),
    keywords: extractKeywords(text),
    mentions,
    removed,
  };
}
