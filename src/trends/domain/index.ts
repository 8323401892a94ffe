export * from './poisson';
export * from './rate-baseline';
export * from './trend-options';
export * from './term-trends';
export * from './subreddit-shifts';
