export * from './poisson';
export * from './rate-baseline';
export * from './trend-options';
export * from './term-trends';
export * from './subreddit-shifts';
export * from './minute-counts';
export * from './partition-trends';
export * from './all-subreddits-trends';
