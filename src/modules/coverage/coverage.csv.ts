import { Router, Request, Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import type { Services } from '../../graphql/context';
import { HubError, ErrorCode, badInput } from '../../graphql/errors';
import { DATE_BOUNDS_MESSAGE, dateOutOfBounds } from '../../graphql/input-bounds';
import { RequirementKind } from '../framework/framework.enums';
import { CLOSURE_MAX_DEPTH } from '../mapping/mapping-closure.service';
import { CoverageStatus } from './coverage.rules';
import type { CoverageScope } from './coverage.service';
import { DEFAULT_COVERAGE_DEPTH } from './coverage.args';
import { principalOf } from '../auth/principal';
import { writeJson } from '../interchange/json-stream';
import { logger } from '../../logger';
import { currentQueryScope } from '../../database/query-counter';
import type { Principal } from '../auth/token.service';
import { REPORT, allows } from '../auth/role';

/**
 * Spreadsheet exports of the coverage, gap and SoA reports (the same services and numbers as the
 * GraphQL reports, one row per assessable requirement), and the OSCAL exports.
 */
export function csvExportRouter(services: Services): Router {
  const router = Router();
  // Same tokens and rule as the GraphQL reports: ANALYST or above.
  router.use(async (req, res, next) => {
    const p = await principalOf(services, req.headers.authorization);
    if (typeof p === 'string') {
      res.status(401).setHeader('www-authenticate', 'Bearer').json({ errors: [{ message: p, extensions: { code: ErrorCode.UNAUTHENTICATED } }] });
      return;
    }
    if (!allows(REPORT, p.role)) {
      res.status(403).json({ errors: [{ message: `Role ${p.role} may not export reports (needs ANALYST)`, extensions: { code: ErrorCode.FORBIDDEN } }] });
      return;
    }
    res.locals.principal = p;
    const scope = currentQueryScope();
    if (scope) scope.organizationId = p.organizationId;
    next();
  });
  const principal = (_req: Request, res?: Response) => res!.locals.principal as Principal;

  const params = async (req: Request, res: Response, frameworkKey?: string) => {
    const framework = frameworkKey ?? (typeof req.query.framework === 'string' ? req.query.framework : '');
    if (!framework) throw badInput('framework', 'framework is required, e.g. ?framework=iso42001');
    const asOfRaw = typeof req.query.asOf === 'string' ? req.query.asOf : undefined;
    const asOf = asOfRaw ? new Date(asOfRaw) : new Date();
    if (Number.isNaN(asOf.getTime())) throw badInput('asOf', `asOf is not a date-time: "${String(asOfRaw).slice(0, 50)}"`);
    if (dateOutOfBounds(asOf)) throw badInput('asOf', `asOf ${DATE_BOUNDS_MESSAGE}`);
    const depthRaw = typeof req.query.maxDepth === 'string' ? req.query.maxDepth : String(DEFAULT_COVERAGE_DEPTH);
    const maxDepth = Number(depthRaw);
    if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > CLOSURE_MAX_DEPTH) throw badInput('maxDepth', `maxDepth must be between 1 and ${CLOSURE_MAX_DEPTH}`);
    const fw = (await services.framework.requireByKeys([framework])).get(framework)!;
    const { organizationId } = principal(req, res);
    const scope: CoverageScope = { organizationId, asOf, maxDepth, graph: await services.graph.at(organizationId, asOf) };
    return { fw, scope };
  };

  const send = (res: Response, name: string, header: string[], rows: unknown[][]) => {
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${name}"`);
    res.send(stringify([header, ...rows]));
  };

  const handle = (fn: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      await fn(req, res);
    } catch (err) {
      // Failed while streaming (the client left, a timeout): the status is gone, end the connection.
      if (res.headersSent) {
        logger.warn({ requestId: res.locals.requestId, err }, 'export stopped while streaming');
        res.destroy();
        return;
      }
      if (err instanceof HubError) {
        res.status(err.code === ErrorCode.NOT_FOUND ? 404 : 400).json({ errors: [{ message: err.message, extensions: { code: err.code, ...err.details } }] });
        return;
      }
      logger.error({ requestId: res.locals.requestId, err }, 'export failed');
      res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
    }
  };

  const groupRef = async (ancestorIds: string[][]) => {
    const ids = [...new Set(ancestorIds.map((a) => a[0]).filter(Boolean))];
    return services.requirement.findByIds(ids);
  };

  // OSCAL 1.2 documents (src/modules/interchange), under the same roles as the reports.
  // Streamed: an assessment-results document can be tens of megabytes.
  const json = async (res: Response, name: string, doc: Record<string, unknown>) => {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${name}"`);
    await writeJson(res, doc);
    res.end();
  };
  router.get('/oscal/catalog/:framework.json', handle(async (req, res) => {
    await json(res, `${req.params.framework}.json`, await services.interchange.exportCatalog(String(req.params.framework)));
  }));
  router.get('/oscal/mapping/:source/:target.json', handle(async (req, res) => {
    await json(res, `${req.params.source}-${req.params.target}.json`,
      await services.interchange.exportMappings(principal(req, res).organizationId, String(req.params.source), String(req.params.target)));
  }));
  router.get('/oscal/assessment-results/:framework.json', handle(async (req, res) => {
    const { fw, scope } = await params(req, res, String(req.params.framework));
    await json(res, `assessment-results-${fw.key}.json`, await services.interchange.exportAssessmentResults(scope, fw.key));
  }));

  router.get('/coverage.csv', handle(async (req, res) => {
    const { fw, scope } = await params(req, res);
    const rows = await services.coverage.statuses(scope, fw.id);
    const groups = await groupRef(rows.map((r) => r.requirement.ancestorIds));
    send(res, `coverage-${fw.key}.csv`, ['framework', 'version', 'ref', 'title', 'kind', 'group', 'status', 'as_of', 'max_depth'],
      rows.map((r) => [fw.key, fw.version, r.requirement.ref, r.requirement.title, r.requirement.kind,
        groups.get(r.requirement.ancestorIds[0])?.ref ?? '', r.status, scope.asOf.toISOString(), scope.maxDepth]));
  }));

  router.get('/gaps.csv', handle(async (req, res) => {
    const { fw, scope } = await params(req, res);
    const rows = await services.coverage.statuses(scope, fw.id, {
      statuses: [CoverageStatus.GAP, CoverageStatus.STALE, CoverageStatus.PENDING, CoverageStatus.PARTIAL],
    });
    const groups = await groupRef(rows.map((r) => r.requirement.ancestorIds));
    const suggestions = await services.coverage.contributions(scope, rows.map((r) => r.requirement.id), 3, 'suggest');
    const evidence = await services.evidence.findByIds(scope.organizationId, [...suggestions.values()].flat().map((c) => c.link.evidenceId));
    send(res, `gaps-${fw.key}.csv`, ['framework', 'ref', 'title', 'group', 'status', 'suggested_evidence'],
      rows.map((r) => [fw.key, r.requirement.ref, r.requirement.title, groups.get(r.requirement.ancestorIds[0])?.ref ?? '', r.status,
        (suggestions.get(r.requirement.id) ?? []).map((c) => `${evidence.get(c.link.evidenceId)?.title ?? c.link.evidenceId} (${c.coverage.toLowerCase()})`).join('; ')]));
  }));

  router.get('/soa.csv', handle(async (req, res) => {
    const { fw, scope } = await params(req, res);
    const hasControls = (await services.requirement.count([fw.id], { kind: RequirementKind.CONTROL })).get(fw.id)! > 0;
    const rows = await services.coverage.statuses(scope, fw.id, hasControls ? { kinds: [RequirementKind.CONTROL] } : {});
    const decisions = await services.applicability.at(scope.organizationId, rows.map((r) => r.requirement.id), scope.asOf);
    send(res, `soa-${fw.key}.csv`, ['framework', 'ref', 'title', 'applicability', 'justification', 'reasons', 'decided_by', 'decided_at', 'implementation_status'],
      rows.map((r) => {
        const d = decisions.get(r.requirement.id);
        return [fw.key, r.requirement.ref, r.requirement.title, d?.applicability ?? 'UNDECIDED', d?.justification ?? '', (d?.reasons ?? []).join('; '),
          d?.decidedBy ?? '', d?.decidedAt?.toISOString() ?? '', r.status];
      }));
  }));

  return router;
}
