import { endRequestTransaction } from '../database/request-transaction';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import { E_TIMEOUT, Semaphore, SemaphoreInterface, withTimeout } from 'async-mutex';
import { GraphQLError, GraphQLSchema, SelectionNode } from 'graphql';
import { getArgumentValues } from 'graphql/execution/values.js';
import { currentQueryScope } from '../database/query-counter';
import type { HubContext } from './context';
import { ErrorCode } from './errors';

/** Root fields that read or write whole documents: longer statement timeout, few at a time. */
export const HEAVY_FIELDS = new Set(['exportOscal', 'importFramework', 'importMappings', 'importApplicability', 'importEvidenceRegister']);

export interface WorkLimits {
  /** statement_timeout of an ordinary request's statements, ms. */
  statementTimeoutMs: number;
  /** statement_timeout of exports and imports, ms. */
  heavyStatementTimeoutMs: number;
  /** Exports and imports running at once in this process; the rest wait (bounded) or get 503. */
  heavyConcurrency: number;
  /** Longest wait for a free database connection or a heavy-work slot, ms. */
  poolWaitMs: number;
}

const RETRY_AFTER_SECONDS = '2';

const busy = (message: string) =>
  new GraphQLError(message, {
    extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, http: { status: 503, headers: new Map([['retry-after', RETRY_AFTER_SECONDS]]) } },
  });

/**
 * Bounded work per request: every statement runs under a statement_timeout, and exports and imports
 * (which read or write whole documents) take one of a few slots, so however many of them are sent at
 * once, ordinary requests still find free database connections.
 */
export class WorkGate {
  private readonly heavy: SemaphoreInterface;

  constructor(
    readonly limits: WorkLimits,
    private readonly schema: GraphQLSchema,
    /** The operation cost limit (HUB_MAX_COMPLEXITY): an export costs the rows it reads. */
    private readonly maxComplexity: number,
  ) {
    this.heavy = withTimeout(new Semaphore(Math.max(1, limits.heavyConcurrency)), limits.poolWaitMs);
  }

  /**
   * What the exportOscal fields of an operation read, in rows: the static cost estimate counts a field
   * as 1, but an assessment-results export reads every evidence item of the organization.
   */
  private async exportCost(ctx: HubContext, selections: readonly SelectionNode[], variables: Record<string, unknown>): Promise<number> {
    const field = this.schema.getQueryType()?.getFields().exportOscal;
    let cost = 0;
    for (const sel of selections) {
      if (sel.kind !== 'Field' || sel.name.value !== 'exportOscal' || !field) continue;
      let args: Record<string, unknown>;
      try {
        args = getArgumentValues(field, sel, variables);
      } catch {
        continue; // arguments that do not coerce fail the field before it reads anything
      }
      const keys = [args.framework, args.source, args.target].filter((k): k is string => typeof k === 'string');
      cost += await ctx.services.interchange.exportCost(ctx.organizationId, keys, args.kind === 'ASSESSMENT_RESULTS');
    }
    return cost;
  }

  /** A heavy-work slot, or SERVICE_UNAVAILABLE (503, Retry-After) when none frees up within poolWaitMs. */
  async acquireHeavy(): Promise<() => void> {
    try {
      const [, release] = await this.heavy.acquire();
      let released = false;
      return () => {
        if (!released) release();
        released = true;
      };
    } catch (err) {
      if (err === E_TIMEOUT) throw busy(`Too many exports and imports are running; none finished within ${this.limits.poolWaitMs} ms; retry`);
      throw err;
    }
  }

  /** For GraphQL: the timeout of the request's statements, and a slot for operations with a heavy root field. */
  plugin(): ApolloServerPlugin<HubContext> {
    return {
      requestDidStart: async () => {
        // Another plugin can fail the operation while the slot is still awaited: then willSendResponse
        // runs first, and the slot, once granted, goes straight back.
        let release: (() => void) | undefined;
        let finished = false;
        return {
          didResolveOperation: async ({ operation, contextValue, request }) => {
            const heavy = operation?.selectionSet.selections.some((s) => s.kind === 'Field' && HEAVY_FIELDS.has(s.name.value));
            if (!heavy) return;
            const cost = await this.exportCost(contextValue, operation!.selectionSet.selections, request.variables ?? {});
            if (cost > this.maxComplexity) {
              throw new GraphQLError(`This export reads about ${cost} rows, more than the limit of ${this.maxComplexity} per operation; GET /export/oscal/... streams it instead`, {
                extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, complexity: cost, maxComplexity: this.maxComplexity, http: { status: 400 } },
              });
            }
            if (finished) return;
            // The request gate's transaction holds a pooled connection: give it back while the request waits
            // for its slot (the operation opens its own when it runs), or waiting exports would hold the pool.
            if (contextValue.queryScope.transaction) await endRequestTransaction(contextValue.queryScope, true);
            const granted = await this.acquireHeavy();
            if (finished) {
              granted();
              return;
            }
            release = granted;
            contextValue.queryScope.statementTimeoutMs = this.limits.heavyStatementTimeoutMs;
          },
          willSendResponse: async ({ response }) => {
            finished = true;
            release?.();
            if (response.body.kind !== 'single') return;
            // A request that failed only because the database was out of reach or busy: 503, retry later.
            const result = response.body.singleResult;
            const unavailable = result.errors?.some((e) => e.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE);
            const data = result.data as Record<string, unknown> | null | undefined;
            if (unavailable && (!data || Object.values(data).every((v) => v === null)) && response.http) {
              response.http.status = 503;
              response.http.headers.set('retry-after', RETRY_AFTER_SECONDS);
            }
          },
        };
      },
    };
  }

  /** For the REST exports: the same slot and timeout. */
  heavyRoute(): RequestHandler {
    return async (_req, res, next) => {
      let release: () => void;
      try {
        release = await this.acquireHeavy();
      } catch (err) {
        const e = err as GraphQLError;
        res.status(503).setHeader('retry-after', RETRY_AFTER_SECONDS);
        res.json({ errors: [{ message: e.message, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } }] });
        return;
      }
      res.once('close', release);
      const scope = currentQueryScope();
      if (scope) scope.statementTimeoutMs = this.limits.heavyStatementTimeoutMs;
      next();
    };
  }
}
