import type { DataSource, EntityManager } from 'typeorm';
import { withQueryScope } from '../../database/query-counter';
import { inTransaction } from '../../database/transaction';
import { logger } from '../../logger';
import { CoverageEventsService } from './coverage-events.service';
import { JobQueue } from './job-queue';
import { SerialPasses } from './serial-passes';

/** How this process takes part in events (HUB_EVENTS*, src/config.ts). */
export interface EventsConfig {
  /** Write events and coverage history at all (off: the triggers and the flush do nothing). */
  enabled: boolean;
  /** Run the dispatcher, the scheduler and the webhook deliveries in this process. */
  workers: boolean;
  /** The scheduler's period: time-driven events (expiry, due dates) come at most this late. */
  schedulerSeconds: number;
  /** Events older than this are pruned by the scheduler. */
  retentionDays: number;
  /** How often the subscription feed reads newly published events. */
  feedPollMs: number;
  webhooks: WebhookConfig;
}

/** Outbound deliveries (src/modules/webhooks). */
export interface WebhookConfig {
  /** Endpoints on loopback, private, link-local or unique-local addresses are allowed (off in production). */
  allowPrivateNetworks: boolean;
  /** One delivery attempt's limit, connect to last byte. */
  timeoutMs: number;
  /** Retries: exponential backoff with jitter from retryDelaySeconds, capped at retryDelayMaxSeconds, retryLimit times. */
  retryDelaySeconds: number;
  retryDelayMaxSeconds: number;
  retryLimit: number;
  /** An endpoint that has failed every attempt for this long (and at least 5 times) is disabled. */
  disableAfterHours: number;
}

export const DEFAULT_WEBHOOKS: WebhookConfig = {
  allowPrivateNetworks: false, timeoutMs: 10_000, retryDelaySeconds: 10, retryDelayMaxSeconds: 3600, retryLimit: 40, disableAfterHours: 24,
};

export const DEFAULT_EVENTS: EventsConfig = { enabled: true, workers: true, schedulerSeconds: 60, retentionDays: 90, feedPollMs: 500, webhooks: DEFAULT_WEBHOOKS };

/** A published event as the outbox holds it. */
export interface HubEventRow {
  id: string;
  organization_id: string;
  type: string;
  key: string;
  framework_id: string | null;
  requirement_id: string | null;
  evidence_id: string | null;
  ai_system_id: string | null;
  data: Record<string, unknown>;
  occurred_at: Date;
  position: string;
  published_at: Date;
}

/**
 * What happens to events when they are published, inside the publishing transaction: a sink that
 * throws rolls the publication back, and the events are published again on the next pass.
 */
export type EventSink = (em: EntityManager, organizationId: string, events: PublishedEvent[]) => Promise<void>;

/** What a sink is handed: an event without its data (a delivery reads that when it sends). */
export type PublishedEvent = Omit<HubEventRow, 'data'>;

/** A scheduled task run on every scheduler period, once across processes, per organization. */
export type ScheduledTask = (organizationId: string) => Promise<void>;

const PUBLISH_BATCH = 1000;

/**
 * Publishing, scheduling and pruning events. Publishing gives unpublished events their position, in
 * the order they were written, under one lock, and hands them to the sinks (webhook deliveries) in the same transaction.
 * It runs after every committed write of this process, on every scheduler period, and on start (what a
 * killed process left), so an event is published once whichever process gets there first.
 */
export class EventRuntime {
  private readonly sinks: EventSink[] = [];
  private readonly tasks: { name: string; run: ScheduledTask }[] = [];
  private readonly published = new Set<() => void>();
  private readonly publishing = new SerialPasses(() => this.publish(), (err) => logger.error({ err }, '[hub] publishing events failed; the next pass retries'), () => !this.stopped);
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  jobs: JobQueue | null = null;

  constructor(
    private readonly ds: DataSource,
    readonly config: EventsConfig,
    private readonly coverage: CoverageEventsService,
  ) {}

  addSink(sink: EventSink): void {
    this.sinks.push(sink);
  }

  addTask(name: string, run: ScheduledTask): void {
    this.tasks.push({ name, run });
  }

  /** Called after each publication pass that published something (the subscription feed reads then). */
  onPublished(listener: () => void): () => void {
    this.published.add(listener);
    return () => this.published.delete(listener);
  }

  async start(): Promise<void> {
    if (!this.config.enabled || !this.config.workers) return;
    this.jobs = await JobQueue.start(this.ds, { monitorIntervalSeconds: Math.max(1, Math.min(30, this.config.schedulerSeconds)) });
    await this.jobs.work('hub-tick', { pollingIntervalSeconds: Math.max(0.5, Math.min(2, this.config.schedulerSeconds / 2)) }, () => this.tick());
    const period = () => {
      if (this.stopped) return;
      this.jobs?.sendThrottled('hub-tick', {}, this.config.schedulerSeconds).catch((err) => logger.error({ err }, '[hub] scheduler period not queued'));
    };
    period();
    this.timer = setInterval(period, Math.max(250, (this.config.schedulerSeconds * 1000) / 2));
    this.timer.unref();
    this.poke();
  }

  /** Publish soon (after a committed write). Passes never overlap; a poke during one runs another after it. */
  poke(): void {
    if (!this.config.enabled || !this.config.workers || this.stopped) return;
    this.publishing.request();
  }

  /** Publishes every unpublished event, organization by organization; returns how many. */
  async publish(): Promise<number> {
    let total = 0;
    const t0 = performance.now();
    const orgs: { organization_id: string; unpublished: boolean; dirty: boolean }[] = await this.ds.query(`SELECT * FROM hub_events_pending_organizations()`);
    for (const o of orgs) {
      if (o.dirty) {
        // Writes that no flush followed (a path outside a GraphQL mutation): their deltas now.
        await withQueryScope({ statements: 0, organizationId: o.organization_id }, () =>
          inTransaction(this.ds, (em) => this.coverage.flush(o.organization_id, em)));
      }
      for (;;) {
        const n = await withQueryScope({ statements: 0, organizationId: o.organization_id }, () =>
          inTransaction(this.ds, (em) => this.publishBatch(em, o.organization_id)));
        total += n;
        if (n < PUBLISH_BATCH) break;
      }
    }
    if (total) for (const l of this.published) l();
    logger.debug({ published: total, organizations: orgs.length, ms: Math.round(performance.now() - t0) }, '[hub] events published');
    return total;
  }

  private async publishBatch(em: EntityManager, org: string): Promise<number> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtextextended('hub_event_publish', 0))`);
    const events: PublishedEvent[] = await em.query(
      `WITH next AS (
         SELECT e.id, row_number() OVER (ORDER BY e.seq) AS n FROM hub_event e
         WHERE e.organization_id = $1 AND e.position IS NULL ORDER BY e.seq LIMIT $2
       ), s AS (
         UPDATE hub_event_stream SET last_position = last_position + (SELECT count(*) FROM next) WHERE id = 1
         RETURNING last_position - (SELECT count(*) FROM next) AS base
       ), published AS (
         UPDATE hub_event e SET position = s.base + next.n, published_at = now()
         FROM next, s WHERE e.id = next.id
         RETURNING e.id, e.organization_id, e.type, e.key, e.framework_id, e.requirement_id, e.evidence_id, e.ai_system_id, e.occurred_at, e.position, e.published_at
       )
       SELECT * FROM published ORDER BY position`,
      [org, PUBLISH_BATCH],
    );
    // (A SELECT on top: TypeORM answers a bare UPDATE with [rows, count].)
    if (!events.length) return 0;
    for (const sink of this.sinks) await sink(em, org, events);
    return events.length;
  }

  /** One scheduler period: time for every organization, the registered tasks, pruning, then publishing. */
  async tick(): Promise<void> {
    const orgs: { id: string }[] = await this.ds.query(`SELECT id FROM organization ORDER BY id`);
    for (const { id } of orgs) {
      try {
        await withQueryScope({ statements: 0, organizationId: id }, () => inTransaction(this.ds, (em) => this.coverage.advance(id, em)));
        for (const t of this.tasks) await withQueryScope({ statements: 0, organizationId: id }, () => t.run(id));
      } catch (err) {
        logger.error({ err, organizationId: id }, '[hub] scheduler period failed for an organization');
      }
    }
    await this.prune();
    this.poke();
  }

  /** Events written before the retention period, per organization (row-level security); by id, which holds the time it was written. */
  async prune(): Promise<number> {
    const orgs: { id: string }[] = await this.ds.query(`SELECT id FROM organization ORDER BY id`);
    let n = 0;
    for (const { id } of orgs) {
      const r = await withQueryScope({ statements: 0, organizationId: id }, () => this.ds.query(
        `WITH d AS (DELETE FROM hub_event WHERE organization_id = $1 AND position IS NOT NULL AND id < hub_event_id_floor(now() - make_interval(days => $2)) RETURNING 1)
         SELECT count(*)::int AS n FROM d`,
        [id, this.config.retentionDays],
      ));
      n += r[0].n;
    }
    return n;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.publishing.settled();
    await this.jobs?.stop().catch((err) => logger.error({ err }, '[hub] job queue did not stop cleanly'));
  }
}
