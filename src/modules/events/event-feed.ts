import { withQueryScope } from '../../database/query-counter';
import { ErrorCode, HubError } from '../../graphql/errors';
import { logger } from '../../logger';
import type { EventRuntime, HubEventRow } from './event-runtime';
import type { EventService } from './event.service';
import { EventStream, StreamOptions } from './event-stream';
import { SerialPasses } from './serial-passes';

/** Rows hub_events_after hands back per statement; a feed that fell behind reads on until it has caught up. */
export const FEED_BATCH = 500;

export type FeedListener = (events: readonly HubEventRow[]) => void;

/**
 * The one reader of newly published events in this process: every feedPollMs, and right after this
 * process publishes (EventRuntime.onPublished), it reads the events of every organization after its
 * cursor (hub_events_after) and hands each organization's to that organization's listeners, so the
 * database is read once per poll however many subscriptions are open. Other processes publish too,
 * so it polls whether or not this process runs the workers. It reads only while someone listens;
 * after an idle spell it starts again from the head of the stream.
 */
export class EventFeed {
  private cursor = 0;
  private readonly listeners = new Map<string, Set<FeedListener>>();
  private count = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly polling = new SerialPasses(() => this.readAll(), (err) => logger.error({ err }, '[hub] subscription feed could not read events; the next poll retries'),
    () => !this.stopped && this.count > 0);
  private readonly unhook: () => void;

  constructor(
    readonly events: EventService,
    private readonly pollMs: number,
    runtime: EventRuntime | null,
  ) {
    this.unhook = runtime?.onPublished(() => this.poll()) ?? (() => undefined);
  }

  /** Listeners registered now, for one organization or all (tests wait for a subscription to be live). */
  listening(organizationId?: string): number {
    return organizationId === undefined ? this.count : (this.listeners.get(organizationId)?.size ?? 0);
  }

  /**
   * Registers a listener for one organization's events. Resolves with the position live delivery starts
   * after: every event published after it reaches the listener, in position order (rows up to it may
   * reach it too, as a poll that was under way finishes; a listener skips what it has seen).
   */
  async listen(organizationId: string, listener: FeedListener): Promise<{ from: number; close: () => void }> {
    if (this.stopped) throw new HubError(ErrorCode.SERVICE_UNAVAILABLE, 'The server is stopping; subscribe again', {});
    if (this.count === 0) {
      // Idle until now: nothing read since the last listener left, so start from the head.
      const head = await withQueryScope({ statements: 0 }, () => this.events.head());
      this.cursor = Math.max(this.cursor, head);
    }
    let set = this.listeners.get(organizationId);
    if (!set) this.listeners.set(organizationId, (set = new Set()));
    set.add(listener);
    this.count++;
    if (!this.timer && !this.stopped) {
      this.timer = setInterval(() => this.poll(), this.pollMs);
      this.timer.unref();
    }
    let open = true;
    const close = () => {
      if (!open) return;
      open = false;
      set!.delete(listener);
      if (!set!.size) this.listeners.delete(organizationId);
      if (--this.count === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
    return { from: this.cursor, close };
  }

  /**
   * A subscription's stream: what it missed after the event `after` (if given; EVENT_NOT_FOUND when the
   * organization has no such event), then live, each event once (event-stream.ts).
   */
  async open(organizationId: string, options: Omit<StreamOptions, 'afterPosition'> & { after?: string | null }): Promise<EventStream> {
    const { after, ...rest } = options;
    const afterPosition = after == null ? undefined
      : (await withQueryScope({ statements: 0, organizationId }, () => this.events.positionsOf(organizationId, [after], 'after'))).get(after);
    return EventStream.open(this, organizationId, { ...rest, afterPosition });
  }

  /** Read soon. Polls never overlap; a request during one runs another after it. */
  poll(): void {
    if (this.stopped || this.count === 0) return;
    this.polling.request();
  }

  private async readAll(): Promise<void> {
    for (;;) {
      const rows = await withQueryScope({ statements: 0 }, () => this.events.published(this.cursor, FEED_BATCH));
      if (!rows.length) return;
      // The cursor moves and the rows go out in one synchronous step: a listener registered after it
      // starts from the new cursor, one registered before gets these rows.
      this.cursor = Math.max(this.cursor, Number(rows[rows.length - 1].position));
      const byOrganization = new Map<string, HubEventRow[]>();
      for (const r of rows) {
        if (!this.listeners.has(r.organization_id)) continue;
        let list = byOrganization.get(r.organization_id);
        if (!list) byOrganization.set(r.organization_id, (list = []));
        list.push(r);
      }
      for (const [org, list] of byOrganization) {
        for (const listener of this.listeners.get(org) ?? []) {
          try {
            listener(list);
          } catch (err) {
            logger.error({ err, organizationId: org }, '[hub] a subscription listener failed');
          }
        }
      }
      if (rows.length < FEED_BATCH) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unhook();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling.settled();
  }
}
