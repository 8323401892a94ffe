import { type Clock } from '@app/common/clock';
import { type BackoffPolicy, DEFAULT_EMPTY_POLL_BACKOFF, emptyPollDelay } from './timing';

/** One child of a Listing: `{ kind: "t1" | "t3", data: {...} }`. */
export interface ListingChild {
  readonly kind: string | null;
  readonly data: unknown;
  /** data.name, or kind + "_" + data.id; null when neither is there (cannot be deduplicated). */
  readonly fullname: string | null;
}

export type ListingParse =
  | { readonly ok: true; readonly children: readonly ListingChild[] }
  | { readonly ok: false; readonly reason: string };

/** Parses a Listing body; anything else (an HTML error page, a t5) is a reason. */
export function parseListing(body: string): ListingParse {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the response is not JSON' };
  }
  const listing = json as { kind?: unknown; data?: { children?: unknown } } | null;
  if (listing === null || typeof listing !== 'object' || listing.kind !== 'Listing') {
    return { ok: false, reason: 'the response is not a Listing' };
  }
  const children = listing.data?.children;
  if (!Array.isArray(children)) return { ok: false, reason: 'the Listing has no children array' };
  return {
    ok: true,
    children: children.map((child: unknown): ListingChild => {
      const c = (typeof child === 'object' && child !== null ? child : {}) as {
        kind?: unknown;
        data?: unknown;
      };
      const kind = typeof c.kind === 'string' ? c.kind : null;
      const data = (typeof c.data === 'object' && c.data !== null ? c.data : {}) as {
        name?: unknown;
        id?: unknown;
      };
      const fullname =
        typeof data.name === 'string'
          ? data.name
          : kind !== null && typeof data.id === 'string'
            ? `${kind}_${data.id}`
            : null;
      return { kind, data: c.data, fullname };
    }),
  };
}

/** A set of fullnames that forgets the oldest insertions beyond `capacity`. */
export class BoundedFullnameSet {
  private readonly names = new Set<string>();

  constructor(readonly capacity: number) {}

  has(name: string): boolean {
    return this.names.has(name);
  }

  add(name: string): void {
    if (this.names.has(name)) return;
    this.names.add(name);
    if (this.names.size > this.capacity) {
      const oldest = this.names.values().next();
      if (!oldest.done) this.names.delete(oldest.value);
    }
  }

  get size(): number {
    return this.names.size;
  }

  /** Oldest insertion first. */
  values(): string[] {
    return [...this.names];
  }
}

/** An item the poll found for the first time. */
export interface PolledItem extends ListingChild {
  /**
   * The `before` cursor that resumes right after this item, once it and every
   * item returned before it are published; null leaves the cursor as it was.
   */
  readonly cursorAfter: string | null;
}

export interface ListingRequest {
  readonly path: string;
  readonly query: { readonly limit: number; readonly before?: string };
}

export interface ListingPollerOptions {
  /** e.g. "/r/pics+aww/new" or "/r/pics+aww/comments". */
  readonly path: string;
  readonly clock: Clock;
  readonly random?: () => number;
  /** Waits after polls that found nothing new; default 1, 2, 4, 8, 16 s. */
  readonly emptyBackoff?: BackoffPolicy;
  /** After this many empty polls in a row with a `before` cursor, poll once without it. Default 3. */
  readonly cursorlessAfterEmptyPolls?: number;
  /** How many fullnames dedupe remembers. Default 10,000. */
  readonly dedupeCapacity?: number;
  /** Listing page size; Reddit's maximum is 100. */
  readonly limit?: number;
  /** Where a previous run stopped: its cursor and the fullnames it already published. */
  readonly resume?: { readonly cursor?: string | null; readonly seen?: readonly string[] };
}

/**
 * Polls one Reddit listing (newest first) for items it has not seen, and
 * decides when to poll next. Pure: the caller does the HTTP.
 *
 * The cursor is `before=<fullname of the first item Reddit listed>` in the
 * last non-empty response. Ids are never compared: Reddit lists by time, and
 * ids do not always increase in that order. Everything is deduplicated by
 * fullname, because `before` pages may repeat items already seen. Reddit
 * answers `before=<deleted item>` with an empty page forever. So after a few
 * empty polls with a cursor, one poll goes without it, takes the newest page,
 * and relies on dedupe.
 */
export class ListingPoller {
  readonly path: string;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly emptyBackoff: BackoffPolicy;
  private readonly cursorlessAfter: number;
  private readonly limit: number;
  private readonly seen: BoundedFullnameSet;
  private currentCursor: string | null;
  private emptyPolls = 0;
  private emptyPollsWithCursor = 0;
  private due: number;

  constructor(options: ListingPollerOptions) {
    this.path = options.path;
    this.clock = options.clock;
    this.random = options.random ?? Math.random;
    this.emptyBackoff = options.emptyBackoff ?? DEFAULT_EMPTY_POLL_BACKOFF;
    this.cursorlessAfter = Math.max(1, options.cursorlessAfterEmptyPolls ?? 3);
    this.limit = options.limit ?? 100;
    this.seen = new BoundedFullnameSet(options.dedupeCapacity ?? 10_000);
    for (const name of options.resume?.seen ?? []) this.seen.add(name);
    this.currentCursor = options.resume?.cursor ?? null;
    this.due = this.clock.now();
  }

  /** The `before` cursor of the next cursored poll. */
  get cursor(): string | null {
    return this.currentCursor;
  }

  /** Unix ms when the next poll is due. */
  get dueAtMs(): number {
    return this.due;
  }

  /** Consecutive polls (or failures) without anything new. */
  get emptyStreak(): number {
    return this.emptyPolls;
  }

  nextRequest(): ListingRequest {
    const withCursor =
      this.currentCursor !== null && this.emptyPollsWithCursor < this.cursorlessAfter;
    return {
      path: this.path,
      query:
        withCursor && this.currentCursor !== null
          ? { limit: this.limit, before: this.currentCursor }
          : { limit: this.limit },
    };
  }

  /** Takes the children of the response to `request` (newest first); returns the new ones, oldest first. */
  accept(request: ListingRequest, children: readonly ListingChild[]): PolledItem[] {
    const now = this.clock.now();
    const usedCursor = request.query.before !== undefined;
    const newestListed = children[0]?.fullname ?? null;
    if (newestListed !== null) this.currentCursor = newestListed;

    const fresh: ListingChild[] = [];
    for (const child of children) {
      if (child.fullname === null) {
        fresh.push(child);
      } else if (!this.seen.has(child.fullname)) {
        this.seen.add(child.fullname);
        fresh.push(child);
      }
    }

    if (fresh.length > 0) {
      this.emptyPolls = 0;
      this.emptyPollsWithCursor = 0;
      this.due = now;
    } else {
      this.emptyPolls++;
      this.emptyPollsWithCursor = usedCursor ? this.emptyPollsWithCursor + 1 : 0;
      this.due = now + emptyPollDelay(this.emptyPolls, this.emptyBackoff, this.random);
    }

    const oldestFirst = fresh.reverse();
    return oldestFirst.map((child, index) => ({
      ...child,
      cursorAfter: index === oldestFirst.length - 1 ? this.currentCursor : child.fullname,
    }));
  }

  /** The poll failed for good (say a body that is not a Listing): back off as after an empty poll. */
  failed(): void {
    this.emptyPolls++;
    this.due = this.clock.now() + emptyPollDelay(this.emptyPolls, this.emptyBackoff, this.random);
  }
}
