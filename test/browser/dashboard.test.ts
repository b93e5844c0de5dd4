import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../harness/hub';
import { isolatedPage, SCREENSHOT_DIR, seriousViolations, signIn as signInAt } from '../harness/browser';
import { startDashboard, stopDashboard } from '../harness/dashboard';

/**
 * The dashboard in a real headless Chromium against a real hub, the network limited to the hub's origin,
 * on the data of arrangePrefillData (test/harness/dashboard.ts): 27001 7.2 -EQUAL(9)-> 42001 7.2, and
 * accepted evidence on 27001 7.2 pre-fills 42001 7.2.
 */
let t: TestHub;
let browser: Browser;
let origin: string;

beforeAll(async () => ({ hub: t, browser, origin } = await startDashboard()), 120_000);
afterAll(() => stopDashboard(t, browser));

/** Chromium reports a refused request (our 401) as a console error; anything else is a real one. */
const realErrors = (errors: string[]) => errors.filter((e) => !/Failed to load resource: the server responded with a status of 401/.test(e));

const signIn = (page: Page, token: string) => signInAt(page, origin, token);

describe('dashboard', () => {
  it('token screen: a wrong token is refused with a reason, a valid one opens the overview; the token stays in session storage', async () => {
    const { page, foreign, consoleErrors } = await isolatedPage(browser, origin);
    await page.goto(`${origin}/`);
    await page.getByRole('heading', { name: 'Control mapping hub' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'token.png') });

    await page.getByLabel('API token').fill('cmh_not-a-real-token');
    await page.getByRole('button', { name: 'Open the dashboard' }).click();
    // (the screens may flash the hub's 401 before the token screen comes back: wait for the token screen's own words)
    await page.getByRole('alert').filter({ hasText: 'did not accept the token' }).waitFor();
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('hub.token'))).toBeNull();

    await signIn(page, t.token);
    expect(await page.evaluate(() => [(globalThis as any).sessionStorage.getItem('hub.token'), (globalThis as any).localStorage.length])).toEqual([t.token, 0]);
    expect(page.url()).not.toContain(t.token);
    await page.getByText('test-org', { exact: false }).first().waitFor();
    expect(foreign).toEqual([]);
    expect(realErrors(consoleErrors)).toEqual([]);
    await page.context().close();
  });

  it('overview: every framework\'s numbers equal coverageSummary\'s, with a heat map of its groups', async () => {
    const api = await t.data(`{ coverageSummary { framework { key } totals { assessable applicable notApplicable covered prefilled partial pending stale gap }
      groups { group { ref } totals { covered gap } } } }`);
    const { page, foreign, consoleErrors } = await isolatedPage(browser, origin);
    await signIn(page, t.token);
    for (const f of api.coverageSummary) {
      const row = page.locator(`table.summary tr[data-framework="${f.framework.key}"]`);
      const shown: Record<string, number> = {};
      for (const field of Object.keys(f.totals)) {
        const text = await row.locator(`td[data-field="${field}"]`).textContent();
        shown[field] = Number(/^-?\d+/.exec(text!.trim())![0]);
      }
      expect([f.framework.key, shown]).toEqual([f.framework.key, f.totals]);
      const heat = page.locator(`table.heat[data-framework="${f.framework.key}"] tbody tr`);
      expect(await heat.count()).toBe(f.groups.length);
    }
    // by hand (coverage.test.ts): 27001 covered 2 (7.2 and 4.1), stale 1, pending 1, one NOT_APPLICABLE decision: none here, so 0
    expect(api.coverageSummary.find((f: any) => f.framework.key === 'iso27001').totals).toMatchObject({ covered: 2, stale: 1, pending: 1, assessable: 123 });
    // the heat map row of clause 7 shows 27001 7.2's coverage
    const clause7 = page.locator('table.heat[data-framework="iso27001"] tbody tr', { hasText: 'Support' });
    expect(await clause7.locator('td[data-status="COVERED"]').textContent()).toBe('1');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'overview.png'), fullPage: true });
    expect(foreign).toEqual([]);
    expect(realErrors(consoleErrors)).toEqual([]);
    await page.context().close();
  });

  it('framework drill-down: every assessable requirement with its status, filtered by status and search', async () => {
    const { page, foreign } = await isolatedPage(browser, origin);
    await signIn(page, t.token);
    // the frameworks list, from the main navigation: the same frameworks frameworksConnection gives
    const api = await t.data(`{ frameworksConnection(first: 200) { nodes { key requirementCount(assessableOnly: true) } } }`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Frameworks' }).click();
    await page.getByRole('heading', { name: 'Frameworks', exact: true }).waitFor();
    const listed = await page.locator('main table tbody tr').evaluateAll((rows) => rows.map((r) => [r.children[1].textContent, Number(r.children[4].textContent)]));
    expect(listed).toEqual(api.frameworksConnection.nodes.map((n: any) => [n.key, n.requirementCount]));
    expect(listed.map((l) => l[0]).sort()).toEqual(['eu-ai-act', 'iso27001', 'iso42001', 'nist-ai-rmf']);
    await page.getByRole('link', { name: 'ISO/IEC 27001:2022' }).click();
    await page.locator('table.reqs tbody tr').first().waitFor();
    expect(page.url()).toBe(`${origin}/#/frameworks/iso27001`);
    await page.locator('table.reqs tbody tr').first().waitFor();
    expect(await page.locator('table.reqs tbody tr').count()).toBe(123);
    expect(await page.locator('tr[data-ref="A.5.1"] [data-status]').getAttribute('data-status')).toBe('STALE');
    // only STALE: the expired policy on A.5.1
    for (const label of ['Covered', 'Pre-filled', 'Partial', 'Pending', 'Gap', 'Not applicable']) await page.getByRole('checkbox', { name: new RegExp(`^${label} \\(`) }).uncheck();
    expect(await page.locator('table.reqs tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ref')))).toEqual(['A.5.1']);
    // STALE and PENDING, searched for "logging": the draft log extract on A.8.15 (Logging)
    await page.getByRole('checkbox', { name: /^Pending \(/ }).check();
    expect(await page.locator('table.reqs tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ref')))).toEqual(['A.5.1', 'A.8.15']);
    await page.getByRole('searchbox').fill('logging');
    expect(await page.locator('table.reqs tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ref')))).toEqual(['A.8.15']);
    expect(await seriousViolations(page)).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('a requirement\'s page shows the path and evidence the coverage query gives, and confirming the pre-fill there makes it COVERED', async () => {
    const Q = `{ coverage(framework: "iso42001") { requirement(ref: "7.2") { status direct { evidence { title } }
      inferred { evidence { title } from { ref } path { coverage hops { relationship strength seenFrom { ref } counterpart { ref } source { name versionLabel } } } } } } }`;
    const before = (await t.data(Q)).coverage.requirement;
    expect(before.status).toBe('PREFILLED');
    expect(before.inferred).toHaveLength(1);
    const hop = before.inferred[0].path.hops[0];
    expect([before.inferred[0].evidence.title, before.inferred[0].path.coverage, hop.relationship, hop.strength, hop.seenFrom.ref, hop.counterpart.ref])
      .toEqual(['Evidence competence', 'FULL', 'EQUAL', 9, '7.2', '7.2']);

    const { page, foreign, consoleErrors } = await isolatedPage(browser, origin);
    await signIn(page, t.token);
    await page.goto(`${origin}/#/frameworks/iso42001/requirements/7.2`);
    await page.getByTestId('status').waitFor();
    expect(await page.getByTestId('status').locator('[data-status]').getAttribute('data-status')).toBe('PREFILLED');
    const items = page.getByTestId('inferred');
    expect(await items.count()).toBe(before.inferred.length);
    const text = (await items.first().textContent())!.replace(/\s+/g, ' ');
    expect(text).toContain('Evidence competence');
    expect(text).toContain('a FULL path of 1 hop');
    expect(text).toContain(`7.2 equal`);
    expect(text).toContain('strength 9/10');
    expect(text).toContain(`${hop.source.name} ${hop.source.versionLabel}`);
    expect(text).toContain('relies on “integratedManagementSystem');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'requirement.png'), fullPage: true });

    // the explanation as CSV: one row per path, the hops in words
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(csv.suggestedFilename()).toBe('iso42001-7.2-explanation.csv');
    const lines = fs.readFileSync((await csv.path())!, 'utf8').trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('framework,ref,status,how,coverage,evidence,source_system,external_id,evidence_status,valid_from,valid_until,from,path');
    expect(lines[1]).toBe('iso42001,7.2,PREFILLED,mapping,FULL,Evidence competence,grc,competence,ACCEPTED,2025-06-01,,iso27001 7.2,"iso27001 7.2 EQUAL iso42001 7.2 (9/10, iso27001-to-iso42001 2)"');
    await items.first().getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('decision-notice').filter({ hasText: 'Confirmed: Evidence competence for 7.2' }).waitFor();
    const after = (await t.data(Q)).coverage.requirement;
    expect([after.status, after.direct.map((d: any) => d.evidence.title)]).toEqual(['COVERED', ['Evidence competence']]);
    await page.getByTestId('status').locator('[data-status="COVERED"]').waitFor();
    expect(foreign).toEqual([]);
    expect(realErrors(consoleErrors)).toEqual([]);
    await page.context().close();
  });
});
