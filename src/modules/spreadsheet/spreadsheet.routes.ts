import { Request, Response, Router } from 'express';
import type { DataSource } from 'typeorm';
import { actorOf, requestContext, type Services } from '../../graphql/context';
import { beginRequestTransaction, endRequestTransaction } from '../../database/request-transaction';
import { answerImportError, fail, readBodyBytes, routePrincipal } from '../interchange/interchange.upload';
import { reusePicture } from './import.resolver';
import type { ImportRequest } from './import.service';
import { badInput, ErrorCode, HubError } from '../../graphql/errors';
import { textLimit, tooLongMessage } from '../../graphql/input-bounds';
import { currentQueryScope } from '../../database/query-counter';
import { logger } from '../../logger';
import { EDIT, INGEST, READ_EVIDENCE, REPORT, Role } from '../auth/role';
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
  const who = (req: Request, res: Response, rule: readonly Role[], needs: string) =>
    routePrincipal(services, req, res, rule, (role) => `Role ${role} may not export this (needs ${needs})`);
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
    const sheet = await registerSheet(services.spreadsheets.dataSource, p.organizationId, sourceSystem, fw.key, p.role === Role.INTEGRATOR ? actorOf(p) : null);
    sendFile(res, `evidence-register-${sourceSystem.replace(/[^A-Za-z0-9._-]+/g, '_')}.${format === SheetFormat.XLSX ? 'xlsx' : 'csv'}`, format, await render(sheet, format));
  }));
  return router;
}

/**
 * `POST /import/applicability?framework=` (EDITOR) and `POST /import/evidence-register?framework=&sourceSystem=`
 * (INTEGRATOR or EDITOR): the file as the raw body (an XLSX workbook, or CSV), for workbooks larger than a
 * GraphQL request may be (HUB_IMPORT_MAX_BYTES, not HUB_MAX_BODY_BYTES). The other arguments of
 * importApplicability and importEvidenceRegister are query parameters: `sheet`, `format` (XLSX or CSV; else
 * told by the file), `dryRun`, `keepGoodRows`, `removeAbsent`, `reuseTo` (keys separated by commas; empty
 * for none) and `column` (repeated, "header=field"). The answer is the mutation's payload as JSON, its reuse
 * picture as each report's totals and pre-filled requirements. Written as a mutation is: one transaction,
 * with its audit event and coverage events.
 */
export function spreadsheetImportRouter(ds: DataSource, services: Services, maxBytes: number, eventsEnabled: boolean): Router {
  const router = Router();
  router.post(/^\/(applicability|evidence-register)$/, async (req, res) => {
    const kind = req.params[0] as 'applicability' | 'evidence-register';
    const scope = currentQueryScope();
    let opened = false;
    try {
      const [rule, needs] = kind === 'applicability' ? [EDIT, 'EDITOR'] : [INGEST, 'INTEGRATOR or EDITOR'];
      const p = await routePrincipal(services, req, res, rule, (role) => `Role ${role} may not import this (needs ${needs})`);
      if (!p) return;
      if (!scope) throw new Error('no query scope for the import');
      const one = (name: string): string | null => {
        const v = req.query[name];
        if (v === undefined) return null;
        if (typeof v !== 'string') throw badInput(name, `${name} must be given once`);
        const max = textLimit(name);
        if (v.length > max) throw badInput(name, tooLongMessage(name, v.length, max));
        return v;
      };
      const flag = (name: string): boolean => {
        const v = one(name);
        if (v !== null && v !== 'true' && v !== 'false') throw badInput(name, `${name} must be true or false`);
        return v === 'true';
      };
      const framework = one('framework');
      if (!framework) throw badInput('framework', 'framework is required, e.g. ?framework=iso27001');
      const sourceSystem = kind === 'evidence-register' ? one('sourceSystem') : null;
      if (kind === 'evidence-register' && !sourceSystem) throw badInput('sourceSystem', 'sourceSystem is required, e.g. ?sourceSystem=isms-register');
      const format = one('format');
      if (format !== null && format !== SheetFormat.CSV && format !== SheetFormat.XLSX) throw badInput('format', 'format must be XLSX or CSV');
      const reuse = one('reuseTo');
      const rawColumns = req.query.column === undefined ? [] : [req.query.column].flat();
      const columns = rawColumns.map((c) => {
        const m = typeof c === 'string' ? /^(.+)=([A-Za-z]+)$/.exec(c) : null;
        if (!m) throw badInput('column', 'column must be "header=field", e.g. column=Ctrl=ref');
        return { header: m[1], field: m[2] };
      });
      const [dryRun, keepGoodRows, removeAbsent] = [flag('dryRun'), flag('keepGoodRows'), flag('removeAbsent')];
      const fw = (await services.framework.requireByKeys([framework])).get(framework)!;
      // the arguments are checked before the body is read: a bad call does not cost an upload
      const content = await readBodyBytes(req, maxBytes);
      if (content === null) {
        fail(res, 413, `Import body larger than ${maxBytes} bytes (HUB_IMPORT_MAX_BYTES)`, ErrorCode.PAYLOAD_TOO_LARGE);
        req.resume();
        return;
      }
      const isZip = content.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
      const request: ImportRequest = {
        framework: { id: fw.id, key: fw.key }, content, format: (format as SheetFormat | null) ?? (isZip ? SheetFormat.XLSX : SheetFormat.CSV),
        sheet: one('sheet'), columns, dryRun, keepGoodRows,
      };
      const requestId = String(res.locals.requestId);
      await beginRequestTransaction(ds, scope, requestId);
      opened = true;
      const ctx = requestContext(services, p, scope, requestId);
      const result = kind === 'applicability'
        ? await services.spreadsheets.importApplicability(p.organizationId, ctx.actor, request)
        : await services.spreadsheets.importEvidenceRegister(p.organizationId, { actor: ctx.actor, ownOnly: p.role === Role.INTEGRATOR }, {
          ...request, sourceSystem: sourceSystem!, removeAbsent, frameworks: new Map((await services.framework.list(false)).map((f) => [f.key, f.id])),
        });
      const reports = await reusePicture(ctx, fw.key, reuse === null ? null : reuse.split(',').map((k) => k.trim()).filter(Boolean));
      const flushed = eventsEnabled ? await services.coverageEvents.flush(p.organizationId) : null;
      await services.audit.append([{
        tokenId: p.tokenId, tokenPrefix: p.prefix, actor: ctx.actor, operation: kind === 'applicability' ? 'importApplicability' : 'importEvidenceRegister',
        touchedIds: [], variables: null, arguments: { ...req.query, bytes: content.length }, outcome: 'OK',
      }]);
      await endRequestTransaction(scope, true);
      opened = false;
      if (services.events && (flushed || result.written)) services.events.poke();
      res.json({ data: {
        ...result,
        reuse: reports && reports.map((r) => ({
          from: r.from.key, to: r.to.key, totals: r.totals,
          requirements: r.requirements.map((i) => ({ ref: i.requirement.ref, title: i.requirement.title, reach: i.reach })),
        })),
      } });
    } catch (err) {
      if (opened && scope) await endRequestTransaction(scope, false).catch(() => undefined);
      answerImportError(res, err, 'spreadsheet import failed');
    }
  });
  return router;
}
