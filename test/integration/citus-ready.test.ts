import { loadModule, parseSync } from 'libpg-query';
import type { DataSource, EntityManager } from 'typeorm';
import { startTestHub, TestHub } from '../harness/hub';

/**
 * The schema as Citus needs it to distribute every organization-owned table by organization_id
 * (docs/scaling.md, "Citus"). An organization-owned table is one with a NOT NULL organization_id; the
 * tables whose organization_id may be NULL (shared catalogs and mapping sets) and organization itself
 * are reference tables. Checked on the migrated database and on the SQL the reports really run:
 * (a) every primary key and unique index of an organization-owned table includes organization_id;
 * (b) every foreign key between two of them pairs organization_id with organization_id, and no other
 *     table refers to one of them (Citus refuses a key from a reference table to a distributed one);
 * (c) every join of two organization-owned relations in a report statement has an organization_id
 *     equality between them.
 */
let t: TestHub;
let systemId: string;
beforeAll(async () => {
  await loadModule();
  t = await startTestHub();
  await t.data(`mutation { declareOrganizationCondition(input: { condition: "integratedManagementSystem", parameters: ["competence"], holds: true,
    effectiveFrom: "2025-01-01T00:00:00Z", note: "One competence process" }) { graph { id } } }`);
  systemId = (await t.data(`mutation { registerAiSystem(input: { name: "Screening", euRoles: [DEPLOYER] }) { id } }`)).registerAiSystem.id;
  const upsert = `mutation($input: UpsertEvidenceInput!) { upsertEvidence(input: $input) { evidence { id } } }`;
  const ev = (externalId: string, ref: string, over: Record<string, unknown> = {}) => ({ input: {
    sourceSystem: 'grc', externalId, title: externalId, kind: 'DOCUMENT', effectiveAt: '2025-06-01T00:00:00Z', status: 'ACCEPTED',
    links: [{ framework: 'iso27001', ref }], ...over } });
  await t.data(upsert, ev('competence', '7.2'));
  const context = (await t.data(upsert, ev('context', '4.1'))).upsertEvidence.evidence.id;
  await t.data(upsert, ev('policy', 'A.5.1', { validUntil: '2026-01-01T00:00:00Z' }));
  await t.data(upsert, ev('logging', 'A.8.15', { status: 'DRAFT', aiSystemId: systemId }));
  await t.data(`mutation { rejectPrefill(input: { framework: "iso42001", ref: "4.1", evidenceId: "${context}", reason: "ISMS only" }) { reason } }`);
  await t.data(`mutation { setApplicability(input: { framework: "iso27001", ref: "A.7.4", applicability: NOT_APPLICABLE,
    justification: "Fully remote", reasons: [RISK_TREATMENT] }) { id } }`);
});
afterAll(async () => {
  await t.stop();
});

/** The organization-owned tables: a NOT NULL organization_id. */
const OWNED_SQL = `
  SELECT c.oid, c.relname, a.attnum AS org FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'organization_id' AND a.attnotnull AND NOT a.attisdropped
  WHERE c.relkind IN ('r', 'p')`;

type Query = Pick<DataSource | EntityManager, 'query'>;

/** (a) Primary keys and unique indexes (partial ones too) of organization-owned tables without organization_id. */
async function keysWithoutOrganization(db: Query): Promise<string[]> {
  const rows: { name: string }[] = await db.query(`
    WITH owned AS (${OWNED_SQL})
    SELECT o.relname || ': ' || pg_get_indexdef(x.indexrelid) AS name FROM owned o
    JOIN pg_index x ON x.indrelid = o.oid AND x.indisunique
    WHERE NOT o.org = ANY(x.indkey::int2[]) ORDER BY 1`);
  return rows.map((r) => r.name);
}

/**
 * (b) Foreign keys between organization-owned tables where no position pairs organization_id with
 * organization_id (Citus needs the distribution column at the same place on both sides), and keys from
 * any other table to an organization-owned one.
 */
async function foreignKeysAcrossOrganizations(db: Query): Promise<string[]> {
  const rows: { name: string }[] = await db.query(`
    WITH owned AS (${OWNED_SQL})
    SELECT c.conrelid::regclass || '.' || c.conname || ': ' || pg_get_constraintdef(c.oid) AS name
    FROM pg_constraint c JOIN owned p ON p.oid = c.confrelid
    LEFT JOIN owned r ON r.oid = c.conrelid
    WHERE c.contype = 'f' AND NOT EXISTS (SELECT 1 FROM unnest(c.conkey, c.confkey) AS k(referencing, referenced)
                                          WHERE k.referencing = r.org AND k.referenced = p.org)
    ORDER BY 1`);
  return rows.map((r) => r.name);
}

describe('keys of organization-owned tables', () => {
  it('every primary key and unique index includes organization_id', async () => {
    expect(await keysWithoutOrganization(t.ds)).toEqual([]);
  });

  it('every foreign key between them pairs organization_id with organization_id; none comes from another table', async () => {
    expect(await foreignKeysAcrossOrganizations(t.ds)).toEqual([]);
  });

  it('the checks name a table with a bad key and a bad foreign key (made and rolled back)', async () => {
    const runner = t.ds.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(`CREATE TABLE probe_parent (id uuid PRIMARY KEY, organization_id uuid NOT NULL, UNIQUE (organization_id, id))`);
      await runner.query(`CREATE TABLE probe_child (id uuid, organization_id uuid NOT NULL, parent_id uuid REFERENCES probe_parent (id),
        other_id uuid, PRIMARY KEY (organization_id, id), FOREIGN KEY (organization_id, other_id) REFERENCES probe_parent (organization_id, id))`);
      await runner.query(`CREATE UNIQUE INDEX probe_child_parent ON probe_child (parent_id) WHERE other_id IS NULL`);
      await runner.query(`CREATE TABLE probe_shared (parent_id uuid REFERENCES probe_parent (id))`);
      expect(await keysWithoutOrganization(runner)).toEqual([
        'probe_child: CREATE UNIQUE INDEX probe_child_parent ON public.probe_child USING btree (parent_id) WHERE (other_id IS NULL)',
        'probe_parent: CREATE UNIQUE INDEX probe_parent_pkey ON public.probe_parent USING btree (id)',
      ]);
      expect(await foreignKeysAcrossOrganizations(runner)).toEqual([
        'probe_child.probe_child_parent_id_fkey: FOREIGN KEY (parent_id) REFERENCES probe_parent(id)',
        'probe_shared.probe_shared_parent_id_fkey: FOREIGN KEY (parent_id) REFERENCES probe_parent(id)',
      ]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});

/*
 * (c) The joins of report statements, on the parse tree PostgreSQL's own parser gives (libpg-query).
 *
 * A relation is organization-owned when it is an organization-owned table, or a CTE or subquery whose
 * output has an organization_id column (its rows are then taken to be of one organization each, as
 * the tables' are). In each query level, every two organization-owned relations of its FROM list
 * (JOIN ... ON, comma joins with WHERE, LATERAL) must have their organization_id in one class of
 * equalities; so must a relation of a subquery and an outer one its conditions refer to (a correlated
 * EXISTS, IN or scalar subquery). The classes are built from `a = b` conjuncts (AND only) of the ON
 * and WHERE conditions of that level and of the levels around it, where a and b are organization_id
 * columns, parameters or constants (casts ignored): `l.organization_id = e.organization_id`, or
 * `l.organization_id = $1` and `e.organization_id = $1::uuid`, or a chain of these; USING
 * (organization_id) counts too.
 * Not counted: equalities under OR or NOT, IN and = ANY, equalities through other columns or through a
 * CTE's column of another name, and whatever a PL/pgSQL or SQL function runs inside. Set operations,
 * CTEs and subqueries are each checked on their own.
 */

type Ast = any; // libpg-query's JSON parse tree: { NodeType: { ...fields } }

interface Rel {
  id: number;
  name: string;
  alias: string;
  owned: boolean;
}

interface Scope {
  rels: Rel[];
  /** Union-find parents of the terms of equalities: `rel#<id>` (its organization_id), `$n`, constants. */
  classes: Map<string, string>;
  outer?: Scope;
}

const nodeOf = (node: Ast): [string, Ast] => Object.entries(node)[0] as [string, Ast];

function find(classes: Map<string, string>, term: string): string {
  let p = term;
  while (classes.has(p) && classes.get(p) !== p) p = classes.get(p)!;
  return p;
}

function union(classes: Map<string, string>, a: string, b: string): void {
  const [ra, rb] = [find(classes, a), find(classes, b)];
  classes.set(ra, ra);
  classes.set(rb, ra);
}

/** The top-level AND conjuncts of a condition. */
function conjuncts(node: Ast): Ast[] {
  if (!node) return [];
  const [kind, n] = nodeOf(node);
  return kind === 'BoolExpr' && n.boolop === 'AND_EXPR' ? n.args.flatMap(conjuncts) : [node];
}

function resolve(scope: Scope | undefined, alias: string): Rel | undefined {
  for (let s = scope; s; s = s.outer) {
    const rel = s.rels.find((r) => r.alias === alias);
    if (rel) return rel;
  }
  return undefined;
}

class TenantJoins {
  private ids = 0;
  readonly problems: string[] = [];
  /** The organization-owned tables the statements read. */
  readonly tables = new Set<string>();

  constructor(private readonly owned: ReadonlySet<string>) {}

  check(sql: string): string[] {
    const before = this.problems.length;
    for (const { stmt } of parseSync(sql).stmts ?? []) if (stmt) this.statement(stmt, new Map());
    return this.problems.slice(before);
  }

  /** Checks a statement; true when its rows carry organization_id. */
  private statement(node: Ast, ctes: Map<string, boolean>, outer?: Scope): boolean {
    const [kind, n] = nodeOf(node);
    if (kind === 'SelectStmt') return this.select(n, ctes, outer);
    if (kind === 'InsertStmt') {
      const inner = this.withClause(n.withClause, ctes, outer);
      if (n.selectStmt) this.statement(n.selectStmt, inner, outer);
      return false;
    }
    if (kind === 'UpdateStmt' || kind === 'DeleteStmt') {
      const inner = this.withClause(n.withClause, ctes, outer);
      const from = [{ RangeVar: n.relation }, ...(n.fromClause ?? n.usingClause ?? [])];
      this.level(from, n.whereClause, inner, outer, [n.targetList, n.returningList]);
      return false;
    }
    this.subqueries(node, ctes, outer);
    return false;
  }

  private withClause(w: Ast, ctes: Map<string, boolean>, outer?: Scope): Map<string, boolean> {
    const inner = new Map(ctes);
    for (const c of w?.ctes ?? []) {
      const cte = c.CommonTableExpr;
      if (w.recursive) inner.set(cte.ctename, false);
      inner.set(cte.ctename, this.statement(cte.ctequery, inner, outer));
    }
    return inner;
  }

  private select(n: Ast, ctes: Map<string, boolean>, outer?: Scope): boolean {
    const inner = this.withClause(n.withClause, ctes, outer);
    if (n.op && n.op !== 'SETOP_NONE') {
      const carries = this.select(n.larg, inner, outer);
      this.select(n.rarg, inner, outer);
      return carries;
    }
    if (n.valuesLists) {
      this.subqueries(n.valuesLists, inner, outer);
      return false;
    }
    const scope = this.level(n.fromClause ?? [], n.whereClause, inner, outer,
      [n.targetList, n.havingClause, n.groupClause, n.sortClause, n.distinctClause, n.limitCount, n.limitOffset]);
    return (n.targetList ?? []).some((t: Ast) => {
      const r = t.ResTarget;
      if (r.name) return r.name === 'organization_id';
      const fields = r.val?.ColumnRef?.fields ?? [];
      const last = fields[fields.length - 1];
      if (last?.String) return last.String.sval === 'organization_id';
      if (!last?.A_Star) return false;
      return fields.length === 2 ? !!resolve(scope, fields[0].String.sval)?.owned : scope.rels.some((x) => x.owned);
    });
  }

  /** One query level: its FROM list, the equalities of its conditions, the joins checked, then its subqueries. */
  private level(from: Ast[], where: Ast, ctes: Map<string, boolean>, outer: Scope | undefined, others: Ast[]): Scope {
    const scope: Scope = { rels: [], classes: new Map(outer?.classes ?? []), outer };
    const conditions: Ast[] = [...conjuncts(where)];
    const usingPairs: [Rel[], Rel[]][] = [];
    const add = (item: Ast): Rel[] => {
      const [kind, n] = nodeOf(item);
      if (kind === 'RangeVar') {
        const owned = !n.schemaname && ctes.has(n.relname) ? ctes.get(n.relname)! : this.owned.has(n.relname);
        const rel = { id: this.ids++, name: n.relname, alias: n.alias?.aliasname ?? n.relname, owned };
        if (owned && this.owned.has(n.relname)) this.tables.add(n.relname);
        scope.rels.push(rel);
        return [rel];
      }
      if (kind === 'JoinExpr') {
        const left = add(n.larg);
        const right = add(n.rarg);
        conditions.push(...conjuncts(n.quals));
        if ((n.usingClause ?? []).some((u: Ast) => u.String?.sval === 'organization_id')) usingPairs.push([left, right]);
        return [...left, ...right];
      }
      if (kind === 'RangeSubselect') {
        const owned = this.statement(n.subquery, ctes, n.lateral ? scope : outer);
        const rel = { id: this.ids++, name: '(subquery)', alias: n.alias?.aliasname ?? '', owned };
        scope.rels.push(rel);
        return [rel];
      }
      this.subqueries(item, ctes, n.lateral ? scope : outer);
      return [];
    };
    for (const item of from) add(item);

    const term = (node: Ast): string | null => {
      const [kind, n] = nodeOf(node);
      if (kind === 'TypeCast') return term(n.arg);
      if (kind === 'ParamRef') return `$${n.number}`;
      if (kind === 'A_Const') return `const ${JSON.stringify(n)}`;
      if (kind !== 'ColumnRef') return null;
      const names = n.fields.map((f: Ast) => f.String?.sval);
      if (names[names.length - 1] !== 'organization_id') return null;
      const rel = names.length === 2 ? resolve(scope, names[0]) : scope.rels.filter((r) => r.owned).length === 1 ? scope.rels.find((r) => r.owned) : undefined;
      return rel?.owned ? `rel#${rel.id}` : null;
    };
    for (const c of conditions) {
      const [kind, n] = nodeOf(c);
      if (kind !== 'A_Expr' || n.kind !== 'AEXPR_OP' || n.name?.[0]?.String?.sval !== '=') continue;
      const [a, b] = [term(n.lexpr), term(n.rexpr)];
      if (a && b) union(scope.classes, a, b);
    }
    for (const [left, right] of usingPairs) {
      for (const a of left.filter((r) => r.owned)) for (const b of right.filter((r) => r.owned)) union(scope.classes, `rel#${a.id}`, `rel#${b.id}`);
    }

    // The joins of this level, and of its relations with the outer ones its conditions name.
    const mine = scope.rels.filter((r) => r.owned);
    const pairs: [Rel, Rel][] = mine.flatMap((a, i) => mine.slice(i + 1).map((b): [Rel, Rel] => [a, b]));
    const named = new Set<Rel>();
    const collect = (node: Ast): void => {
      if (Array.isArray(node)) return node.forEach(collect);
      if (!node || typeof node !== 'object') return;
      if (node.SubLink) return; // its own level
      const fields = node.ColumnRef?.fields;
      if (fields?.length === 2 && !scope.rels.some((r) => r.alias === fields[0].String?.sval)) {
        const rel = resolve(outer, fields[0].String?.sval);
        if (rel?.owned) named.add(rel);
      }
      Object.values(node).forEach(collect);
    };
    collect(conditions);
    for (const o of named) for (const a of mine) pairs.push([a, o]);
    for (const [a, b] of pairs) {
      if (find(scope.classes, `rel#${a.id}`) !== find(scope.classes, `rel#${b.id}`)) {
        this.problems.push(`${a.name} ${a.alias} and ${b.name} ${b.alias}: no organization_id equality between them`);
      }
    }
    this.subqueries([conditions, others], ctes, scope);
    return scope;
  }

  /** Every subquery (SubLink) under an expression, checked as a level inside `scope`. */
  private subqueries(node: Ast, ctes: Map<string, boolean>, scope?: Scope): void {
    if (Array.isArray(node)) return node.forEach((x) => this.subqueries(x, ctes, scope));
    if (!node || typeof node !== 'object') return;
    if (node.SubLink) {
      this.subqueries(node.SubLink.testexpr, ctes, scope);
      this.statement(node.SubLink.subselect, ctes, scope);
      return;
    }
    if (node.SelectStmt) {
      this.statement(node, ctes, scope);
      return;
    }
    Object.values(node).forEach((x) => this.subqueries(x, ctes, scope));
  }
}

async function ownedTables(): Promise<Set<string>> {
  return new Set((await t.ds.query(OWNED_SQL)).map((r: { relname: string }) => r.relname));
}

/** Every statement the server sends while `fn` runs (TypeORM reports each one to its logger). */
async function statementsOf(fn: () => Promise<void>): Promise<string[]> {
  const logger = t.appDs.logger;
  const original = logger.logQuery;
  const seen: string[] = [];
  logger.logQuery = (query, parameters, runner) => {
    seen.push(query);
    return original.call(logger, query, parameters, runner);
  };
  try {
    await fn();
  } finally {
    logger.logQuery = original;
  }
  return seen;
}

describe('joins of organization-owned relations', () => {
  it('the checker names a join without an organization_id equality, and passes one with it', async () => {
    const check = new TenantJoins(await ownedTables());
    const bad = {
      on: 'SELECT 1 FROM evidence e JOIN evidence_link l ON l.evidence_id = e.id WHERE e.organization_id = $1',
      comma: 'SELECT 1 FROM evidence e, evidence_link l WHERE l.evidence_id = e.id AND e.organization_id = $1',
      or: 'SELECT 1 FROM evidence e JOIN evidence_link l ON l.evidence_id = e.id WHERE e.organization_id = $1 OR l.organization_id = $1',
      twoParameters: 'SELECT 1 FROM evidence e JOIN evidence_link l ON l.evidence_id = e.id WHERE e.organization_id = $1 AND l.organization_id = $2',
      correlated: 'SELECT 1 FROM evidence e WHERE e.organization_id = $1 AND EXISTS (SELECT 1 FROM evidence_link l WHERE l.evidence_id = e.id)',
      cte: `WITH x AS (SELECT organization_id, id FROM evidence WHERE organization_id = $1)
            SELECT 1 FROM x JOIN evidence_link l ON l.evidence_id = x.id`,
      lateral: 'SELECT 1 FROM ai_system s CROSS JOIN LATERAL (SELECT e.id FROM evidence e WHERE e.ai_system_id = s.id) x WHERE s.organization_id = $1',
    };
    for (const [name, sql] of Object.entries(bad)) expect([name, check.check(sql).length]).toEqual([name, 1]);
    expect(check.check(bad.on)).toEqual(['evidence e and evidence_link l: no organization_id equality between them']);

    const good = [
      'SELECT 1 FROM evidence e JOIN evidence_link l ON l.organization_id = e.organization_id AND l.evidence_id = e.id',
      'SELECT 1 FROM evidence e, evidence_link l WHERE l.evidence_id = e.id AND e.organization_id = $1 AND l.organization_id = $1::uuid',
      'SELECT 1 FROM evidence e JOIN evidence_link l USING (organization_id) JOIN prefill_rejection x ON x.organization_id = l.organization_id',
      'SELECT 1 FROM evidence e WHERE e.organization_id = $1 AND EXISTS (SELECT 1 FROM evidence_link l WHERE l.organization_id = $1 AND l.evidence_id = e.id)',
      `WITH x AS (SELECT organization_id, id FROM evidence WHERE organization_id = $1)
       SELECT 1 FROM x JOIN evidence_link l ON l.organization_id = x.organization_id AND l.evidence_id = x.id`,
      // A relation of the catalog (a reference table) needs no equality.
      'SELECT 1 FROM evidence_link l JOIN requirement r ON r.id = l.requirement_id WHERE l.organization_id = $1',
    ];
    for (const sql of good) expect([sql, check.check(sql)]).toEqual([sql, []]);
  });

  it('every report statement joins organization-owned relations on organization_id', async () => {
    // A day before the coverage history began, then a day later: the first point recounted, the second read from history.
    const [{ since }] = await t.ds.query(`SELECT b.since FROM coverage_baseline b JOIN organization o ON o.id = b.organization_id WHERE o.slug = 'test-org'`);
    const trendFrom = new Date(new Date(since).getTime() - 86_400_000).toISOString();
    const statements = await statementsOf(async () => {
      const reports = [
        `{ coverage(framework: "iso42001") { totals { covered prefilled partial stale pending gap } groups { totals { gap } }
           requirements(first: 200) { nodes { requirement { ref } status applicability { applicability } direct { evidence { title } }
             inferred { evidence { title } from { ref } path { hops { relationship } } } } } } }`,
        `{ coverage(framework: "iso27001", asOf: "2025-12-01T00:00:00Z") { totals { covered stale gap } } }`,
        `{ coverage(framework: "iso42001", aiSystemId: "${systemId}") { totals { covered pending gap } requirements(first: 5) { nodes { status } } } }`,
        `{ coverageSummary { framework { key } totals { covered } groups { group { ref } totals { gap } } } }`,
        `{ coverageTrend(framework: "iso27001", from: "${trendFrom}", interval: DAY) { points { at fromHistory totals { covered gap } } } }`,
        `{ coverageTrend(framework: "iso27001", from: "${trendFrom}", interval: DAY, aiSystemId: "${systemId}") { points { totals { gap } } } }`,
        `{ gaps(framework: "iso42001") { totals { gap } items { requirement { ref } suggestedEvidence { evidence { title } path { hops { relationship } } } } } }`,
        `{ prefill(from: "iso27001", to: "iso42001") { totals { full partial } requirements { requirement { ref } contributions { evidence { title } } residual { partialHops { relationship } } } } }`,
        `{ reusePotential(from: "iso27001", to: "iso42001") { totals { assessable full partial none } } }`,
        `{ statementOfApplicability(framework: "iso27001") { applicable notApplicable undecided } }`,
        `{ obligationsMatrix(asOf: "2026-09-01T00:00:00Z") { aiSystem { name } obligations { requirement { ref } applicability status } } }`,
        `{ aiSystem(id: "${systemId}") { obligations(asOf: "2026-09-01T00:00:00Z") { requirement { ref } applicability } } }`,
        `{ mappingPaths(from: { framework: "iso27001", ref: "A.5.1" }, toFramework: "iso42001") { length } }`,
        `{ mappingMatrix(source: "iso27001", target: "iso42001") { rows { group { ref } } } }`,
        `{ mappingConsistency { rowsChecked contradictions } }`,
      ];
      for (const q of reports) await t.data(q);
    });
    const check = new TenantJoins(await ownedTables());
    const problems = [...new Set(statements.flatMap((sql) => check.check(sql).map((p) => `${p}\n  in: ${sql.replace(/\s+/g, ' ').slice(0, 300)}`)))];
    expect(problems).toEqual([]);
    // The reports did read the organization's tables (so their joins were there to check).
    expect([...check.tables].sort()).toEqual(expect.arrayContaining(['ai_system', 'applicability_decision', 'coverage_status_period', 'evidence',
      'evidence_link', 'evidence_rollup', 'measurement', 'oversight_point', 'oversight_record', 'prefill_rejection', 'register_record']));
  });
});
