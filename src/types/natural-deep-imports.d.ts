// Typings for the natural modules imported by deep path: the package root loads storage back-ends that read a .env file into process.env.
declare module 'natural/lib/natural/sentiment/SentimentAnalyzer' {
  import { type SentimentAnalyzer } from 'natural/lib/natural/sentiment';
  const SentimentAnalyzerClass: typeof SentimentAnalyzer;
  export = SentimentAnalyzerClass;
}

declare module 'natural/lib/natural/tokenizers/regexp_tokenizer' {
  export { WordTokenizer } from 'natural/lib/natural/tokenizers';
}

declare module 'natural/lib/natural/util/stopwords' {
  /** natural's English stop words, lower-case. */
  export const words: string[];
}
