import { AppError } from '@app/common/app-error';
import {
  REDDIT_DEFAULTS,
  missingRedditSettings,
  toRedditClientConfig,
  validateUserAgent,
} from '@app/ingest/sources/reddit/reddit-config';

describe('validateUserAgent', () => {
  it.each([
    'nodejs:reddit-live-analytics:0.1.0 (by /u/test_bot)',
    'linux:com.example.analytics:v1.2.3 (by /u/Some-User_99)',
    'web:my_app:2024.1 (by /u/abc)',
  ])('accepts %p (<platform>:<app id>:<version> (by /u/<username>))', (ua) => {
    expect(validateUserAgent(ua)).toBeNull();
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['my reddit bot', /<platform>:<app id>:<version> \(by \/u\/<username>\)/],
    ['nodejs:reddit-live-analytics:0.1.0', /must look like/],
    ['nodejs:reddit-live-analytics (by /u/test_bot)', /must look like/],
    ['nodejs:reddit live:0.1.0 (by /u/test_bot)', /must look like/],
    ['nodejs:app:0.1.0 (by test_bot)', /must look like/],
    ['nodejs:app:0.1.0 (by /u/ab)', /must look like/],
    ['nodejs:app:0.1.0 (by /u/name.with.dots)', /must look like/],
    ['Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0', /imitates a browser/],
  ])('refuses %p', (ua, reason) => {
    expect(validateUserAgent(ua)).toMatch(reason);
  });
});

describe('missingRedditSettings', () => {
  it('names every missing variable', () => {
    expect(missingRedditSettings({})).toEqual([
      'REDDIT_CLIENT_ID',
      'REDDIT_CLIENT_SECRET',
      'REDDIT_USER_AGENT',
    ]);
    expect(missingRedditSettings({ clientId: ' ', clientSecret: null, userAgent: null })).toEqual([
      'REDDIT_CLIENT_ID',
      'REDDIT_CLIENT_SECRET',
      'REDDIT_USER_AGENT',
    ]);
  });

  it('reports a user agent Reddit would refuse, without echoing secrets', () => {
    const problems = missingRedditSettings({
      clientId: 'id',
      clientSecret: 'very-secret',
      userAgent: 'curl/8.0',
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^REDDIT_USER_AGENT: /);
    expect(problems.join()).not.toContain('very-secret');
  });

  it('wants both halves of the script grant', () => {
    const base = { clientId: 'id', clientSecret: 's', userAgent: 'web:app:1 (by /u/someone)' };
    expect(missingRedditSettings({ ...base, username: 'bot' })).toEqual([
      expect.stringMatching(/^REDDIT_PASSWORD/),
    ]);
    expect(missingRedditSettings({ ...base, password: 'pw' })).toEqual([
      expect.stringMatching(/^REDDIT_USERNAME/),
    ]);
    expect(missingRedditSettings({ ...base, username: 'bot', password: 'pw' })).toEqual([]);
    expect(missingRedditSettings(base)).toEqual([]);
  });
});

describe('toRedditClientConfig', () => {
  it('fills Reddit defaults', () => {
    expect(
      toRedditClientConfig({
        clientId: 'id',
        clientSecret: 's',
        userAgent: 'web:app:1 (by /u/someone)',
        username: '',
        password: null,
      }),
    ).toEqual({
      clientId: 'id',
      clientSecret: 's',
      userAgent: 'web:app:1 (by /u/someone)',
      username: null,
      password: null,
      authBaseUrl: REDDIT_DEFAULTS.authBaseUrl,
      apiBaseUrl: REDDIT_DEFAULTS.apiBaseUrl,
      requestTimeoutMs: REDDIT_DEFAULTS.requestTimeoutMs,
    });
    expect(REDDIT_DEFAULTS).toMatchObject({
      authBaseUrl: 'https://www.reddit.com',
      apiBaseUrl: 'https://oauth.reddit.com',
    });
  });

  it('throws UNPROCESSABLE listing what is missing', () => {
    let thrown: unknown;
    try {
      toRedditClientConfig({ clientId: 'id' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({
      code: 'UNPROCESSABLE',
      details: { missing: ['REDDIT_CLIENT_SECRET', 'REDDIT_USER_AGENT'] },
    });
  });
});
