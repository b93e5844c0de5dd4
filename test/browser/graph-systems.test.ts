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

const FRAMEWORKS = ['iso42001', 'iso27001', 'nist-ai-rmf', 'eu-ai-act'];
beforeAll(async () => {
  t = await startTestHub();
  origin = new URL(t.url).origin;
  browser = await launchBrowser();
  // As in dashboard.test.ts: one competence process for the ISMS and the AIMS makes 27001 7.2 -EQUAL(9)-> 42001 7.2.
  await declareIntegratedCompetence(t);
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
    expect(foreign).toEqual([]);
    await page.context().close();
  });
});
