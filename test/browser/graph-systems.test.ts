import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { declareIntegratedCompetence, startTestHub, TestHub } from '../harness/hub';
import { isolatedPage, launchBrowser, SCREENSHOT_DIR, seriousViolations, signIn as signInAt } from '../harness/browser';

/**
 * The mapping graph and the AI system pages in a real headless Chromium against a real hub, the network
 * limited to the hub's origin. Every number on screen is compared with the API's own answer; the AI
 * system is eu-ai-act-scenarios.test.ts's "legacy high-risk system for public authorities" (Art. 111(2):
 * Chapter III duties by 2 Aug 2030), whose third-country establishment is left unanswered (Art. 22(1)).
 */
let t: TestHub;
let browser: Browser;
let origin: string;
let systemId: string;

const FRAMEWORKS = ['iso42001', 'iso27001', 'nist-ai-rmf', 'eu-ai-act'];
const LEGACY_PUBLIC = [
  { fact: 'outOfScopeExclusion', answer: 'NO' }, { fact: 'highRiskRoute', answer: 'YES', value: 'ANNEX_III' }, { fact: 'art6_3Derogation', answer: 'NO' },
  { fact: 'annexIIIPoint', answer: 'YES', value: '4(a)' }, { fact: 'placedOnMarketDate', answer: 'YES', value: '2026-03-01' },
  { fact: 'significantDesignChange', answer: 'NO' }, { fact: 'intendedForPublicAuthorities', answer: 'YES' },
];
const OBLIGATIONS = `query($s: ID!) { aiSystem(id: $s) { obligations { applicability bindingFrom requirement { ref } openQuestions { fact } } } }`;

beforeAll(async () => {
  t = await startTestHub();
  origin = new URL(t.url).origin;
  browser = await launchBrowser();
  // As in dashboard.test.ts: one competence process for the ISMS and the AIMS makes 27001 7.2 -EQUAL(9)-> 42001 7.2.
  await declareIntegratedCompetence(t);
  systemId = (await t.data(`mutation($input: RegisterAiSystemInput!) { registerAiSystem(input: $input) { id } }`, {
    input: { name: 'Benefits triage', euRoles: ['PROVIDER'], lifecycleStage: 'OPERATION', owner: 'Head of benefits', intendedPurpose: 'Ranks benefit claims for review', euFacts: LEGACY_PUBLIC },
  })).registerAiSystem.id;
  await t.data(`mutation($s: ID!) { startImpactAssessment(aiSystemId: $s, assessor: "dpo") { id } }`, { s: systemId });
  const point = (await t.data(`mutation($input: AddOversightPointInput!) { addOversightPoint(input: $input) { id } }`, {
    input: { aiSystemId: systemId, name: 'Case officer review', mechanism: 'PRE_APPROVAL', overseerRole: 'case officer' },
  })).addOversightPoint.id;
  const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
  await t.data(`mutation($input: RecordOversightInput!) { recordOversight(input: $input) { created } }`, { input: { items: [
    { pointId: point, caseRef: 'C-1', decidedAt: at(3), decision: 'APPROVED', reviewer: 'ann' },
    { pointId: point, caseRef: 'C-2', decidedAt: at(2), decision: 'OVERRIDDEN', reviewer: 'ann', rationale: 'income misread' },
    { pointId: point, caseRef: 'C-3', decidedAt: at(1), decision: 'APPROVED', reviewer: 'bob' },
  ] } });
  await t.data(`mutation($input: RaiseNonconformityInput!) { raiseNonconformity(input: $input) { id } }`, {
    input: { aiSystemId: systemId, source: 'MONITORING', description: 'Override rate above threshold', owner: 'Head of benefits' },
  });
  await t.data(`mutation($input: RaiseNonconformityInput!) { raiseNonconformity(input: $input) { id } }`, {
    input: { source: 'COMPLAINT', description: 'Access review late' },
  });
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const signIn = (page: Page) => signInAt(page, origin, t.token);

/** "framework ref" of every requirement the API reaches from the centre by mappingPaths, with its best coverage. */
async function pathTargets(framework: string, ref: string, maxDepth: number): Promise<Map<string, string>> {
  const fields = FRAMEWORKS.map((f, i) => `p${i}: mappingPaths(from: { framework: "${framework}", ref: "${ref}" }, toFramework: "${f}", maxDepth: ${maxDepth}, first: 200) {
    coverage hops { counterpart { ref framework { key } } } }`).join('\n');
  const d = await t.data(`{ ${fields} }`);
  const best = new Map<string, string>();
  for (const list of Object.values(d) as any[]) {
    expect(list.length).toBeLessThan(200);
    for (const p of list) {
      p.hops.forEach((h: any, i: number) => {
        const key = `${h.counterpart.framework.key} ${h.counterpart.ref}`;
        // The last hop's target carries the path's coverage; an intermediate one is at least reached.
        const cov = i === p.hops.length - 1 ? p.coverage : 'PARTIAL';
        if (best.get(key) !== 'FULL') best.set(key, cov);
      });
    }
  }
  best.delete(`${framework} ${ref}`);
  return best;
}

const tableNodes = (page: Page) =>
  page.locator('table.graph-nodes tbody tr').evaluateAll((rows) => rows.map((r) => [`${r.getAttribute('data-framework')} ${r.getAttribute('data-ref')}`, r.getAttribute('data-coverage')!, Number(r.getAttribute('data-hops'))] as const));

describe('mapping graph', () => {
  it('draws exactly the requirements the API maps the centre to, FULL and PARTIAL as mappingPaths says, and re-centres from the table', async () => {
    const api = await t.data(`{ requirement(framework: "iso27001", ref: "A.5.1") { title mappings { relationship counterpart { ref framework { key } } } } }`);
    const direct = new Set<string>(api.requirement.mappings.filter((m: any) => m.relationship !== 'NO_RELATIONSHIP').map((m: any) => `${m.counterpart.framework.key} ${m.counterpart.ref}`));
    const paths1 = await pathTargets('iso27001', 'A.5.1', 1);
    // Two answers of the API agree: the requirement's mappings and the one-hop paths.
    expect(new Set(paths1.keys())).toEqual(direct);
    // By hand, seeds/mappings/iso27001_to_iso42001.json (v1 and v2 alike): A.5.1 intersects A.2.2 (4), A.2.3 (4), A.2.4 (6), nothing else.
    expect([...direct].sort()).toEqual(['iso42001 A.2.2', 'iso42001 A.2.3', 'iso42001 A.2.4']);
    expect([...paths1.values()]).toEqual(['PARTIAL', 'PARTIAL', 'PARTIAL']);

    const { page, foreign, consoleErrors } = await isolatedPage(browser, origin);
    await signIn(page);
    // Written the way a person writes it: the query after the route.
    await page.goto(`${origin}/#/graph?framework=iso27001&ref=A.5.1&depth=1`);
    const canvas = page.getByTestId('graph-canvas');
    await page.locator('[data-testid="graph-canvas"][data-node-count]').waitFor();
    const rows = await tableNodes(page);
    expect(rows.filter((r) => r[2] === 0).map((r) => r[0])).toEqual(['iso27001 A.5.1']);
    expect(new Set(rows.filter((r) => r[2] === 1).map((r) => r[0]))).toEqual(direct);
    expect(rows).toHaveLength(direct.size + 1);
    expect(Number(await canvas.getAttribute('data-node-count'))).toBe(rows.length);
    expect(Object.fromEntries(rows.filter((r) => r[2] > 0).map((r) => [r[0], r[1]]))).toEqual(Object.fromEntries(paths1));
    expect(await canvas.getAttribute('aria-label')).toContain(`${direct.size} requirement`);
    expect(Number(await canvas.getAttribute('data-edge-count'))).toBe(await page.locator('table.graph-edges tbody tr').count());
    expect(await page.getByTestId('graph-title').textContent()).toContain(api.requirement.title);

    // Depth 2: the union of every mappingPaths hop within 2, each FULL exactly where a FULL path ends.
    await page.getByLabel('Depth').selectOption('2');
    await page.locator('table.graph-nodes tbody tr[data-hops="2"]').first().waitFor();
    const paths2 = await pathTargets('iso27001', 'A.5.1', 2);
    const rows2 = await tableNodes(page);
    expect(Object.fromEntries(rows2.filter((r) => r[2] > 0).map((r) => [r[0], r[1]]))).toEqual(Object.fromEntries(paths2));
    expect(new URL(page.url()).searchParams.get('depth')).toBe('2');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'graph.png'), fullPage: true });

    // A counterpart in the table re-centres: the URL and the heading follow.
    const target = rows.find((r) => r[0] === 'iso42001 A.2.2')!;
    await page.locator(`table.graph-nodes tr[data-framework="iso42001"][data-ref="A.2.2"] a.recentre`).click();
    await page.getByTestId('graph-title').filter({ hasText: 'A.2.2' }).waitFor();
    const url = new URL(page.url());
    expect([url.searchParams.get('framework'), url.searchParams.get('ref'), url.searchParams.get('depth')]).toEqual(['iso42001', 'A.2.2', '2']);
    await page.locator('table.graph-nodes tr[data-hops="0"][data-ref="A.2.2"]').waitFor();
    expect(target[1]).toBe(paths1.get('iso42001 A.2.2'));
    expect(foreign).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('marks a requirement reached by a FULL path, as mappingPaths does', async () => {
    const paths = await pathTargets('iso27001', '7.2', 1);
    // By hand (dashboard.test.ts): the declared integrated competence process makes 27001 7.2 EQUAL (9) to 42001 7.2.
    expect(paths.get('iso42001 7.2')).toBe('FULL');
    const { page, foreign } = await isolatedPage(browser, origin);
    await signIn(page);
    await page.goto(`${origin}/#/graph?framework=iso27001&ref=7.2&depth=1`);
    await page.locator('[data-testid="graph-canvas"][data-node-count]').waitFor();
    const rows = await tableNodes(page);
    expect(Object.fromEntries(rows.filter((r) => r[2] > 0).map((r) => [r[0], r[1]]))).toEqual(Object.fromEntries(paths));
    const edge = page.locator('table.graph-edges tr[data-from="7.2"][data-to="7.2"]');
    expect([await edge.getAttribute('data-relationship'), (await edge.locator('td').allTextContents())[5]]).toEqual(['EQUAL', '9/10']);
    expect(await page.getByTestId('graph-canvas').getAttribute('aria-label')).toMatch(/1 reached by a FULL path/);

    // One request per level whatever the fan-out: depth 3 asks the centre (cached from depth 1) and two levels.
    const operations: string[] = [];
    page.on('request', (r) => {
      if (r.url() === `${origin}/graphql` && r.method() === 'POST') operations.push(r.postDataJSON()?.operationName);
    });
    await page.getByLabel('Depth').selectOption('3');
    await page.locator('table.graph-nodes tbody tr[data-hops="3"]').first().waitFor();
    expect(operations.filter((o) => o.startsWith('Graph'))).toEqual(['GraphLevel', 'GraphLevel']);
    expect(await seriousViolations(page)).toEqual([]);

    // The keyboard on the canvas: an arrow selects the nearest neighbour (the first 1-hop row), Enter centres on it.
    const [key, , hops] = (await tableNodes(page)).find((r) => r[2] === 1)!;
    const [fw, ref] = key.split(' ');
    expect(hops).toBe(1);
    await page.getByTestId('graph-canvas').focus();
    await page.keyboard.press('ArrowRight');
    await page.getByTestId('graph-selection').filter({ hasText: `${ref},` }).waitFor();
    await page.keyboard.press('Enter');
    await page.locator(`table.graph-nodes tr[data-hops="0"][data-framework="${fw}"][data-ref="${ref}"]`).waitFor();
    const url = new URL(page.url());
    expect([url.searchParams.get('framework'), url.searchParams.get('ref'), url.searchParams.get('depth')]).toEqual([fw, ref, '3']);
    expect(foreign).toEqual([]);
    await page.context().close();
  });
});

describe('AI systems', () => {
  it('the register counts each system\'s duties as the API does', async () => {
    const d = (await t.data(OBLIGATIONS, { s: systemId })).aiSystem.obligations;
    const count = (a: string) => d.filter((o: any) => o.applicability === a).length;
    const { page, foreign } = await isolatedPage(browser, origin);
    await signIn(page);
    await page.getByRole('link', { name: 'AI systems', exact: true }).click();
    const row = page.locator(`table.systems tr[data-system="${systemId}"]`);
    await row.waitFor();
    expect(await row.locator('td').allTextContents()).toEqual(['Benefits triage', 'operation', 'not classified', 'Head of benefits', 'provider',
      String(count('BINDING')), String(count('NOT_YET')), String(count('CONDITIONAL'))]);
    expect([count('BINDING'), count('NOT_YET'), count('CONDITIONAL')].every((n) => n > 0)).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('a system\'s page: duties on the timeline by date as obligations answers, CONDITIONAL ones apart, assessments, oversight and findings', async () => {
    const d = (await t.data(OBLIGATIONS, { s: systemId })).aiSystem.obligations;
    const dated = d.filter((o: any) => o.applicability !== 'CONDITIONAL');
    const dates = [...new Set<string>(dated.map((o: any) => o.bindingFrom))].sort();
    const conditional = d.filter((o: any) => o.applicability === 'CONDITIONAL');
    // By hand (eu-ai-act-scenarios.test.ts): Art. 111(2) moves Chapter III to 2 Aug 2030 for systems meant for
    // public authorities; AI literacy binds since 2 Feb 2025; Art. 22(1) waits for the establishment question.
    const find = (ref: string) => d.find((o: any) => o.requirement.ref === ref);
    expect([find('Art. 16(a)')?.applicability, find('Art. 16(a)')?.bindingFrom]).toEqual(['NOT_YET', '2030-08-02']);
    expect([find('Art. 4')?.applicability, find('Art. 4')?.bindingFrom]).toEqual(['BINDING', '2025-02-02']);
    expect(find('Art. 22(1)')?.openQuestions.map((q: any) => q.fact)).toEqual(['establishedInThirdCountry']);

    const { page, foreign, consoleErrors } = await isolatedPage(browser, origin);
    await signIn(page);
    await page.goto(`${origin}/#/systems/${systemId}`);
    await page.getByTestId('timeline').waitFor();
    const groups = page.locator('ol.timeline-dates > li');
    expect(await groups.evaluateAll((ls) => ls.map((l) => l.getAttribute('data-date')))).toEqual(dates);
    for (const date of dates) {
      const shown = await page.locator(`ol.timeline-dates > li[data-date="${date}"] li`).evaluateAll((ls) => ls.map((l) => [l.getAttribute('data-ref'), l.getAttribute('data-applicability')]));
      expect([date, shown.sort()]).toEqual([date, dated.filter((o: any) => o.bindingFrom === date).map((o: any) => [o.requirement.ref, o.applicability]).sort()]);
    }
    expect(await page.locator('ol.timeline-dates > li[data-date="2030-08-02"] li[data-ref="Art. 16(a)"] a').getAttribute('href')).toBe('#/frameworks/eu-ai-act/requirements/Art.%2016(a)');
    // CONDITIONAL duties are not on the timeline but in their own table, with their open questions.
    const cond = await page.locator('table.conditional tbody tr').evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-ref'), [...r.querySelectorAll('[data-fact]')].map((q) => q.getAttribute('data-fact'))]));
    expect(cond).toEqual(conditional.map((o: any) => [o.requirement.ref, o.openQuestions.map((q: any) => q.fact)]));
    expect(await page.locator('ol.timeline-dates li[data-applicability="CONDITIONAL"]').count()).toBe(0);
    // The assessment started in beforeAll, the oversight recorded 1 to 3 days ago, the system's open finding.
    expect(await page.locator('table.assessments tbody tr').evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-version'), r.getAttribute('data-status')]))).toEqual([['1', 'DRAFT']]);
    const point = page.locator('table.oversight tr[data-point="Case officer review"]');
    expect([await point.locator('[data-field="decisions"]').textContent(), await point.locator('[data-field="overrides"]').textContent()]).toEqual(['3', '1']);
    expect(await page.locator('table.findings tbody tr').allTextContents()).toEqual([expect.stringContaining('Override rate above threshold')]);
    await page.getByText('1 other open nonconformity').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'system.png'), fullPage: true });

    await page.locator('ol.timeline-dates li[data-ref="Art. 4"] a').click();
    await page.getByRole('heading', { name: /Art\. 4/ }).waitFor();
    expect(foreign).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });
});
