import { AppError } from '@app/common/app-error';

/** Everything the Reddit client needs; built once from the environment by the config module. */
export interface RedditClientConfig {
  /** Where the token endpoint lives; Reddit: https://www.reddit.com. */
  readonly authBaseUrl: string;
  /** Where authenticated API calls go; Reddit: https://oauth.reddit.com. */
  readonly apiBaseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** With `password`: the "script" (password) grant. Without: client_credentials. */
  readonly username?: string | null;
  readonly password?: string | null;
  /** `<platform>:<app id>:<version> (by /u/<username>)`, as Reddit requires. */
  readonly userAgent: string;
  /** Per request, including reading the body. */
  readonly requestTimeoutMs: number;
}

export const REDDIT_DEFAULTS = {
  authBaseUrl: 'https://www.reddit.com',
  apiBaseUrl: 'https://oauth.reddit.com',
  requestTimeoutMs: 15_000,
} as const;

/** True when the config asks for the password ("script") grant. */
export function usesPasswordGrant(config: RedditClientConfig): boolean {
  return Boolean(config.username) && Boolean(config.password);
}

// platform, app id and version are free-form but may not contain ':' or spaces;
// Reddit usernames are 3-20 letters, digits, '_' or '-'.
const USER_AGENT = /^[^\s:]+:[^\s:]+:[^\s:]+ \(by \/u\/[A-Za-z0-9_-]{3,20}\)$/;
const USER_AGENT_EXAMPLE = 'nodejs:reddit-live-analytics:0.1.0 (by /u/your_username)';

/**
 * Checks a User-Agent against the form Reddit's API rules require
 * (`<platform>:<app id>:<version> (by /u/<username>)`). Reddit throttles or
 * bans generic and browser-like agents. Returns why it is unacceptable, or null.
 */
export function validateUserAgent(userAgent: string): string | null {
  const ua = userAgent.trim();
  if (ua === '') return 'the user agent is empty';
  if (/mozilla\/|chrome\/|safari\//i.test(ua)) {
    return 'the user agent imitates a browser, which Reddit forbids';
  }
  if (!USER_AGENT.test(ua)) {
    return `the user agent must look like "<platform>:<app id>:<version> (by /u/<username>)", e.g. "${USER_AGENT_EXAMPLE}"`;
  }
  return null;
}

/** The Reddit settings as the app config carries them: any of them may be missing. */
export interface RedditSettingsInput {
  readonly clientId?: string | null;
  readonly clientSecret?: string | null;
  readonly username?: string | null;
  readonly password?: string | null;
  readonly userAgent?: string | null;
  readonly authBaseUrl?: string | null;
  readonly apiBaseUrl?: string | null;
  readonly requestTimeoutMs?: number | null;
}

function blank(value: string | null | undefined): boolean {
  return value === undefined || value === null || value.trim() === '';
}

/**
 * What keeps a Reddit stream from starting, one entry per problem, each naming
 * the environment variable: missing credentials or user agent, half of the
 * script-grant pair, a user agent Reddit would refuse. Empty when ready.
 * Never includes a value.
 */
export function missingRedditSettings(settings: RedditSettingsInput): string[] {
  const problems: string[] = [];
  if (blank(settings.clientId)) problems.push('REDDIT_CLIENT_ID');
  if (blank(settings.clientSecret)) problems.push('REDDIT_CLIENT_SECRET');
  if (blank(settings.userAgent)) {
    problems.push('REDDIT_USER_AGENT');
  } else {
    const reason = validateUserAgent(settings.userAgent ?? '');
    if (reason !== null) problems.push(`REDDIT_USER_AGENT: ${reason}`);
  }
  const hasUser = !blank(settings.username);
  const hasPassword = !blank(settings.password);
  if (hasUser && !hasPassword) {
    problems.push('REDDIT_PASSWORD (REDDIT_USERNAME is set; the script grant needs both)');
  }
  if (hasPassword && !hasUser) {
    problems.push('REDDIT_USERNAME (REDDIT_PASSWORD is set; the script grant needs both)');
  }
  return problems;
}

/**
 * Turns app settings into a client config, or throws AppError('UNPROCESSABLE')
 * whose details list every problem (see missingRedditSettings).
 */
export function toRedditClientConfig(settings: RedditSettingsInput): RedditClientConfig {
  const problems = missingRedditSettings(settings);
  if (problems.length > 0) {
    throw new AppError(
      'UNPROCESSABLE',
      `Reddit streams need these settings: ${problems.join('; ')}`,
      { missing: problems },
    );
  }
  return {
    clientId: (settings.clientId ?? '').trim(),
    clientSecret: settings.clientSecret ?? '',
    username: blank(settings.username) ? null : (settings.username ?? null),
    password: blank(settings.password) ? null : (settings.password ?? null),
    userAgent: (settings.userAgent ?? '').trim(),
    authBaseUrl: trimSlash(settings.authBaseUrl ?? REDDIT_DEFAULTS.authBaseUrl),
    apiBaseUrl: trimSlash(settings.apiBaseUrl ?? REDDIT_DEFAULTS.apiBaseUrl),
    requestTimeoutMs: settings.requestTimeoutMs ?? REDDIT_DEFAULTS.requestTimeoutMs,
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
