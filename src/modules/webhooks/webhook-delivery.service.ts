import type { DataSource, EntityManager } from 'typeorm';
import type { JobInsert } from 'pg-boss' with { 'resolution-mode': 'import' };
import { v7 as uuidv7 } from 'uuid';
import { withQueryScope } from '../../database/query-counter';
import { inTransaction } from '../../database/transaction';
import { Keyset, keysetPage } from '../../graphql/connection.type';
import { ErrorCode, HubError, badInput, notFound } from '../../graphql/errors';
import { isUuid } from '../../graphql/ids';
import { logger } from '../../logger';
import { enumName, envelopeOf, type EventType } from '../events/event-envelope';
import type { EventRuntime, HubEventRow, PublishedEvent, WebhookConfig } from '../events/event-runtime';
import { JobQueue, type Job } from '../events/job-queue';
import { OutboundRefused, parseWebhookUrl, resolveTarget } from './outbound-address';
import { SendOutcome, postJson } from './webhook-sender';
import { signedHeaders } from './webhook-signature';
import { WebhookEndpointService } from './webhook-endpoint.service';
import { WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus } from './webhook.types';

export const WEBHOOK_QUEUE = 'hub-webhook';
/** Failed attempts in a row before an endpoint can be disabled, however long they took. */
export const DISABLE_AFTER_FAILURES = 5;
/** Events one replay call queues; the payload says where to go on. */
export const MAX_REPLAY = 1000;
/** A job whose worker went silent this long past its timeout is tried again (a killed process). */
const EXPIRY_MARGIN_SECONDS = 5;
/** Times a delivery steps back behind an earlier one of its key before it goes anyway (a missing job must not stall it). */
const MAX_REQUEUES = 20;

interface DeliveryJob {
  deliveryId: string;
  organizationId: string;
  /** The retry (job.retryCount) after which a failure is final: the configured limit when queued. */
  lastRetry: number;
  requeues?: number;
}

/** A delivery with what sending it needs: its endpoint and its event. */
interface DeliveryRow {
  id: string;
  organization_id: string;
  endpoint_id: string;
  event_id: string;
  ordering_key: string;
  replay: number;
  status: WebhookDeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  job_id: string | null;
  created_at: Date;
  delivered_at: Date | null;
  event: HubEventRow;
  url: string;
  enabled: boolean;
}

const DELIVERY_SELECT = `SELECT d.*, to_jsonb(e) AS event, w.url, w.enabled
  FROM webhook_delivery d JOIN hub_event e ON e.id = d.event_id JOIN webhook_endpoint w ON w.id = d.endpoint_id`;

/** The endpoints of an organization that want an event: enabled, of its type (or all types), its framework and AI system if filtered. */
const MATCHES = `w.organization_id = e.organization_id AND w.enabled
  AND (cardinality(w.event_types) = 0 OR e.type = ANY(w.event_types))
  AND (w.framework_id IS NULL OR w.framework_id = e.framework_id)
  AND (w.ai_system_id IS NULL OR w.ai_system_id = e.ai_system_id)`;

function toDelivery(r: DeliveryRow): WebhookDelivery {
  return Object.assign(new WebhookDelivery(), {
    id: r.id, endpointId: r.endpoint_id, eventId: r.event_id, eventType: enumName(r.event.type as EventType), eventPosition: Number(r.event.position), orderingKey: r.ordering_key,
    replay: r.replay, status: r.status, attemptCount: r.attempts, lastStatusCode: r.last_status_code, lastError: r.last_error,
    createdAt: r.created_at, deliveredAt: r.delivered_at, payload: envelopeOf(r.event),
  });
}

/**
 * Webhook deliveries: queued by a sink in the transaction that publishes events (a delivery and its
 * pg-boss job exist exactly when the publication commits), sent by pg-boss workers (any process that
 * runs them, each job taken once), retried by pg-boss with exponential backoff and jitter, first in
 * first out per endpoint and event key. The only code that queries webhook_delivery and webhook_attempt.
 */
export class WebhookDeliveryService {
  private events: EventRuntime | null = null;
  private client: Promise<JobQueue> | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly config: WebhookConfig,
    private readonly endpoints: WebhookEndpointService,
  ) {}

  /** Deliveries for every event this process publishes (a process that runs the event workers). */
  attach(events: EventRuntime): void {
    this.events = events;
    events.addSink((em, org, rows) => this.enqueueEvents(em, org, rows));
  }

  async startWorkers(jobs: JobQueue): Promise<void> {
    // Sixteen deliveries in flight per process, each fetching the next at once while a backlog waits
    // (the full benchmark measured 8 deliveries per second with four workers that each polled after every job).
    await jobs.work<DeliveryJob>(WEBHOOK_QUEUE, { pollingIntervalSeconds: 0.5, localConcurrency: 16, burst: true }, (job) => this.deliver(job));
  }

  /** The running queue when this process has one; else a client that only writes jobs for the processes that work them. */
  private queue(): Promise<JobQueue> {
    const running = this.events?.jobs;
    if (running) return Promise.resolve(running);
    return (this.client ??= JobQueue.client(this.ds));
  }

  private job(deliveryId: string, organizationId: string, endpointId: string, key: string, jobId: string, requeues = 0): JobInsert<DeliveryJob> {
    const c = this.config;
    return {
      id: jobId,
      singletonKey: `${endpointId}:${key}`,
      data: { deliveryId, organizationId, lastRetry: c.retryLimit, ...(requeues ? { requeues } : {}) },
      // One retry more than the configured limit: the handler ends a delivery itself at lastRetry, so a
      // job expired on that try (a killed process) is still tried once and never left failed, which
      // would hold its key (key_strict_fifo) until someone removed it.
      retryLimit: c.retryLimit + 1,
      retryDelay: c.retryDelaySeconds,
      retryDelayMax: c.retryDelayMaxSeconds,
      retryBackoff: true,
      expireInSeconds: Math.ceil(c.timeoutMs / 1000) + EXPIRY_MARGIN_SECONDS,
    };
  }

  /**
   * The sink: a delivery and a job per (event, matching endpoint), in position order. Job ids are
   * time-ordered and made here in that order: pg-boss takes a key's jobs by creation time, then id, and
   * jobs written by one statement share their creation time.
   */
  async enqueueEvents(em: EntityManager, org: string, events: PublishedEvent[]): Promise<void> {
    const matches: { endpoint_id: string; event_id: string; key: string }[] = await em.query(
      `SELECT w.id AS endpoint_id, e.id AS event_id, e.key FROM hub_event e JOIN webhook_endpoint w ON ${MATCHES}
       WHERE e.organization_id = $1 AND e.id = ANY($2::uuid[]) ORDER BY e.position, w.id`,
      [org, events.map((e) => e.id)],
    );
    if (!matches.length) return;
    await this.insertDeliveries(em, org, matches.map((m) => ({ endpointId: m.endpoint_id, eventId: m.event_id, key: m.key, replay: 0 })));
  }

  private async insertDeliveries(em: EntityManager, org: string, items: { endpointId: string; eventId: string; key: string; replay: number }[]): Promise<string[]> {
    const jobIds = items.map(() => uuidv7());
    const rows: { id: string }[] = await em.query(
      `INSERT INTO webhook_delivery (organization_id, endpoint_id, event_id, ordering_key, replay, job_id)
       SELECT $1, x.endpoint_id, x.event_id, x.key, x.replay, x.job_id
       FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::uuid[]) WITH ORDINALITY AS x(endpoint_id, event_id, key, replay, job_id, n)
       ORDER BY x.n RETURNING id`,
      [org, items.map((i) => i.endpointId), items.map((i) => i.eventId), items.map((i) => i.key), items.map((i) => i.replay), jobIds],
    );
    const jobs = await this.queue();
    await jobs.insertIn(em, WEBHOOK_QUEUE, rows.map((r, i) => this.job(r.id, org, items[i].endpointId, items[i].key, jobIds[i])));
    return rows.map((r) => r.id);
  }

  /** One job: the delivery's next attempt. Throwing hands the job back to pg-boss for a retry. */
  async deliver(job: Job<DeliveryJob>): Promise<void> {
    const { deliveryId, organizationId } = job.data;
    await withQueryScope({ statements: 0, organizationId }, async () => {
      const [d]: DeliveryRow[] = await this.ds.query(`${DELIVERY_SELECT} WHERE d.id = $1`, [deliveryId]);
      // Deleted with its endpoint, already settled, cancelled, or carried on by a newer job of its own.
      if (!d || d.status !== WebhookDeliveryStatus.PENDING || !d.enabled || d.job_id !== job.id) return;
      if (d.replay === 0 && (job.data.requeues ?? 0) < MAX_REQUEUES && await this.behindAnother(d)) {
        await this.requeue(d, job);
        return;
      }
      const outcome = await this.send(d, job.signal);
      const final = job.retryCount >= job.data.lastRetry;
      const settled = await this.record(d, job, outcome, final);
      if (!outcome.ok && !final && !settled) throw new Error(`webhook delivery ${d.id} failed: ${outcome.error}`);
    });
  }

  /**
   * An earlier event of the same key still pending for this endpoint: deliveries of one key are sent in
   * position order. pg-boss keeps a key's jobs in creation order, which is publication order except when
   * two processes' publishing transactions began in one order and took the publishing lock in the other.
   */
  private async behindAnother(d: DeliveryRow): Promise<boolean> {
    const rows = await this.ds.query(
      `SELECT 1 FROM webhook_delivery p JOIN hub_event pe ON pe.id = p.event_id
       WHERE p.endpoint_id = $1 AND p.ordering_key = $2 AND p.status = 'PENDING' AND p.replay = 0 AND p.id <> $3 AND pe.position < $4 LIMIT 1`,
      [d.endpoint_id, d.ordering_key, d.id, d.event.position],
    );
    return rows.length > 0;
  }

  /** A new job for the delivery, behind those its key already has; this one ends. */
  private async requeue(d: DeliveryRow, job: Job<DeliveryJob>): Promise<void> {
    const jobId = uuidv7();
    const jobs = await this.queue();
    await inTransaction(this.ds, async (em) => {
      await em.query(`UPDATE webhook_delivery SET job_id = $2 WHERE id = $1`, [d.id, jobId]);
      await jobs.insertIn(em, WEBHOOK_QUEUE, [this.job(d.id, d.organization_id, d.endpoint_id, d.ordering_key, jobId, (job.data.requeues ?? 0) + 1)]);
    });
  }

  /** The POST: signed with every secret in use, to the address checked now (the check at registration may be stale). */
  private async send(d: DeliveryRow, stop: AbortSignal): Promise<SendOutcome> {
    const secrets = await this.endpoints.activeSecrets(this.ds.manager, d.endpoint_id);
    if (!secrets.length) return { ok: false, statusCode: null, durationMs: 0, error: 'the endpoint has no signing secret in use (rotate to make one)', excerpt: null };
    const body = JSON.stringify(envelopeOf(d.event));
    const headers = signedHeaders(secrets, d.event_id, Math.floor(Date.now() / 1000), body);
    try {
      const url = parseWebhookUrl(d.url);
      const [target] = await resolveTarget(url, this.config.allowPrivateNetworks);
      return await postJson(url, target, headers, body, AbortSignal.any([AbortSignal.timeout(this.config.timeoutMs), stop]));
    } catch (err) {
      if (err instanceof OutboundRefused) return { ok: false, statusCode: null, durationMs: 0, error: err.message, excerpt: null };
      throw err;
    }
  }

  /**
   * The attempt, the delivery's state and the endpoint's run of failures, in one transaction. Returns
   * true when the delivery is settled (delivered, failed for good, or cancelled meanwhile).
   */
  private async record(d: DeliveryRow, job: Job<DeliveryJob>, o: SendOutcome, final: boolean): Promise<boolean> {
    let disabled = false;
    const settled = await inTransaction(this.ds, async (em) => {
      // The endpoint's row first, then the delivery's: disabling takes them in that order too, and the
      // other order deadlocked two workers (one disabling, one recording) on a failing endpoint.
      let run: { enabled: boolean; consecutive_failures: number; failing_since: Date; exhausted: boolean } | undefined;
      if (o.ok) {
        await em.query(`UPDATE webhook_endpoint SET consecutive_failures = 0, failing_since = NULL WHERE id = $1 AND consecutive_failures > 0`, [d.endpoint_id]);
      } else {
        [[run]] = await em.query(
          `UPDATE webhook_endpoint SET consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, now()) WHERE id = $1
           RETURNING enabled, consecutive_failures, failing_since, consecutive_failures >= $2 AND failing_since <= now() - make_interval(secs => $3) AS exhausted`,
          [d.endpoint_id, DISABLE_AFTER_FAILURES, this.config.disableAfterHours * 3600],
        );
      }
      await em.query(
        `INSERT INTO webhook_attempt (organization_id, delivery_id, status_code, duration_ms, error, response_excerpt) VALUES ($1, $2, $3, $4, $5, $6)`,
        [d.organization_id, d.id, o.statusCode, o.durationMs, o.error, o.excerpt],
      );
      const status = o.ok ? WebhookDeliveryStatus.DELIVERED : final ? WebhookDeliveryStatus.FAILED : WebhookDeliveryStatus.PENDING;
      const [updated] = await em.query(
        `UPDATE webhook_delivery SET attempts = attempts + 1, last_status_code = $2, last_error = $3, status = $4,
           delivered_at = CASE WHEN $4 = 'DELIVERED' THEN now() END, finished_at = CASE WHEN $4 <> 'PENDING' THEN now() END
         WHERE id = $1 AND status = 'PENDING' RETURNING id`,
        [d.id, o.statusCode, o.error, status],
      );
      if (run?.enabled && run.exhausted) {
        await this.disable(em, d, job, run.consecutive_failures, run.failing_since, o);
        disabled = true;
      }
      return !updated.length || status !== WebhookDeliveryStatus.PENDING || disabled;
    });
    if (disabled) this.events?.poke();
    return settled;
  }

  /**
   * Off, with the reason; its pending deliveries cancelled (their jobs too, so their keys are free when
   * it is enabled again) and a webhook.endpoint_disabled event, all with the attempt that tipped it.
   */
  private async disable(em: EntityManager, d: DeliveryRow, job: Job<DeliveryJob>, failures: number, since: Date, o: SendOutcome): Promise<void> {
    const hours = this.config.disableAfterHours;
    const period = hours >= 1 ? `${hours} h` : `${Math.round(hours * 3600)} s`;
    const reason = `Every delivery attempt failed for at least ${period}: ${failures} in a row since ${new Date(since).toISOString()}; the last: ${o.error ?? `HTTP ${o.statusCode}`}`;
    const [[endpoint]] = await em.query(
      `UPDATE webhook_endpoint SET enabled = false, disabled_at = now(), disabled_reason = $2, updated_at = now() WHERE id = $1 RETURNING id, url, description`,
      [d.endpoint_id, reason.slice(0, 2000)],
    );
    const [cancelled]: [{ job_id: string | null }[]] = await em.query(
      `UPDATE webhook_delivery SET status = 'CANCELLED', finished_at = now() WHERE endpoint_id = $1 AND status = 'PENDING' RETURNING job_id`, [d.endpoint_id]);
    const jobs = await this.queue();
    await jobs.cancelIn(em, WEBHOOK_QUEUE, cancelled.map((c) => c.job_id).filter((id): id is string => !!id && id !== job.id));
    await em.query(
      `INSERT INTO hub_event (organization_id, type, key, data) VALUES ($1, 'webhook.endpoint_disabled', $2, $3::jsonb)`,
      [d.organization_id, `webhook:${d.endpoint_id}`, JSON.stringify({
        endpoint: { id: endpoint.id, url: endpoint.url, description: endpoint.description },
        reason, consecutiveFailures: failures, failingSince: new Date(since).toISOString(), lastStatusCode: o.statusCode, lastError: o.error,
        cancelledDeliveries: cancelled.length,
      })],
    );
    logger.warn({ organizationId: d.organization_id, endpointId: d.endpoint_id, failures }, '[hub] webhook endpoint disabled after failing too long');
  }

  // --- replays and the log (GraphQL) ---

  /** The same event once more, as a new delivery behind those its key has queued. */
  async replayDelivery(org: string, deliveryId: string): Promise<WebhookDelivery> {
    const [d]: DeliveryRow[] = isUuid(deliveryId) ? await this.ds.query(`${DELIVERY_SELECT} WHERE d.id = $1 AND d.organization_id = $2`, [deliveryId, org]) : [];
    if (!d) throw notFound(`No webhook delivery with id "${deliveryId.slice(0, 100)}"`, { id: deliveryId.slice(0, 100), field: 'deliveryId' });
    const [id] = await this.replay(org, d.endpoint_id, [{ event_id: d.event_id, key: d.ordering_key }]);
    const [row]: DeliveryRow[] = await this.ds.query(`${DELIVERY_SELECT} WHERE d.id = $1`, [id]);
    return toDelivery(row);
  }

  /** Every published event the endpoint matches from a point on, at most MAX_REPLAY per call, in position order. */
  async replayEvents(org: string, endpointId: string, from: { afterEventId?: string | null; since?: Date | null }): Promise<{ deliveries: WebhookDelivery[]; continueAfterEventId: string | null }> {
    if ((from.afterEventId == null) === (from.since == null)) throw badInput('afterEventId', 'give exactly one of afterEventId and since');
    await this.endpoints.require(org, endpointId, 'endpointId');
    let after = 0;
    if (from.afterEventId != null) {
      const [e] = isUuid(from.afterEventId) ? await this.ds.query(`SELECT position FROM hub_event WHERE id = $1 AND organization_id = $2 AND position IS NOT NULL`, [from.afterEventId, org]) : [];
      if (!e) throw notFound(`No published event with id "${from.afterEventId.slice(0, 100)}" (pruned after the retention period, or never)`, { id: from.afterEventId.slice(0, 100), field: 'afterEventId' });
      after = Number(e.position);
    }
    const events: { event_id: string; key: string }[] = await this.ds.query(
      `SELECT e.id AS event_id, e.key FROM hub_event e JOIN webhook_endpoint w ON w.id = $2 AND ${MATCHES.replace('AND w.enabled', '')}
       WHERE e.organization_id = $1 AND e.position > $3 AND ($4::timestamptz IS NULL OR e.occurred_at >= $4) ORDER BY e.position LIMIT ${MAX_REPLAY + 1}`,
      [org, endpointId, after, from.since?.toISOString() ?? null],
    );
    const page = events.slice(0, MAX_REPLAY);
    const ids = page.length ? await this.replay(org, endpointId, page) : [];
    const rows: DeliveryRow[] = ids.length ? await this.ds.query(`${DELIVERY_SELECT} WHERE d.id = ANY($1::uuid[]) ORDER BY e.position`, [ids]) : [];
    return { deliveries: rows.map(toDelivery), continueAfterEventId: events.length > MAX_REPLAY ? page[page.length - 1].event_id : null };
  }

  private async replay(org: string, endpointId: string, events: { event_id: string; key: string }[]): Promise<string[]> {
    const endpoint = await this.endpoints.require(org, endpointId, 'endpointId');
    if (!endpoint.enabled) throw new HubError(ErrorCode.CONFLICT, 'The endpoint is disabled: enable it before replaying', { field: 'endpointId', id: endpointId });
    return inTransaction(this.ds, async (em) => {
      const replays: { event_id: string; next: number }[] = await em.query(
        `SELECT x.id AS event_id, coalesce((SELECT max(replay) + 1 FROM webhook_delivery d WHERE d.endpoint_id = $1 AND d.event_id = x.id), 1) AS next
         FROM unnest($2::uuid[]) AS x(id)`,
        [endpointId, events.map((e) => e.event_id)],
      );
      const next = new Map(replays.map((r) => [r.event_id, Number(r.next)]));
      return this.insertDeliveries(em, org, events.map((e) => ({ endpointId, eventId: e.event_id, key: e.key, replay: next.get(e.event_id)! })));
    });
  }

  /** An endpoint's deliveries, newest first, keyset on the delivery id (time-ordered). */
  async page(org: string, endpointId: string, status: WebhookDeliveryStatus | null, window: Keyset<string>) {
    await this.endpoints.require(org, endpointId, 'endpointId');
    const params: unknown[] = [org, endpointId, status];
    const where = ['d.organization_id = $1', 'd.endpoint_id = $2', '($3::text IS NULL OR d.status = $3)'];
    const countWhere = where.join(' AND ');
    const bind = (v: string) => { params.push(v); return `$${params.length}::uuid`; };
    if (window.after !== null) where.push(`d.id < ${bind(window.after)}`);
    if (window.before !== null) where.push(`d.id > ${bind(window.before)}`);
    const dir = window.backward ? 'ASC' : 'DESC';
    const rows: DeliveryRow[] = await this.ds.query(`${DELIVERY_SELECT} WHERE ${where.join(' AND ')} ORDER BY d.id ${dir} LIMIT ${window.size + 1}`, params);
    return {
      ...keysetPage(rows.map(toDelivery), window),
      count: async () => (await this.ds.query(`SELECT count(*)::int AS n FROM webhook_delivery d WHERE ${countWhere}`, [org, endpointId, status]))[0].n as number,
    };
  }

  /** Attempts by delivery, oldest first. */
  async attemptsOf(org: string, deliveryIds: readonly string[]): Promise<Map<string, WebhookAttempt[]>> {
    const rows: { id: string; delivery_id: string; attempted_at: Date; status_code: number | null; duration_ms: number; error: string | null; response_excerpt: string | null }[] =
      deliveryIds.length ? await this.ds.query(`SELECT * FROM webhook_attempt WHERE organization_id = $1 AND delivery_id = ANY($2::uuid[]) ORDER BY attempted_at, id`, [org, deliveryIds.filter(isUuid)]) : [];
    const out = new Map<string, WebhookAttempt[]>();
    for (const r of rows) {
      const list = out.get(r.delivery_id) ?? [];
      list.push(Object.assign(new WebhookAttempt(), {
        id: r.id, deliveryId: r.delivery_id, attemptedAt: r.attempted_at, statusCode: r.status_code, durationMs: r.duration_ms, error: r.error, responseExcerpt: r.response_excerpt,
      }));
      out.set(r.delivery_id, list);
    }
    return out;
  }
}
