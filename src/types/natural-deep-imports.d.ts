// Typings for the two natural modules imported directly (see natural-sentiment.scorer.ts).
declare module 'natural/lib/natural/sentiment/SentimentAnalyzer' {
  import { type SentimentAnalyzer } from 'natural/lib/natural/sentiment';
  const SentimentAnalyzerClass: typeof SentimentAnalyzer;
  export = SentimentAnalyzerClass;
}

declare module 'natural/lib/natural/tokenizers/regexp_tokenizer' {
  export { WordTokenizer } from 'natural/lib/natural/tokenizers';
}
