import { Request, Response, Router } from 'express';
import type { Services } from '../../graphql/context';
import { badInput, ErrorCode, HubError } from '../../graphql/errors';
import { textLimit, tooLongMessage } from '../../graphql/input-bounds';
import { currentQueryScope } from '../../database/query-counter';
import { logger } from '../../logger';
import { principalOf } from '../auth/principal';
import type { Principal } from '../auth/token.service';
import { allows, READ_EVIDENCE, REPORT, Role } from '../auth/role';
import { registerSheet, render, soaSheet, template } from './export';
import { SheetFormat } from './table';

const CONTENT_TYPE: Record<SheetFormat, string> = {
  [SheetFormat.XLSX]: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  [SheetFormat.CSV]: 'text/csv; charset=utf-8',
};

const formatOf = (ext: string) => (ext === 'xlsx' ? SheetFormat.XLSX : SheetFormat.CSV);

function sendFile(res: Response, name: string, format: SheetFormat, body: Buffer): void {
  res.setHeader('content-type', CONTENT_TYPE[format]);
  res.setHeader('content-disposition', `attachment; filename="${name}"`);
  res.send(body);
}

const fail = (res: Response, status: number, message: string, code: ErrorCode, extensions: Record<string, unknown> = {}) =>
  res.status(status).json({ errors: [{ message, extensions: { code, ...extensions } }] });

const handle = (fn: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
  try {
    await fn(req, res);
  } catch (err) {
    if (err instanceof HubError) {
      fail(res, err.code === ErrorCode.NOT_FOUND ? 404 : 400, err.message, err.code, err.details);
      return;
    }
    logger.error({ requestId: res.locals.requestId, err }, 'spreadsheet export failed');
    fail(res, 500, 'Internal server error', ErrorCode.INTERNAL_SERVER_ERROR);
  }
};

/**
 * `GET /templates/soa.xlsx|csv` and `/templates/evidence-register.xlsx|csv`: the columns the imports read,
 * an example row and (XLSX) a second sheet explaining each column, generated from the same field list the
 * imports use. No token: they hold nothing of anyone's.
 */
export function templatesRouter(): Router {
  const router = Router();
  // Made once per process: they only change with the code.
  const made = new Map<string, Promise<Buffer>>();
  router.get(/^\/(soa|evidence-register)\.(xlsx|csv)$/, handle(async (req, res) => {
    const [kind, ext] = [req.params[0], req.params[1]] as ['soa' | 'evidence-register', string];
    if (!made.has(req.path)) made.set(req.path, render(template(kind), formatOf(ext)));
    sendFile(res, `${kind}-template.${ext}`, formatOf(ext), await made.get(req.path)!);
  }));
  return router;
}

/**
 * `GET /export/soa.xlsx?framework=` (ANALYST, as statementOfApplicability) and
 * `GET /export/evidence-register.xlsx|csv?framework=&sourceSystem=` (whoever reads evidence; an INTEGRATOR
 * only what it wrote): the Statement of Applicability and an evidence register in the shape their imports
 * read, so exporting and importing again changes nothing. (`/export/soa.csv` is the SoA report's CSV.)
 */
export function spreadsheetExportRouter(services: Services): Router {
  const router = Router();
  const who = async (req: Request, res: Response, rule: readonly Role[], needs: string): Promise<Principal | null> => {
    const p = await principalOf(services, req.headers.authorization);
    if (typeof p === 'string') {
      res.setHeader('www-authenticate', 'Bearer');
      fail(res, 401, p, ErrorCode.UNAUTHENTICATED);
      return null;
    }
    if (!allows(rule, p.role)) {
      fail(res, 403, `Role ${p.role} may not export this (needs ${needs})`, ErrorCode.FORBIDDEN);
      return null;
    }
    const scope = currentQueryScope();
    if (scope) scope.organizationId = p.organizationId;
    return p;
  };
  const param = (req: Request, name: string, example: string): string => {
    const v = req.query[name];
    if (typeof v !== 'string' || !v) throw badInput(name, `${name} is required, e.g. ?${name}=${example}`);
    const max = textLimit(name);
    if (v.length > max) throw badInput(name, tooLongMessage(name, v.length, max));
    return v;
  };
  router.get('/soa.xlsx', handle(async (req, res) => {
    const p = await who(req, res, REPORT, 'ANALYST');
    if (!p) return;
    const key = param(req, 'framework', 'iso27001');
    const fw = (await services.framework.requireByKeys([key])).get(key)!;
    const sheet = await soaSheet(services.applicability, p.organizationId, await services.spreadsheets.soaTargets(fw.id));
    sendFile(res, `soa-${fw.key}.xlsx`, SheetFormat.XLSX, await render(sheet, SheetFormat.XLSX));
  }));
  router.get(/^\/evidence-register\.(xlsx|csv)$/, handle(async (req, res) => {
    const p = await who(req, res, READ_EVIDENCE, 'VIEWER or INTEGRATOR');
    if (!p) return;
    const key = param(req, 'framework', 'iso27001');
    const sourceSystem = param(req, 'sourceSystem', 'isms-register');
    const fw = (await services.framework.requireByKeys([key])).get(key)!;
    const format = formatOf(String(req.params[0]));
    const sheet = await registerSheet(services.spreadsheets.dataSource, p.organizationId, sourceSystem, fw.key, p.role === Role.INTEGRATOR ? `${p.name} (${p.prefix})` : null);
    sendFile(res, `evidence-register-${sourceSystem.replace(/[^A-Za-z0-9._-]+/g, '_')}.${format === SheetFormat.XLSX ? 'xlsx' : 'csv'}`, format, await render(sheet, format));
  }));
  return router;
}
