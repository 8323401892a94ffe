import { cutAtWordBoundary } from './text-budget';

/**
 * What a Reddit text points at: other subreddits, users, linked sites, stock
 * tickers and hashtags. Each list is deduplicated, in order of first
 * occurrence, and holds at most `maxPerKind` (10) entries.
 */
export interface Mentions {
  /** Lower-case names without "r/": "askreddit". */
  readonly subreddits: string[];
  /** Lower-case names without "u/": "spez". */
  readonly users: string[];
  /** Lower-case hosts without "www.": "en.wikipedia.org", "youtube.com". */
  readonly domains: string[];
  /** Upper-case symbols without "$": "GME". */
  readonly tickers: string[];
  /** Lower-case tags without "#": "machinelearning". */
  readonly hashtags: string[];
}

export interface MentionOptions {
  /** Most entries per list; a non-negative integer. */
  readonly maxPerKind?: number;
}

export const MAX_MENTIONS_PER_KIND = 10;

/** Reddit bodies stop at 40,000 characters; markdown escaping adds a little. */
/** A link or a name is shorter than this: a cut looks this far back for whitespace. */
const WORD_LOOKBACK = 2000;

export const MAX_MENTION_TEXT_LENGTH = 50_000;

/**
 * Extracts mentions from the RAW text of a submission or comment, before any
 * markdown stripping, because links are what carry the domains.
 *
 * - Subreddits: `r/name` and `/r/name` (Reddit's rule: 2-21 letters, digits or
 *   underscores, not starting with an underscore) at the start of a word, and
 *   links to reddit.com/r/name, which count as a subreddit AND as the domain
 *   reddit.com. Lower-case "r/" only, as Reddit itself links: "R/" is usually a
 *   sentence that starts oddly.
 * - Users: `u/name`, `/u/name`, `/user/name` (3-20 letters, digits, `_`, `-`)
 *   and links to reddit.com/u/name or /user/name.
 * - Domains: hosts of http(s) links, bare `www.` links and `reddit.com/...`,
 *   wherever they appear (markdown links included), lower-case, without
 *   `www.`, `m.` or `mobile.`; reddit.com's front-ends (old., new., np., i.,
 *   amp.) fold into reddit.com. Sub-domains that are different sites stay
 *   (`en.wikipedia.org`). IP addresses and single-label hosts are not domains.
 * - Tickers: `$GME`, 1-5 letters after a `$` that does not follow a letter,
 *   digit or `$`, and not followed by one: "$5", "US$5", "$5k" and "$AB$" are
 *   not tickers. Lower case is accepted ("$gme" -> "GME") except a single
 *   lower-case letter ("$x" is maths or code).
 * - Hashtags: `#` then a letter and 1 to 49 more letters, digits or `_`, not
 *   after a letter, digit, `&` (HTML entities), `/` (URL fragments) or `#`.
 *   A `#` at the start of a line is a markdown header (Reddit does not need a
 *   space after it), so it is not a hashtag; `#123` is an issue number, not a
 *   hashtag.
 *
 * Nothing is taken from inside links (their path, query or fragment) except
 * the reddit.com paths above, and nothing from inline code or fenced code
 * blocks (`$PATH`, `#include`). Markdown escapes (`u/some\_user`) are undone
 * first.
 */
export function extractMentions(rawText: string, options: MentionOptions = {}): Mentions {
  const max = options.maxPerKind ?? MAX_MENTIONS_PER_KIND;
  if (!Number.isInteger(max) || max < 0) {
    throw new RangeError(`maxPerKind must be a non-negative integer, got ${String(max)}`);
  }
  const mentions: Mentions = { subreddits: [], users: [], domains: [], tickers: [], hashtags: [] };
  if (max === 0 || rawText.length === 0) return mentions;

  let text = cutAtWordBoundary(rawText, MAX_MENTION_TEXT_LENGTH, WORD_LOOKBACK);
  if (text.includes('\\')) text = text.replace(MARKDOWN_ESCAPE, '$1');
  if (text.includes('`')) text = text.replace(CODE, blank);

  // Subreddits and users come from links and from text; positions keep them in text order.
  const subreddits = new PositionedNames();
  const users = new PositionedNames();
  const domains = new BoundedSet(mentions.domains, max);

  if (MAY_HAVE_LINK.test(text)) {
    text = text.replace(LINK, (link: string, offset: number) => {
      const parsed = parseLink(link);
      if (parsed !== null) {
        domains.add(parsed.host);
        if (parsed.host === 'reddit.com') {
          const subreddit = REDDIT_PATH_SUBREDDIT.exec(parsed.path);
          if (subreddit?.[1] !== undefined) subreddits.add(offset, subreddit[1]);
          const user = REDDIT_PATH_USER.exec(parsed.path);
          if (user?.[1] !== undefined) users.add(offset, user[1]);
        }
      }
      // Same length, so positions found later still line up with the links' positions.
      return ' '.repeat(link.length);
    });
  }

  if (text.includes('r/')) collect(SUBREDDIT, text, (m) => subreddits.add(m.index, m[1]));
  if (text.includes('u/') || text.includes('user/')) {
    collect(USER, text, (m) => users.add(m.index, m[1]));
  }
  subreddits.drainInto(mentions.subreddits, max);
  users.drainInto(mentions.users, max);

  if (text.includes('$')) {
    const tickers = new BoundedSet(mentions.tickers, max);
    collect(TICKER, text, (m) => {
      const symbol = m[1];
      if (symbol === undefined || (symbol.length === 1 && symbol >= 'a' && symbol <= 'z')) {
        return true;
      }
      return tickers.add(symbol.toUpperCase());
    });
  }
  if (text.includes('#')) {
    const hashtags = new BoundedSet(mentions.hashtags, max);
    collect(HASHTAG, text, (m) => m[1] === undefined || hashtags.add(m[1].toLowerCase()));
  }
  return mentions;
}

// ---------------------------------------------------------------------------
// Patterns. All global: used through `collect` or `replace`, which reset them.

/** Backslash escapes of markdown punctuation. */
const MARKDOWN_ESCAPE = /\\([\\`*_{}[\]()#+\-.!$^~>|])/g;

/** Fenced code blocks (an unclosed fence runs to the end) and inline code. */
const CODE = /```[\s\S]*?(?:```|$)|`[^`\n]*`/g;

const MAY_HAVE_LINK = /:\/\/|www\d{0,3}\.|reddit\.com\//i;

/**
 * A link: http(s) URL, bare www. host, or bare reddit.com path, up to the
 * first whitespace or character that cannot be part of a link in markdown.
 */
const LINK =
  /(?<![\p{L}\p{N}_.@/-])(?:https?:\/\/|www\d{0,3}\.|(?:[a-z0-9-]+\.)*reddit\.com\/)[^\s<>"'`|[\]{}\\^*]+/giu;

const HOST_CHARS = /^[\p{L}\p{N}.-]+/u;
const HOST =
  /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/u;
const MIRROR_PREFIX = /^(?:www\d{0,3}|m|mobile)\./;
const REDDIT_FRONT_END = /^(?:www|old|new|np|i|amp|m)\.reddit\.com$/;
const REDDIT_PATH_SUBREDDIT = /^\/r\/([A-Za-z0-9][A-Za-z0-9_]{1,20})(?![A-Za-z0-9_])/i;
const REDDIT_PATH_USER = /^\/(?:u|user)\/([A-Za-z0-9_-]{3,20})(?![A-Za-z0-9_-])/i;

const SUBREDDIT = /(?<![\p{L}\p{N}_/])\/?r\/([A-Za-z0-9][A-Za-z0-9_]{1,20})(?![A-Za-z0-9_])/gu;
const USER = /(?<![\p{L}\p{N}_/])(?:\/?u|\/user)\/([A-Za-z0-9_-]{3,20})(?![A-Za-z0-9_-])/gu;
const TICKER = /(?<![\p{L}\p{N}_$&/\\])\$([A-Za-z]{1,5})(?![\p{L}\p{N}_$])/gu;
const HASHTAG =
  /(?<![\p{L}\p{M}\p{N}_&#;/\\])(?<!^[ \t>]*)#(\p{L}[\p{L}\p{M}\p{N}_]{1,49})(?![\p{L}\p{M}\p{N}_])/gmu;

// ---------------------------------------------------------------------------

function blank(match: string): string {
  return ' '.repeat(match.length);
}

/** Calls `take` per match until it returns false (its list is full). */
function collect(pattern: RegExp, text: string, take: (match: RegExpExecArray) => boolean): void {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    if (!take(m)) break;
  }
  pattern.lastIndex = 0;
}

/** The canonical host of a link, and its path; null when the host is not a domain name. */
function parseLink(link: string): { host: string; path: string } | null {
  const scheme = link.indexOf('://');
  const rest = scheme >= 0 ? link.slice(scheme + 3) : link;
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd >= 0 ? rest.slice(0, authorityEnd) : rest;
  const path = authorityEnd >= 0 ? rest.slice(authorityEnd) : '';
  const hostAndPort = authority.slice(authority.lastIndexOf('@') + 1);
  let host = (HOST_CHARS.exec(hostAndPort)?.[0] ?? '').toLowerCase();
  while (host.endsWith('.') || host.endsWith('-')) host = host.slice(0, -1);
  if (host.length > 253 || !HOST.test(host)) return null;
  if (REDDIT_FRONT_END.test(host)) return { host: 'reddit.com', path };
  const withoutMirror = host.replace(MIRROR_PREFIX, '');
  return { host: withoutMirror.includes('.') ? withoutMirror : host, path };
}

/** Appends distinct values to `target` until it holds `max`. */
class BoundedSet {
  constructor(
    private readonly target: string[],
    private readonly max: number,
  ) {}

  /** false once full: the caller can stop looking. */
  add(value: string): boolean {
    if (this.target.length >= this.max) return false;
    if (!this.target.includes(value)) this.target.push(value);
    return this.target.length < this.max;
  }
}

/** Names found by position in two passes (links, then text), put back in text order. */
class PositionedNames {
  private static readonly MAX_CANDIDATES = 1000;
  private readonly found: { readonly at: number; readonly name: string }[] = [];

  add(at: number, name: string | undefined): boolean {
    if (name === undefined) return true;
    this.found.push({ at, name: name.toLowerCase() });
    return this.found.length < PositionedNames.MAX_CANDIDATES;
  }

  drainInto(target: string[], max: number): void {
    const unique = new BoundedSet(target, max);
    for (const { name } of this.found.sort((a, b) => a.at - b.at)) {
      if (!unique.add(name)) return;
    }
  }
}
