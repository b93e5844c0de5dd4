import type { EventFeed, FeedListener } from '../../src/modules/events/event-feed';
import type { HubEventRow } from '../../src/modules/events/event-runtime';
import { EventStream, LIVE_BUFFER, REPLAY_PAGE } from '../../src/modules/events/event-stream';

/**
 * The stream's rule (src/modules/events/event-stream.ts) on a feed and an outbox made in memory: every
 * event after the start once, in position order, whether it came from the replay, the live buffer, or
 * the outbox again after a slow client overflowed the buffer.
 */
const ORG = 'org-a';
const row = (position: number, type = 'evidence.created'): HubEventRow => ({
  id: `e${position}`, organization_id: ORG, type, key: `evidence:${position}`, framework_id: position % 2 ? 'fw-odd' : 'fw-even', requirement_id: null,
  evidence_id: null, ai_system_id: null, data: {}, occurred_at: new Date(0), position: String(position), published_at: new Date(0),
});

/** An outbox of rows and a feed over it: `publish` adds rows and hands them to the listeners, as a poll would. */
function world(initial: number) {
  const outbox: HubEventRow[] = Array.from({ length: initial }, (_, i) => row(i + 1));
  const listeners = new Set<FeedListener>();
  let reads = 0;
  const feed = {
    listen: async (_org: string, l: FeedListener) => {
      listeners.add(l);
      return { from: outbox.length, close: () => listeners.delete(l) };
    },
    events: {
      after: async (_org: string, position: number, types: readonly string[], limit: number) => {
        reads++;
        return outbox.filter((r) => Number(r.position) > position && types.includes(r.type)).slice(0, limit);
      },
    },
  } as unknown as EventFeed;
  return {
    feed,
    listeners,
    reads: () => reads,
    /** Adds n rows to the outbox; hands them to the listeners unless `silently` (published, the feed not polled yet). */
    publish: (n: number, type = 'evidence.created', silently = false) => {
      const rows = Array.from({ length: n }, (_, i) => row(outbox.length + i + 1, type));
      outbox.push(...rows);
      if (!silently) for (const l of listeners) l(rows);
      return rows;
    },
  };
}

async function take(stream: EventStream, n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const r = await stream.next();
    if (r.done) break;
    out.push(Number(r.value.position));
  }
  return out;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('event stream', () => {
  it('live only: what is published after it opened, nothing before', async () => {
    const w = world(10);
    const s = await EventStream.open(w.feed, ORG, { types: ['evidence.created'] });
    w.publish(5);
    expect(await take(s, 5)).toEqual(range(11, 15));
    expect(w.reads()).toBe(0);
  });

  it('resuming: the outbox after the position, then live; rows that arrive live during the replay come once', async () => {
    const w = world(2 * REPLAY_PAGE + 10);
    const s = await EventStream.open(w.feed, ORG, { types: ['evidence.created'], afterPosition: 5 });
    const first = await take(s, 3);
    // Published while the replay is under way: in the outbox and live.
    w.publish(20);
    const rest = await take(s, 2 * REPLAY_PAGE + 30 - 5 - 3);
    expect([...first, ...rest]).toEqual(range(6, 2 * REPLAY_PAGE + 30));
    expect(w.reads()).toBe(3);
    w.publish(2);
    expect(await take(s, 2)).toEqual(range(2 * REPLAY_PAGE + 31, 2 * REPLAY_PAGE + 32));
  });

  it('rows published after the last replay read reach the stream live, once', async () => {
    const w = world(10);
    const s = await EventStream.open(w.feed, ORG, { types: ['evidence.created'], afterPosition: 8 });
    // The replay reads 9 and 10, a short page: caught up. 11 to 13 are published after that read and handed out live later.
    expect(await take(s, 2)).toEqual([9, 10]);
    const late = w.publish(3, 'evidence.created', true);
    for (const l of w.listeners) l(late);
    expect(await take(s, 3)).toEqual([11, 12, 13]);
  });

  it('a client slower than the live buffer reads the outbox instead, and still gets every row once, in order', async () => {
    const w = world(0);
    const s = await EventStream.open(w.feed, ORG, { types: ['evidence.created'] });
    w.publish(3);
    expect(await take(s, 1)).toEqual([1]);
    // Nothing consumed while more than the buffer arrives.
    for (let i = 0; i < 3; i++) w.publish(Math.ceil(LIVE_BUFFER / 2));
    const n = 3 + 3 * Math.ceil(LIVE_BUFFER / 2);
    const got = await take(s, n - 1);
    expect(got).toEqual(range(2, n));
    expect(w.reads()).toBeGreaterThan(0);
    w.publish(2);
    expect(await take(s, 2)).toEqual([n + 1, n + 2]);
  });

  it('types and the further condition filter; return() stops listening', async () => {
    const w = world(0);
    const s = await EventStream.open(w.feed, ORG, { types: ['coverage.changed'], accept: (r) => r.framework_id === 'fw-odd' });
    w.publish(2, 'evidence.created');
    w.publish(6, 'coverage.changed');
    expect(await take(s, 3)).toEqual([3, 5, 7]);
    expect(w.listeners.size).toBe(1);
    await s.return();
    expect(w.listeners.size).toBe(0);
    expect(await s.next()).toEqual({ done: true, value: undefined });
  });
});
