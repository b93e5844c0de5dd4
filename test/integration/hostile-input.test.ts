import {
  GraphQLField, GraphQLInputType, GraphQLNamedType, GraphQLObjectType, GraphQLSchema, getNamedType, isEnumType, isInputObjectType, isListType,
  isInterfaceType, isNonNullType, isObjectType, isUnionType,
} from 'graphql';
import { hubSchema } from '../../src/graphql/schema';
import { textLimit } from '../../src/graphql/input-bounds';
import { fromDatabaseError } from '../../src/graphql/errors';
import { TextLimits1764979200000 } from '../../migrations/1764979200000-text-limits';
import { startTestHub, TestHub, GqlResponse } from '../harness/hub';

/**
 * Hostile input, end to end: the request envelope, every DateTime and every String/ID input of the
 * schema at and one past its bound (generated from the schema), deep and wide imports, and the CSV
 * exports. Across all of it: no HTTP 500, no INTERNAL_SERVER_ERROR, every error coded, and every
 * BAD_USER_INPUT naming its field.
 */
let t: TestHub;
let schema: GraphQLSchema;
const ids: Record<string, string> = {};
const responses: { what: string; status: number; errors: NonNullable<GqlResponse['errors']> }[] = [];

const EARLIEST = '1000-01-01T00:00:00.000Z';
const LATEST = '8999-12-31T23:59:59.999Z';
const BEFORE = '0999-12-31T23:59:59.999Z';
const AFTER = '9000-01-01T00:00:00.000Z';
const BOUNDS = 'DateTime must be between 1000-01-01T00:00:00.000Z and 8999-12-31T23:59:59.999Z';

/** A POST to /graphql with any body; every answer is kept for the checks at the end. */
async function post(what: string, body: unknown, raw = false): Promise<GqlResponse> {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` },
    body: raw ? String(body) : JSON.stringify(body),
  });
  const json = (await res.json()) as Omit<GqlResponse, 'status'>;
  responses.push({ what, status: res.status, errors: json.errors ?? [] });
  return { status: res.status, ...json };
}
const gql = (what: string, query: string, variables?: unknown, extra: Record<string, unknown> = {}) => post(what, { query, variables, ...extra });
/** Errors without their locations, for exact comparison. */
const plain = (res: GqlResponse) => res.errors?.map(({ message, extensions }) => ({ message, extensions }));

beforeAll(async () => {
  t = await startTestHub();
  schema = await hubSchema();
  const q = (query: string, variables?: Record<string, unknown>) => t.data(query, variables);
  ids.aiSystemId = (await q(`mutation { registerAiSystem(input: { name: "hostile system", euRoles: [DEPLOYER], riskClass: HIGH_RISK, highRiskRoute: ANNEX_III }) { id } }`)).registerAiSystem.id;
  ids.evidenceId = (await q(`mutation { upsertEvidence(input: { sourceSystem: "hostile", externalId: "e1", title: "doc", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z", status: ACCEPTED, links: [{ framework: "iso27001", ref: "A.5.1" }] }) { evidence { id } } }`)).upsertEvidence.evidence.id;
  ids.auditId = (await q(`mutation { createInternalAudit(input: { title: "hostile audit" }) { id } }`)).createInternalAudit.id;
  ids.findingId = (await q(`mutation($a: ID!) { addAuditFinding(input: { auditId: $a, type: MINOR_NC, description: "f" }) { id } }`, { a: ids.auditId })).addAuditFinding.id;
  ids.pointId = (await q(`mutation($s: ID!) { addOversightPoint(input: { aiSystemId: $s, name: "p", mechanism: OVERRIDE }) { id } }`, { s: ids.aiSystemId })).addOversightPoint.id;
  ids.recordId = (await q(`mutation($s: ID) { upsertRegisterRecord(input: { kind: MONITORING_METRIC, aiSystemId: $s, title: "m", status: "ACTIVE", data: { max: 1 } }) { id } }`, { s: ids.aiSystemId })).upsertRegisterRecord.id;
});
afterAll(async () => {
  await t.stop();
});

// ---------------------------------------------------------------------------------------------------
// Arguments generated from the schema: required inputs filled sensibly, one position set to a probe.

type Key = string | number;

function scalarValue(typeName: string, name: string): unknown {
  switch (typeName) {
    case 'ID': return ids[name] ?? ids.evidenceId;
    case 'Int': return name === 'first' ? 5 : name === 'maxDepth' ? 2 : 1;
    case 'Float': return 1;
    case 'Boolean': return true; // dryRun: true keeps imports from writing
    case 'DateTime': return '2026-01-01T00:00:00.000Z';
    case 'JSONObject': return {};
    default:
      if (/^(framework|from|source|sourceFramework)$/.test(name)) return 'iso27001';
      if (/^(to|target|toFramework|targetFramework)$/.test(name)) return 'iso42001';
      if (/ref$/i.test(name)) return 'A.5.1';
      if (name === 'status') return 'ACTIVE';
      return 'probe-text';
  }
}

/** A value of `type`; along `target` (keys into input objects, 0 into lists) the probe goes in. */
function fill(type: GraphQLInputType, name: string, target: Key[] | null, probe: unknown): unknown {
  if (isNonNullType(type)) return fill(type.ofType, name, target, probe);
  if (isListType(type)) return [fill(type.ofType, name, target ? target.slice(1) : null, probe)];
  if (target && target.length === 0) return probe;
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0].value;
  if (isInputObjectType(named)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(named.getFields())) {
      if (target && target[0] === f.name) out[f.name] = fill(f.type, f.name, target.slice(1), probe);
      else if (isNonNullType(f.type)) out[f.name] = fill(f.type, f.name, null, probe);
    }
    return out;
  }
  return scalarValue(named.name, name);
}

interface Position { keys: Key[]; leaf: string; owner?: string }

/** Every position inside `type` whose named type passes `wanted`. */
function positions(type: GraphQLInputType, name: string, wanted: (t: GraphQLNamedType) => boolean, owner?: string): Position[] {
  if (isNonNullType(type)) return positions(type.ofType, name, wanted, owner);
  if (isListType(type)) return positions(type.ofType, name, wanted, owner).map((p) => ({ ...p, keys: [0, ...p.keys] }));
  const named = getNamedType(type);
  if (isInputObjectType(named)) {
    return Object.values(named.getFields()).flatMap((f) => positions(f.type, f.name, wanted, named.name).map((p) => ({ ...p, keys: [f.name, ...p.keys] })));
  }
  return wanted(named) ? [{ keys: [], leaf: name, owner }] : [];
}

const pathText = (arg: string, keys: Key[]) => arg + keys.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');

const selection = (type: GraphQLNamedType) => (isObjectType(type) || isInterfaceType(type) || isUnionType(type) ? '{ __typename }' : '');

interface Probe { what: string; query: string; variables: Record<string, unknown>; field: string; leaf: string; owner?: string }

/**
 * One probe per (field with arguments, argument position of the wanted type): root fields directly,
 * fields of the types root queries return through the first root query that returns them.
 */
function probes(wanted: (t: GraphQLNamedType) => boolean, value: (p: Position) => unknown): Probe[] {
  const out: Probe[] = [];
  const make = (kind: string, f: GraphQLField<unknown, unknown>, parent?: { field: GraphQLField<unknown, unknown> }) => {
    f.args.forEach((arg) => {
      for (const p of positions(arg.type, arg.name, wanted)) {
        const vars: Record<string, unknown> = {};
        const decl: string[] = [];
        const use = f.args.flatMap((a) => {
          const isTarget = a === arg;
          if (!isTarget && !isNonNullType(a.type)) return [];
          vars[a.name] = isTarget ? fill(a.type, a.name, p.keys, value(p)) : fill(a.type, a.name, null, null);
          decl.push(`$${a.name}: ${a.type.toString()}`);
          return [`${a.name}: $${a.name}`];
        });
        let inner = `${f.name}${use.length ? `(${use.join(', ')})` : ''} ${selection(getNamedType(f.type))}`;
        if (parent) {
          const pf = parent.field;
          const pUse = pf.args.filter((a) => isNonNullType(a.type)).map((a) => {
            vars[`p_${a.name}`] = fill(a.type, a.name, null, null);
            decl.push(`$p_${a.name}: ${a.type.toString()}`);
            return `${a.name}: $p_${a.name}`;
          });
          inner = `${pf.name}${pUse.length ? `(${pUse.join(', ')})` : ''} { ${inner} }`;
        }
        out.push({
          what: `${parent ? `${parent.field.name}.` : ''}${f.name}(${pathText(arg.name, p.keys)})`,
          query: `${kind}${decl.length ? `(${decl.join(', ')})` : ''} { ${inner} }`,
          variables: vars,
          field: pathText(arg.name, p.keys),
          leaf: p.leaf,
          owner: p.owner,
        });
      }
    });
  };
  const reached = new Set<string>();
  for (const [kind, type] of [['query', schema.getQueryType()!], ['mutation', schema.getMutationType()!]] as const) {
    for (const f of Object.values(type.getFields())) make(kind, f);
  }
  // Nested fields with arguments, reached through a root query without required args if there is one.
  const roots = Object.values(schema.getQueryType()!.getFields()).sort((a, b) => a.args.filter((x) => isNonNullType(x.type)).length - b.args.filter((x) => isNonNullType(x.type)).length);
  for (const root of roots) {
    const returned = getNamedType(root.type);
    if (!isObjectType(returned) || reached.has(returned.name)) continue;
    reached.add(returned.name);
    for (const f of Object.values((returned as GraphQLObjectType).getFields())) make('query', f, { field: root });
  }
  return out;
}

/** Errors of a response that name `field` as BAD_USER_INPUT. */
const namedErrors = (res: GqlResponse, field: string) => (res.errors ?? []).filter((e) => e.extensions?.code === 'BAD_USER_INPUT' && e.extensions?.field === field);

describe('the request envelope', () => {
  it('operationName naming no operation, several anonymous operations', async () => {
    const unknown = await gql('operationName', 'query A { frameworks { key } }', undefined, { operationName: 'B' });
    expect(unknown.status).toBe(400);
    expect(unknown.errors).toEqual([{ message: 'Unknown operation named "B".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }]);
    const two = await gql('two anonymous', '{ frameworks { key } } { frameworks { name } }');
    expect(two.status).toBe(400);
    expect(two.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_VALIDATION_FAILED']);
    expect(two.errors?.[0].message).toBe('This anonymous operation must be the only defined operation.');
    const named = await gql('named, no operationName', 'query A { frameworks { key } } query B { frameworks { name } }');
    expect(named.status).toBe(400);
    expect(named.errors?.[0].extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
  });

  it('variables that are not an object, of the wrong type, null for non-null, huge strings', async () => {
    for (const variables of ['x', 5, [1], true]) {
      const res = await gql(`variables ${JSON.stringify(variables)}`, '{ frameworks { key } }', variables);
      expect(res.status).toBe(400);
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
    }
    const wrong = await gql('wrong type', 'query($first: Int!) { evidences(first: $first) { totalCount } }', { first: 'many' });
    expect(wrong.status).toBe(400);
    expect(plain(wrong)).toEqual([{ message: 'Variable "$first" got invalid value "many"; Int cannot represent non-integer value: "many"', extensions: { code: 'BAD_USER_INPUT', field: 'first' } }]);
    const nul = await gql('null for non-null', 'query($framework: String!) { coverage(framework: $framework) { totals { gap } } }', { framework: null });
    expect(nul.status).toBe(400);
    expect(plain(nul)).toEqual([{ message: 'Variable "$framework" of non-null type "String!" must not be null.', extensions: { code: 'BAD_USER_INPUT', field: 'framework' } }]);
    const missing = await gql('missing input field', 'mutation($input: RegisterAiSystemInput!) { registerAiSystem(input: $input) { id } }', { input: { euRoles: [] } });
    expect(missing.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input' });
    const nested = await gql('wrong nested type', 'mutation($input: UpsertEvidenceInput!) { upsertEvidence(input: $input) { outcome } }',
      { input: { sourceSystem: 's', externalId: 'x', title: 't', kind: 'RECORD', effectiveAt: 'yesterday' } });
    expect(nested.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.effectiveAt' });
    const huge = 'x'.repeat(1_000_000);
    for (const [op, input] of [
      ['registerAiSystem(input: $input) { id }', { name: huge, euRoles: [] }],
      ['updateAiSystem(input: $input) { id }', { id: ids.aiSystemId, name: huge }],
      ['addOversightPoint(input: $input) { id }', { aiSystemId: ids.aiSystemId, name: huge, mechanism: 'OVERRIDE' }],
    ] as const) {
      const type = { registerAiSystem: 'RegisterAiSystemInput', updateAiSystem: 'UpdateAiSystemInput', addOversightPoint: 'AddOversightPointInput' }[op.split('(')[0]]!;
      const res = await gql(`huge ${op}`, `mutation($input: ${type}!) { ${op} }`, { input });
      expect(res.status).toBe(400);
      expect(res.errors).toEqual([{ message: 'input.name is 1000000 characters long; the limit is 200', extensions: { code: 'BAD_USER_INPUT', field: 'input.name' } }]);
    }
    // Inline literals are bounded like variables, lists included.
    const literal = await gql('huge literal', `mutation { registerAiSystem(input: { name: "ok", euRoles: [], dataCategories: ["a", "${'y'.repeat(101)}"] }) { id } }`);
    expect(literal.errors).toEqual([{ message: 'input.dataCategories[1] is 101 characters long; the limit is 100', extensions: { code: 'BAD_USER_INPUT', field: 'input.dataCategories[1]' } }]);
    const byDefault = await gql('huge default', `mutation($n: String = "${'z'.repeat(201)}") { registerAiSystem(input: { name: $n, euRoles: [] }) { id } }`);
    expect(plain(byDefault)).toEqual([{ message: 'input.name is 201 characters long; the limit is 200', extensions: { code: 'BAD_USER_INPUT', field: 'input.name' } }]);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM ai_system`))[0].n).toBe(1);
  });

  it('extensions garbage and a batched array body', async () => {
    for (const extensions of ['x', 7, { persistedQuery: 'x' }, { persistedQuery: { version: 1, sha256Hash: 'nope' } }]) {
      const res = await gql(`extensions ${JSON.stringify(extensions)}`, '{ frameworks { key } }', undefined, { extensions });
      expect(res.status).toBe(400);
      expect(res.errors?.length).toBe(1);
      expect(['BAD_REQUEST', 'PERSISTED_QUERY_NOT_SUPPORTED', 'PERSISTED_QUERY_NOT_FOUND']).toContain(res.errors?.[0].extensions?.code);
      if (typeof extensions === 'object' && typeof extensions.persistedQuery === 'string') expect(plain(res)).toEqual([{ message: 'Unsupported persisted query version', extensions: { code: 'BAD_REQUEST' } }]);
    }
    const batch = await post('batch', [{ query: '{ frameworks { key } }' }, { query: '{ frameworks { name } }' }]);
    expect(batch.status).toBe(400);
    expect(batch.errors?.[0].extensions?.code).toBe('BAD_REQUEST');
    const notJson = await post('not JSON', '{"query": "{ frameworks { key } }"', true);
    expect(notJson.status).toBe(400);
    expect(notJson.errors).toEqual([{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }]);
  });
});

describe('dates at and past both bounds, on every DateTime argument and input field', () => {
  it('the bound itself is taken; one millisecond past it is BAD_USER_INPUT naming the field', async () => {
    const cases: [string, string][] = [[EARLIEST, BEFORE], [LATEST, AFTER]];
    let count = 0;
    for (const [at, past] of cases) {
      for (const p of probes((n) => n.name === 'DateTime', () => at)) {
        const ok = await gql(`${p.what} = ${at}`, p.query, p.variables);
        expect([p.what, namedErrors(ok, p.field)]).toEqual([p.what, []]);
        const badVars = JSON.parse(JSON.stringify(p.variables).split(JSON.stringify(at)).join(JSON.stringify(past)));
        const bad = await gql(`${p.what} = ${past}`, p.query, badVars);
        const variable = p.field.split(/[.[]/)[0];
        const where = p.field === variable ? '' : ` at "${p.field}"`;
        expect([p.what, bad.status, plain(bad)]).toEqual([p.what, 400, [{
          message: `Variable "$${variable}" got invalid value "${past}"${where}; ${BOUNDS}`, extensions: { code: 'BAD_USER_INPUT', field: p.field },
        }]]);
        count++;
      }
    }
    // Every DateTime argument and input field the schema has (22 input fields and args at the time of writing), both bounds.
    expect(count).toBeGreaterThanOrEqual(2 * 25);
  });

  it('inline literals past the bounds name the argument path; years 0000 and 9999 are refused', async () => {
    const top = await gql('literal asOf', `{ coverage(framework: "iso42001", asOf: "0000-01-01T00:00:00Z") { totals { gap } } }`);
    expect(top.errors).toEqual([{ message: `Expected value of type "DateTime", found "0000-01-01T00:00:00Z"; ${BOUNDS}`, locations: [{ line: 1, column: 41 }], extensions: { code: 'BAD_USER_INPUT', field: 'asOf' } }]);
    const inner = await gql('literal effectiveAt', `mutation { upsertEvidence(input: { sourceSystem: "s", externalId: "x", title: "t", kind: RECORD, effectiveAt: "9999-12-31T23:59:59Z", reviewCadence: P1Y }) { outcome } }`);
    expect(inner.errors?.map((e) => [e.extensions?.code, e.extensions?.field, e.message.endsWith(BOUNDS)])).toEqual([['BAD_USER_INPUT', 'input.effectiveAt', true]]);
    for (const name of ['gaps', 'statementOfApplicability', 'coverage']) {
      const res = await gql(`${name} year 0`, `query($asOf: DateTime) { ${name}(framework: "iso27001", asOf: $asOf) { __typename } }`, { asOf: '0000-01-01T00:00:00Z' });
      expect(res.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'asOf' });
    }
    const byDefault = await gql('default asOf', `query($when: DateTime = "0000-01-01T00:00:00Z") { coverage(framework: "iso42001", asOf: $when) { totals { gap } } }`);
    expect(plain(byDefault)).toEqual([{ message: `Expected value of type "DateTime", found "0000-01-01T00:00:00Z"; ${BOUNDS}`, extensions: { code: 'BAD_USER_INPUT', field: 'when' } }]);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM evidence WHERE external_id = 'x'`))[0].n).toBe(0);
  });

  it('evidence at the bounds: a cadence from the latest instant and reports at the earliest work', async () => {
    const late = await t.data(`mutation { upsertEvidence(input: { sourceSystem: "s", externalId: "late", title: "t", kind: RECORD, effectiveAt: "${LATEST}", reviewCadence: P1Y, status: ACCEPTED, links: [{ framework: "iso27001", ref: "A.5.2" }] }) { evidence { validUntil } } }`);
    expect(late.upsertEvidence.evidence.validUntil).toBe('9000-12-31T23:59:59.999Z');
    await t.data(`mutation { upsertEvidence(input: { sourceSystem: "s", externalId: "early", title: "t", kind: RECORD, effectiveAt: "${EARLIEST}", status: ACCEPTED, links: [{ framework: "iso27001", ref: "A.5.3" }] }) { outcome } }`);
    const early = await t.data(`{ gaps(framework: "iso27001", asOf: "${EARLIEST}") { __typename } coverage(framework: "iso27001", asOf: "${LATEST}") { totals { covered } } }`);
    expect(early.coverage.totals.covered).toBeGreaterThanOrEqual(1);
  });
});

describe('text at and one past its limit, on every String and ID argument and input field', () => {
  it('at the limit no length error; one past it BAD_USER_INPUT naming the field with length and limit', async () => {
    let count = 0;
    const limitOf = (p: { leaf: string; owner?: string }) => textLimit(p.leaf, p.owner);
    for (const p of probes((n) => n.name === 'String' || n.name === 'ID', (pos) => 'a'.repeat(textLimit(pos.leaf, pos.owner)))) {
      const max = limitOf(p);
      const ok = await gql(`${p.what} at ${max}`, p.query, p.variables);
      // Other rules may refuse the text (not a URI, not a key); no rule may refuse its length.
      // (Services name fields without the argument: `justification` for `input.justification`.)
      const lengthErrors = (ok.errors ?? []).filter((e) => e.extensions?.code === 'BAD_USER_INPUT' && /characters/.test(e.message)
        && [p.field, p.leaf].includes(String(e.extensions?.field).replace(/^items\[\d+\]\./, '')));
      expect([p.what, lengthErrors]).toEqual([p.what, []]);
      const badVars = JSON.parse(JSON.stringify(p.variables).split(`"${'a'.repeat(max)}"`).join(`"${'a'.repeat(max + 1)}"`));
      const bad = await gql(`${p.what} at ${max + 1}`, p.query, badVars);
      expect([p.what, bad.status, plain(bad)]).toEqual([p.what, 400, [{
        message: `${p.field} is ${max + 1} characters long; the limit is ${max}`, extensions: { code: 'BAD_USER_INPUT', field: p.field },
      }]]);
      count++;
    }
    expect(count).toBeGreaterThan(150);
  }, 120_000);
});

describe('imports', () => {
  const importCsv = (what: string, document: string) =>
    gql(what, `mutation($d: String!) { importFramework(input: { format: CSV, key: "deep", version: "1", name: "Deep", document: $d, dryRun: false }) { created requirementCount } }`, { d: document });
  const importOscal = (what: string, catalog: Record<string, unknown> | string) =>
    gql(what, `mutation($d: String!) { importFramework(input: { format: OSCAL_CATALOG, key: "deep-oscal", version: "1", name: "Deep", document: $d, dryRun: true }) { created requirementCount } }`,
      { d: typeof catalog === 'string' ? catalog : JSON.stringify({ catalog }) });
  const metadata = { title: 'Deep', 'last-modified': '2026-11-27T00:00:00Z', version: '1', 'oscal-version': '1.2.2' };
  const uuid = '5c0a1d5e-2f4b-4c3a-9d8e-7f6a5b4c3d2e';
  const frameworks = async () => (await t.ds.query(`SELECT count(*)::int AS n FROM framework`))[0].n as number;

  it('a CSV parent chain 20,000 deep is refused at line 18, quickly, nothing written', async () => {
    const before = await frameworks();
    const lines = ['ref,title,parent_ref'];
    for (let i = 0; i < 20_000; i++) lines.push(`R${i},Title ${i},${i ? `R${i - 1}` : ''}`);
    const started = Date.now();
    const res = await importCsv('deep csv', lines.join('\n') + '\n');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(res.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'document', problems: [{ path: 'line 18', message: 'ref "R16" is nested 17 levels deep; the limit is 16' }] });
    expect(await frameworks()).toBe(before);
  });

  it('a CSV of 20,001 rows is refused; a flat one of 20,000 passes a dry run', async () => {
    const rows = (n: number) => ['ref,title', ...Array.from({ length: n }, (_, i) => `W${i},Wide ${i}`)].join('\n') + '\n';
    const wide = await importCsv('wide csv', rows(20_001));
    expect(wide.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'document', problems: [{ path: 'line 20002', message: 'the file has 20001 rows; the limit is 20000' }] });
    const ok = await gql('flat csv at limit', `mutation($d: String!) { importFramework(input: { format: CSV, key: "flat", version: "1", name: "Flat", document: $d, dryRun: true }) { created requirementCount } }`, { d: rows(20_000) });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.importFramework).toEqual({ created: false, requirementCount: 20_000 });
  });

  it('text in imported rows is bounded, with the line of the row', async () => {
    const long = await importCsv('1 MB title', `ref,title\nT1,${'t'.repeat(1_000_000)}\nT2,ok\n`);
    expect(long.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'document', problems: [{ path: 'line 2', message: 'title is 1000000 characters long; the limit is 1000' }] });
    const note = await gql('long mapping note', `mutation($d: String!) { importMappings(input: { format: CSV, provenance: { key: "long-note", name: "n" }, document: $d }) { mappingCount } }`,
      { d: `source_framework,source_ref,relationship,target_framework,target_ref,strength,rationale,note\niso27001,A.5.1,EQUAL,iso42001,A.2.2,,,${'n'.repeat(2_001)}\n` });
    expect(note.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'document', problems: [{ path: 'line 2', message: 'note is 2001 characters long; the limit is 2000' }] });
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM mapping_source WHERE key = 'long-note'`))[0].n).toBe(0);
  });

  it('an OSCAL catalog nested 4,000 deep is refused before validation, quickly; 16 levels pass', async () => {
    // As text: JSON.stringify itself recurses.
    const nest = (depth: number) => {
      let control = `{"id":"c${depth - 1}","title":"leaf"}`;
      for (let i = depth - 2; i >= 0; i--) control = `{"id":"c${i}","title":"level ${i}","controls":[${control}]}`;
      return control;
    };
    const doc = (depth: number) => `{"catalog":{"uuid":"${uuid}","metadata":${JSON.stringify(metadata)},"controls":[${nest(depth)}]}}`;
    expect(doc(4_000).length).toBeGreaterThan(150_000);
    const started = Date.now();
    const deep = await importOscal('deep oscal', doc(4_000));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(deep.errors?.[0].extensions).toEqual({
      code: 'BAD_USER_INPUT', field: 'document',
      problems: [{ path: `$.catalog${'.controls[0]'.repeat(16)}.controls`, message: 'groups and controls nest deeper than 16 levels' }],
    });
    const ok = await importOscal('oscal at depth limit', doc(16));
    expect(ok.errors).toBeUndefined();
    expect(ok.data.importFramework.requirementCount).toBe(16);
    const wide = await importOscal('wide oscal', { uuid, metadata, controls: Array.from({ length: 20_001 }, (_, i) => ({ id: `w${i}`, title: 'w' })) });
    expect(wide.errors?.[0].extensions?.problems).toEqual([{ path: '$.catalog.controls', message: 'the document holds more than 20000 groups and controls' }]);
    const date = await importOscal('applies-from year 0', { uuid, metadata, controls: [{ id: 'd1', title: 'd', props: [{ name: 'applies-from', ns: 'urn:control-mapping-hub:oscal', value: '0000-01-01' }] }] });
    expect(date.errors?.[0].extensions?.problems).toEqual([{ path: '$.catalog.controls[0].props', message: 'applies-from 0000-01-01 must be between 1000-01-01T00:00:00.000Z and 8999-12-31T23:59:59.999Z' }]);
  });
});

describe('JSON values', () => {
  it('a register record\'s data is bounded by its serialized length, as a variable and as a literal', async () => {
    const MUTATION = `mutation($d: JSONObject) { upsertRegisterRecord(input: { kind: RISK, title: "Big", status: "OPEN", data: $d }) { id } }`;
    const over = await gql('data over the limit', MUTATION, { d: { big: 'x'.repeat(99_991) } });
    expect(over.errors?.[0]).toMatchObject({ message: 'input.data is 100001 characters of JSON; the limit is 100000', extensions: { code: 'BAD_USER_INPUT', field: 'input.data' } });
    const literal = await gql('literal data over the limit', `mutation { upsertRegisterRecord(input: { kind: RISK, title: "Big", status: "OPEN", data: { big: "${'x'.repeat(100_000)}" } }) { id } }`);
    expect(literal.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.data' });
    const at = await gql('data at the limit', MUTATION, { d: { big: 'x'.repeat(99_990) } });
    expect(JSON.stringify(at.errors ?? [])).not.toContain('characters of JSON');
  });
});

describe('URIs', () => {
  it('javascript: and other schemes are refused on evidence and mapping sets, naming the field', async () => {
    const one = await gql('javascript uri', `mutation { upsertEvidence(input: { sourceSystem: "s", externalId: "js", title: "t", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z", uri: "javascript:alert(1)" }) { outcome } }`);
    expect(one.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(one.errors?.[0].extensions?.field).toBe('uri');
    const bulk = await t.data(`mutation { bulkUpsertEvidence(input: { items: [{ sourceSystem: "s", externalId: "js2", title: "t", kind: RECORD, effectiveAt: "2026-01-01T00:00:00Z", uri: "data:text/html,x" }] }) { results { outcome error { code problems { field message } } } } }`);
    expect(bulk.bulkUpsertEvidence.results[0]).toEqual({ outcome: 'FAILED', error: { code: 'BAD_USER_INPUT', problems: [{ field: 'uri', message: 'uri has the scheme "data"; allowed: http, https, s3, gs, az, abfs, abfss, wasbs, file, smb, sftp, ftp, ftps, urn, git, ssh' }] } });
    const set = await gql('mapping set url', `mutation { createMappingSet(input: { key: "js-set", name: "x", sourceFramework: "iso27001", targetFramework: "iso42001", url: "javascript:alert(1)", mappings: [{ sourceRef: "A.5.1", targetRef: "A.2.2", relationship: EQUAL }] }) { mappingSource { id } } }`);
    expect(set.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM evidence WHERE external_id IN ('js', 'js2')`))[0].n).toBe(0);
  });
});

describe('the CSV and OSCAL export routes', () => {
  it('asOf outside the bounds or not a date answers 400 naming asOf; at the bounds 200', async () => {
    const base = t.url.replace(/\/graphql$/, '');
    for (const route of ['/export/coverage.csv?framework=iso42001', '/export/gaps.csv?framework=iso42001', '/export/soa.csv?framework=iso27001', '/export/oscal/assessment-results/iso42001.json?x=1']) {
      for (const [asOf, status] of [['0000-01-01T00:00:00Z', 400], [AFTER, 400], ['soon', 400], [EARLIEST, 200], [LATEST, 200]] as const) {
        const res = await fetch(`${base}${route}&asOf=${encodeURIComponent(asOf)}`, { headers: { authorization: `Bearer ${t.token}` } });
        const text = await res.text();
        responses.push({ what: `${route} ${asOf}`, status: res.status, errors: status === 400 ? JSON.parse(text).errors : [] });
        expect([route, asOf, res.status]).toEqual([route, asOf, status]);
        if (status === 400) {
          const message = asOf === 'soon' ? 'asOf is not a date-time: "soon"' : 'asOf must be between 1000-01-01T00:00:00.000Z and 8999-12-31T23:59:59.999Z';
          expect(JSON.parse(text)).toEqual({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT', field: 'asOf' } }] });
        }
      }
    }
  });
});

describe('the database holds the same text limits', () => {
  it('named CHECK constraints refuse longer text, map to BAD_USER_INPUT naming the field, and the migration reverses', async () => {
    const insert = (name: string) => t.ds.query(`INSERT INTO ai_system (organization_id, name, created_by) SELECT organization_id, $1, 'test' FROM ai_system LIMIT 1`, [name]);
    const err = await insert('n'.repeat(201)).then(() => null, (e) => e);
    expect(err?.driverError?.constraint ?? err?.constraint).toBe('ck_ai_system_name_length');
    expect(fromDatabaseError(err)).toMatchObject({ code: 'BAD_USER_INPUT', message: 'name is longer than its limit (docs/limits.md)', details: { field: 'name', constraint: 'ck_ai_system_name_length' } });
    expect(fromDatabaseError({ code: '23514', constraint: 'ck_ai_system_annex_iii_area_length' })?.details).toEqual({ field: 'annexIIIArea', constraint: 'ck_ai_system_annex_iii_area_length' });
    expect(fromDatabaseError({ code: '23514', constraint: 'ck_impact_assessment_decision_comment_length' })?.details.field).toBe('comment');
    const count = async () => (await t.ds.query(`SELECT count(*)::int AS n FROM pg_constraint WHERE conname LIKE 'ck\\_%\\_length'`))[0].n as number;
    const all = await count();
    // 55 from the text-limits migration and later ones, and the SoA import's owner (ck_applicability_decision_owner_length).
    expect(all).toBe(56);
    const runner = t.ds.createQueryRunner();
    try {
      await new TextLimits1764979200000().down(runner);
      // Left: the webhook endpoint's url and description, and the SoA owner, which later migrations own.
      expect(await count()).toBe(3);
      await new TextLimits1764979200000().up(runner);
      expect(await count()).toBe(all);
    } finally {
      await runner.release();
    }
  });
});

describe('all of the above', () => {
  it('no 500, no internal error, every error coded, every input error named', () => {
    const bad = responses.filter((r) => r.status >= 500 || r.errors.some((e) => !e.extensions?.code || e.extensions.code === 'INTERNAL_SERVER_ERROR'
      || (e.extensions.code === 'BAD_USER_INPUT' && typeof e.extensions.field !== 'string')));
    expect(bad.map((r) => ({ what: r.what.slice(0, 200), status: r.status, errors: r.errors.map((e) => ({ message: e.message.slice(0, 300), extensions: e.extensions })) }))).toEqual([]);
    expect(responses.length).toBeGreaterThan(500);
  });
});
