import { Router, Request, Response } from 'express';
import type { Services } from '../../graphql/context';
import { ErrorCode, HubError, badInput, fromDatabaseError } from '../../graphql/errors';
import { principalOf } from '../auth/principal';
import { EDIT, allows, type Role } from '../auth/role';
import type { Principal } from '../auth/token.service';
import { currentQueryScope } from '../../database/query-counter';
import { logger } from '../../logger';
import { MappingMethod, MappingStatus } from '../mapping/mapping.enums';
import { textLimit, tooLongMessage } from '../../graphql/input-bounds';
import { FrameworkImportFormat, MappingImportFormat } from './interchange.service';

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.NOT_FOUND]: 404, [ErrorCode.CONFLICT]: 409, [ErrorCode.FORBIDDEN]: 403, [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
};
export const fail = (res: Response, status: number, message: string, code: ErrorCode, extensions: Record<string, unknown> = {}) =>
  res.status(status).json({ errors: [{ message, extensions: { code, ...extensions } }] });

/** The body's bytes, read as a stream and refused past `max` bytes without reading the rest. */
export async function readBodyBytes(req: Request, max: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * `POST /import/oscal`: an OSCAL catalog or mapping collection as the raw request body, for documents
 * too large to escape into a GraphQL string (the GraphQL body limit is HUB_MAX_BODY_BYTES). The same
 * service, role (EDITOR), checks and `{ path, message }` problems as importFramework and importMappings;
 * the body has its own limit, HUB_IMPORT_MAX_BYTES. Arguments are query parameters:
 * `kind=catalog&key=…&version=…&name=…` or `kind=mapping&key=…&name=…` (provenance), `dryRun=true`.
 */
export function oscalImportRouter(services: Services, maxBytes: number): Router {
  const router = Router();
  router.post('/oscal', async (req, res) => {
    try {
      const p = await routePrincipal(services, req, res, EDIT, (role) => `Role ${role} may not import (needs EDITOR)`);
      if (!p) return;
      const q = (name: string, required = true): string | null => {
        const v = req.query[name];
        if (v === undefined || v === '') {
          if (required) throw badInput(name, `${name} is required`);
          return null;
        }
        if (typeof v !== 'string') throw badInput(name, `${name} must be given once`);
        const max = textLimit(name);
        if (v.length > max) throw badInput(name, tooLongMessage(name, v.length, max));
        return v;
      };
      const kind = q('kind', false) ?? 'catalog';
      if (kind !== 'catalog' && kind !== 'mapping') throw badInput('kind', 'kind must be catalog or mapping');
      const dryRunRaw = q('dryRun', false);
      if (dryRunRaw !== null && dryRunRaw !== 'true' && dryRunRaw !== 'false') throw badInput('dryRun', 'dryRun must be true or false');
      const dryRun = dryRunRaw === 'true';
      // the arguments are checked before the body is read: a bad call does not cost an upload
      const oneOf = <T extends string>(name: string, values: readonly T[]): T | null => {
        const v = q(name, false);
        if (v !== null && !values.includes(v as T)) throw badInput(name, `${name} must be one of ${values.join(', ')}`);
        return v as T | null;
      };
      const catalog = kind === 'catalog' ? { key: q('key')!, version: q('version')!, name: q('name')! } : null;
      const provenance = kind === 'mapping'
        ? { key: q('key')!, name: q('name')!, publisher: q('publisher', false), url: q('url', false), licenceNote: q('licenceNote', false), methodNote: q('methodNote', false),
            method: oneOf('method', Object.values(MappingMethod)), status: oneOf('status', Object.values(MappingStatus)) }
        : null;

      const body = await readBodyBytes(req, maxBytes);
      if (body === null) {
        fail(res, 413, `Import body larger than ${maxBytes} bytes (HUB_IMPORT_MAX_BYTES)`, ErrorCode.PAYLOAD_TOO_LARGE);
        req.resume(); // drain what the client still sends, so it reads the answer
        return;
      }
      const document = body.toString('utf8');
      if (catalog) {
        const r = await services.interchange.importFramework(p.organizationId, { format: FrameworkImportFormat.OSCAL_CATALOG, document, ...catalog, dryRun });
        res.json({ data: {
          created: r.created, unchanged: !r.created && r.framework !== null, dryRun,
          requirementCount: r.rows.length, assessableCount: r.rows.filter((x) => x.assessable).length,
          framework: r.framework ? { key: r.framework.key, version: r.framework.version } : null,
        } });
      } else {
        const r = await services.interchange.importMappings(p.organizationId, { format: MappingImportFormat.OSCAL_MAPPING, document, dryRun, provenance: provenance! });
        res.json({ data: {
          dryRun, mappingCount: r.sets.reduce((n, s) => n + s.mappings.length, 0),
          sets: r.sets.map((s) => ({ key: s.key, sourceFramework: s.sourceFramework, targetFramework: s.targetFramework, mappingCount: s.mappings.length })),
        } });
      }
    } catch (err) {
      answerImportError(res, err, 'import failed');
    }
  });
  return router;
}

/**
 * The caller of a route outside GraphQL, by its token, when its role is in `rule`; else the 401 or 403 is
 * answered and null returned. The request's statements then run as the token's organization.
 */
export async function routePrincipal(services: Services, req: Request, res: Response, rule: readonly Role[], refusal: (role: Role) => string): Promise<Principal | null> {
  const p = await principalOf(services, req.headers.authorization);
  if (typeof p === 'string') {
    res.setHeader('www-authenticate', 'Bearer');
    fail(res, 401, p, ErrorCode.UNAUTHENTICATED);
    return null;
  }
  if (!allows(rule, p.role)) {
    fail(res, 403, refusal(p.role), ErrorCode.FORBIDDEN);
    return null;
  }
  const scope = currentQueryScope();
  if (scope) scope.organizationId = p.organizationId;
  return p;
}

/** An import route's error as the API answers errors: the coded ones with their status, anything else a logged 500 without details. */
export function answerImportError(res: Response, err: unknown, what: string): void {
  const e = err instanceof HubError ? err : fromDatabaseError(err);
  if (e) {
    fail(res, STATUS[e.code] ?? (e.code === ErrorCode.SERVICE_UNAVAILABLE ? 503 : 400), e.message, e.code, e.details);
    return;
  }
  logger.error({ requestId: res.locals.requestId, err }, what);
  fail(res, 500, 'Internal server error', ErrorCode.INTERNAL_SERVER_ERROR);
}
