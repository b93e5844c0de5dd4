import { withQueryScope } from '../../database/query-counter';
import type { HubEventRow } from './event-runtime';
import type { EventFeed } from './event-feed';

/** Rows a replay reads per statement. */
export const REPLAY_PAGE = 500;
/** Live events a stream holds for a slow client; past it the stream reads what it missed from the outbox instead. */
export const LIVE_BUFFER = 1000;

export interface StreamOptions {
  /** The event types wanted (outbox names, e.g. coverage.changed): already narrowed to what the caller may read. */
  types: readonly string[];
  /** A further condition on each event (a framework, say); the types are checked anyway. */
  accept?: (event: HubEventRow) => boolean;
  /** Resume after this event (its position, found by the caller): what was published after it is replayed first. */
  afterPosition?: number;
}

/**
 * One subscription's events, in position order, each once. It listens to the feed from the start, and
 * remembers the position of the last event it handed out (`last`); anything at or before it is skipped.
 * While `behind` (a resume with `after`, or a client too slow for LIVE_BUFFER) it reads the outbox after
 * `last`, page by page, within the organization; the live events that arrive meanwhile wait in the
 * buffer and the ones the outbox already gave are skipped. It stops reading the outbox after a page that
 * was not full and during which the buffer did not overflow: from then on the buffer holds everything
 * after `last` (the feed hands a listener every event after the position it registered at, and that
 * position was visible before the first read).
 */
export class EventStream implements AsyncIterableIterator<HubEventRow> {
  private readonly ready: HubEventRow[] = [];
  private live: HubEventRow[] = [];
  private overflows = 0;
  private wake: (() => void) | null = null;
  private closed = false;
  private close: () => void = () => undefined;
  private readonly types: ReadonlySet<string>;

  private constructor(
    private readonly feed: EventFeed,
    private readonly organizationId: string,
    private readonly options: StreamOptions,
    private last: number,
    private behind: boolean,
  ) {
    this.types = new Set(options.types);
  }

  static async open(feed: EventFeed, organizationId: string, options: StreamOptions): Promise<EventStream> {
    const stream = new EventStream(feed, organizationId, options, options.afterPosition ?? 0, options.afterPosition !== undefined);
    const { from, close } = await feed.listen(organizationId, (rows) => stream.push(rows));
    stream.close = close;
    // Live only: from where the feed is now.
    if (options.afterPosition === undefined) stream.last = from;
    return stream;
  }

  private push(rows: readonly HubEventRow[]): void {
    if (this.closed) return;
    const wanted = rows.filter((r) => this.types.has(r.type));
    if (this.live.length + wanted.length > LIVE_BUFFER) {
      // Too slow a client: drop the buffer and read from the outbox, which keeps everything.
      this.live = [];
      this.behind = true;
      this.overflows++;
    } else {
      this.live.push(...wanted);
    }
    this.wake?.();
  }

  async next(): Promise<IteratorResult<HubEventRow>> {
    for (;;) {
      if (this.closed) return { done: true, value: undefined };
      const event = this.take();
      if (event) return { done: false, value: event };
      if (this.behind) {
        await this.replay();
        continue;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  /** The next event after `last` that is wanted: the outbox's first, then (once caught up) the buffer's. */
  private take(): HubEventRow | undefined {
    while (this.ready.length || (!this.behind && this.live.length)) {
      const r = this.ready.length ? this.ready.shift()! : this.live.shift()!;
      const position = Number(r.position);
      if (position <= this.last) continue;
      this.last = position;
      if (this.types.has(r.type) && (this.options.accept?.(r) ?? true)) return r;
    }
    return undefined;
  }

  private async replay(): Promise<void> {
    const overflows = this.overflows;
    const rows = await withQueryScope({ statements: 0, organizationId: this.organizationId }, () =>
      this.feed.events.after(this.organizationId, this.last, this.options.types, REPLAY_PAGE));
    this.ready.push(...rows);
    if (rows.length < REPLAY_PAGE && overflows === this.overflows) this.behind = false;
  }

  async return(): Promise<IteratorResult<HubEventRow>> {
    this.closed = true;
    this.close();
    this.live = [];
    this.ready.length = 0;
    this.wake?.();
    return { done: true, value: undefined };
  }

  async throw(err?: unknown): Promise<IteratorResult<HubEventRow>> {
    await this.return();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
