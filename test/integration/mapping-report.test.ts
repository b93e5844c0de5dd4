import fs from 'node:fs';
import path from 'node:path';
import { startTestHub, TestHub, tokenFor } from '../harness/hub';
import { Role } from '../../src/modules/auth/role';
import { projectRoot } from '../../src/config';
import { loadSeedBundle } from '../../src/modules/catalog/catalog.files';
import { mappingDocument, readmeWithTable, reuseTable } from '../../src/modules/mapping/mapping.report';

/**
 * The README's reuse table and docs/mappings.md are what the API answers (issue 13): reusePotential for
 * all 12 directed pairs, without and with every condition declared; every EU AI Act requirement that
 * 42001 does not reach comes with its noCounterpart reason; the shipped sets are consistent.
 */
let t: TestHub;
const bundle = loadSeedBundle();
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.stop();
});

async function as(token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await t.gql(query, variables, { token });
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data;
}

describe('the reuse table', () => {
  it('README.md and docs/mappings.md are up to date (npm run docs:mappings)', () => {
    const readme = fs.readFileSync(path.join(projectRoot(), 'README.md'), 'utf8');
    expect(readmeWithTable(readme, bundle)).toBe(readme);
    expect(fs.readFileSync(path.join(projectRoot(), 'docs', 'mappings.md'), 'utf8')).toBe(mappingDocument(bundle));
  });

  it('equals reusePotential for every directed pair, without a condition and with integratedManagementSystem for every process', async () => {
    const table = reuseTable(bundle);
    expect(table).toHaveLength(12);
    const integrated = await tokenFor(t, 'integrated-org', Role.ANALYST, 'analyst');
    await as(await tokenFor(t, 'integrated-org', Role.EDITOR, 'editor'),
      `mutation { declareOrganizationCondition(input: { condition: "integratedManagementSystem", holds: true }) { graph { id } } }`);
    const q = `{ ${table.map((r, i) => `p${i}: reusePotential(from: "${r.from}", to: "${r.to}") { totals { assessable full partial none } }`).join(' ')} }`;
    const plain = await as(undefined, q);
    const declared = await as(integrated, q);
    table.forEach((r, i) => {
      expect([r.from, r.to, plain[`p${i}`].totals]).toEqual([r.from, r.to, { assessable: r.assessable, full: r.full, partial: r.partial, none: r.none }]);
      expect([r.from, r.to, declared[`p${i}`].totals.full]).toEqual([r.from, r.to, r.fullIntegrated]);
    });
    // the issue's floor: 42001 reaches at least 110 of the assessable EU AI Act requirements (v1: 32 of 173)
    const eu = table.find((r) => r.from === 'iso42001' && r.to === 'eu-ai-act')!;
    expect(eu.full + eu.partial).toBeGreaterThanOrEqual(110);
  });
});

describe('what no mapping reaches', () => {
  it('reusePotential lists every EU AI Act requirement 42001 does not reach with the reason 42001 has no counterpart', async () => {
    const d = await as(undefined, `{ reusePotential(from: "iso42001", to: "eu-ai-act") { totals { none }
      requirements { requirement { ref } reach noCounterpart { reason targetFramework { key } mappingSource { key version } } } } }`);
    const none = d.reusePotential.requirements.filter((r: any) => r.reach === 'NONE');
    expect(none).toHaveLength(d.reusePotential.totals.none);
    for (const r of none) {
      const to42001 = r.noCounterpart.filter((n: any) => n.targetFramework.key === 'iso42001');
      expect([r.requirement.ref, to42001.map((n: any) => n.mappingSource)]).toEqual([r.requirement.ref, [{ key: 'eu-ai-act-to-iso42001', version: 2 }]]);
      expect(to42001[0].reason.length).toBeGreaterThan(20);
    }
  });

  it('gaps for the EU AI Act says which duties are AI-Act-specific and why', async () => {
    const d = await as(undefined, `{ gaps(framework: "eu-ai-act") { items { requirement { ref } frameworkSpecific noCounterpart { reason targetFramework { key } } } } }`);
    const item = (ref: string) => d.gaps.items.find((i: any) => i.requirement.ref === ref);
    // CE marking: no counterpart in 42001, the AI RMF or 27001 (all three v2 files say so)
    const ce = item('Art. 48(2)');
    expect(ce.frameworkSpecific).toBe(true);
    expect(ce.noCounterpart.map((n: any) => n.targetFramework.key).sort()).toEqual(['iso27001', 'iso42001', 'nist-ai-rmf']);
    // logging capability: rows to all three, so nothing to explain
    expect(item('Art. 12(1)')).toMatchObject({ frameworkSpecific: false, noCounterpart: [] });
    // Art. 14(2) (a paragraph the hub added): the AI RMF has a row, 42001 and 27001 do not
    expect(item('Art. 14(2)').frameworkSpecific).toBe(false);
    expect(item('Art. 14(2)').noCounterpart.map((n: any) => n.targetFramework.key).sort()).toEqual(['iso27001', 'iso42001']);
  });
});

describe('mappingConsistency', () => {
  it('finds nothing in the shipped graph, with or without qualifiers', async () => {
    const d = await as(undefined, `{ mappingConsistency { rowsChecked contradictions warnings findings { kind } } }`);
    // 80 + 82 + 150 + 187 + 280 rows of the set versions read by default
    expect(d.mappingConsistency).toEqual({ rowsChecked: 779, contradictions: 0, warnings: 0, findings: [] });
  });

  it('v1 against v2 of 27001 -> 42001: the 13 rows that lost their unconditional EQUAL, each as a set conflict and as an EQUAL class with a weaker row', async () => {
    const sets = (await as(undefined, `{ mappingSources { id key version } }`)).mappingSources.filter((s: any) => s.key === 'iso27001-to-iso42001');
    const d = await as(undefined, `query($s: [ID!]) { mappingConsistency(sets: $s) { contradictions warnings findings { kind refs setKeys underConditions } } }`, { s: sets.map((s: any) => s.id) });
    expect([d.mappingConsistency.contradictions, d.mappingConsistency.warnings]).toEqual([26, 0]);
    const refs = (kind: string) => d.mappingConsistency.findings.filter((f: any) => f.kind === kind).map((f: any) => f.refs.find((r: string) => r.startsWith('iso27001:')));
    const expected = ['10.1', '10.2', '6.3', '7.1', '7.2', '7.4', '7.5.1', '7.5.2', '7.5.3', '9.2.1', '9.2.2', '9.3.1', '9.3.3'].map((r) => `iso27001:${r}`);
    expect(refs('RELATIONSHIP_CONFLICT').sort()).toEqual(expected.sort());
    expect(refs('CYCLE_CONTRADICTION').sort()).toEqual(expected.sort());
    // with the qualifiers in force, v2 reads v1's EQUAL: none of them appears only under conditions
    expect(d.mappingConsistency.findings.every((f: any) => !f.underConditions)).toBe(true);
    const pairs = await as(undefined, `{ mappingConsistency(pairs: [{ a: "iso27001", b: "eu-ai-act" }]) { rowsChecked } }`);
    expect(pairs.mappingConsistency.rowsChecked).toBe(82);
  });
});
