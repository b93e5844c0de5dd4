import { startTestHub, TestHub } from '../harness/hub';
import { binds } from '../../src/modules/ai-system/obligation.rules';
import { Actor, RiskTier } from '../../src/modules/framework/framework.enums';
import { EuRole, HighRiskRoute, RiskClass } from '../../src/modules/ai-system/ai-system.enums';

/** AiSystem.obligations (SQL) must select exactly what obligation.rules selects, for every kind of system and date. */
let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.stop();
});

const ENUM_TO_CATALOG = <E extends Record<string, string>>(e: E) => (name: string) => e[name as keyof E];

it('SQL obligations equal the pure rule for roles x classes x routes x dates', async () => {
  const pages: any[] = [];
  for (let after: string | null = null; ;) {
    const d: any = await t.data(`query($after: String) { framework(key: "eu-ai-act") { requirements(first: 200, after: $after, filter: { assessable: true }) {
      pageInfo { hasNextPage endCursor } nodes { ref actors riskTiers appliesFrom appliesFromAnnexIProducts } } } }`, { after });
    pages.push(...d.framework.requirements.nodes);
    if (!d.framework.requirements.pageInfo.hasNextPage) break;
    after = d.framework.requirements.pageInfo.endCursor;
  }
  expect(pages).toHaveLength(185);
  const provisions = pages.map((n) => ({
    ref: n.ref,
    actors: n.actors.map(ENUM_TO_CATALOG(Actor)),
    riskTiers: n.riskTiers.map(ENUM_TO_CATALOG(RiskTier)),
    appliesFrom: n.appliesFrom,
    appliesFromAnnexIProducts: n.appliesFromAnnexIProducts,
  }));

  const systems: { roles: EuRole[]; cls: RiskClass | null; route: HighRiskRoute | null }[] = [
    { roles: [EuRole.DEPLOYER], cls: RiskClass.HIGH_RISK, route: HighRiskRoute.ANNEX_III },
    { roles: [EuRole.PROVIDER], cls: RiskClass.HIGH_RISK, route: HighRiskRoute.ANNEX_I },
    { roles: [EuRole.PRODUCT_MANUFACTURER, EuRole.IMPORTER], cls: RiskClass.HIGH_RISK, route: HighRiskRoute.ANNEX_III },
    { roles: [EuRole.PROVIDER, EuRole.DEPLOYER], cls: RiskClass.LIMITED_RISK, route: null },
    { roles: [EuRole.PROVIDER], cls: RiskClass.GPAI_SYSTEMIC_RISK, route: null },
    { roles: [EuRole.DISTRIBUTOR, EuRole.AUTHORISED_REPRESENTATIVE], cls: RiskClass.HIGH_RISK, route: HighRiskRoute.ANNEX_III },
    { roles: [EuRole.DEPLOYER], cls: RiskClass.PROHIBITED, route: null },
    { roles: [EuRole.DEPLOYER], cls: RiskClass.MINIMAL_RISK, route: null },
    { roles: [EuRole.PROVIDER], cls: null, route: null },
  ];
  let compared = 0;
  for (const [i, s] of systems.entries()) {
    const id = (await t.data(`mutation($input: RegisterAiSystemInput!) { registerAiSystem(input: $input) { id } }`, {
      input: { name: `system ${i}`, euRoles: s.roles, riskClass: s.cls, highRiskRoute: s.route },
    })).registerAiSystem.id;
    for (const at of ['2025-01-01', '2025-03-01', '2025-09-01', '2026-08-02', '2027-08-02', '2031-01-01']) {
      const d = await t.data(`query($id: ID!, $at: DateTime) { aiSystem(id: $id) { obligations(asOf: $at) { requirement { ref } } } }`, { id, at: `${at}T12:00:00Z` });
      const actual = d.aiSystem.obligations.map((o: any) => o.requirement.ref);
      const expected = provisions.filter((p) => binds(p, s.roles, s.cls, s.route, new Date(`${at}T12:00:00Z`))).map((p) => p.ref);
      expect([i, at, actual]).toEqual([i, at, expected]);
      compared += expected.length;
    }
  }
  expect(compared).toBeGreaterThan(500);
});
