/** The Reddit API source: what the stream service uses. */
export {
  REDDIT_DEFAULTS,
  type RedditClientConfig,
  type RedditSettingsInput,
  missingRedditSettings,
  toRedditClientConfig,
  validateUserAgent,
} from './reddit-config';
export {
  FetchRedditHttp,
  RedditHttp,
  type RedditHttpRequest,
  type RedditHttpResponse,
} from './reddit-http';
export { RateLimitBudget, RateLimitBudgets } from './rate-limit';
export {
  RedditApiClient,
  type RedditApiClientOptions,
  type RedditCallOptions,
  type RedditLogger,
} from './reddit-api-client';
export { type SubredditAbout, interpretAboutResponse, validateSubreddits } from './subreddit-about';
export {
  type CreateRedditSourceOptions,
  type RedditCheckpoint,
  RedditSource,
  type RedditSourceTuning,
  createRedditSource,
  parseRedditCheckpoint,
} from './reddit.source';
