import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { tokenFor, type TestHub } from '../harness/hub';
import { isolatedPage, SCREENSHOT_DIR, seriousViolations } from '../harness/browser';
import { startDashboard, stopDashboard } from '../harness/dashboard';
import { Role } from '../../src/modules/auth/role';

/**
 * The reuse explorer (#/reuse) in a real headless Chromium against a real hub, the network limited to the hub, on the
 * data of arrangePrefillData (test/harness/dashboard.ts, worked out by hand from the seeded mappings): evidence on
 * 27001 7.2 pre-fills 42001 7.2 FULL through EQUAL(9) (the declared integrated competence process), evidence on 27001
 * 4.1 reaches 42001 4.1 only PARTIAL (INTERSECTS_WITH 8); the expired policy and the draft log pre-fill nothing.
 */
let t: TestHub;
let browser: Browser;
let origin: string;
let tokens: { editor: string; analyst: string };

/** What the page must show, as the API answers it. */
const REPORTS = `query($from: String!, $to: String!) {
  prefill(from: $from, to: $to) { totals { assessable full partial none }
    requirements { reach requirement { ref } contributions { evidence { title } path { hops { relationship strength source { name versionLabel } } } } } }
  reusePotential(from: $from, to: $to) { totals { assessable full partial none } requirements { reach requirement { ref } } }
  mappingMatrix(source: $from, target: $to) { totals { equal total } cells { sourceGroup { ref } targetGroup { ref } counts { total equal } } }
}`;
const STATUS_72 = `{ coverage(framework: "iso42001") { requirement(ref: "7.2") { status direct { origin evidence { title } } } } }`;

beforeAll(async () => {
  ({ hub: t, browser, origin } = await startDashboard());
  tokens = { editor: await tokenFor(t, 'test-org', Role.EDITOR, 'reuse-editor'), analyst: await tokenFor(t, 'test-org', Role.ANALYST, 'reuse-analyst') };
}, 120_000);
afterAll(() => stopDashboard(t, browser));

async function openReuse(page: Page, token: string, search = ''): Promise<void> {
  await page.goto(`${origin}/${search}`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Open the dashboard' }).click();
  await page.getByRole('heading', { name: 'Coverage overview' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reuse' }).click();
  await page.getByRole('heading', { name: 'Reuse explorer' }).waitFor();
  await page.locator('[data-testid="specific-count"]').waitFor();
}

const squash = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();
const numbers = async (page: Page, report: string) => {
  const shown: Record<string, number> = {};
  for (const field of ['assessable', 'full', 'partial', 'none']) shown[field] = Number(await page.locator(`table.totals tr[data-report="${report}"] td[data-field="${field}"]`).textContent());
  return shown;
};
const specificRows = (page: Page) => page.locator('table.specific tbody tr[data-ref]');

describe('reuse explorer', () => {
  it('27001 -> 42001 by default: totals, group matrix, pre-fill paths and the AI-specific list are the API\'s', async () => {
    const api = await t.data(REPORTS, { from: 'iso27001', to: 'iso42001' });
    // by hand (see the top): one FULL pre-fill (42001 7.2) and one PARTIAL (42001 4.1)
    expect(api.prefill.totals).toMatchObject({ full: 1, partial: 1 });
    expect(api.prefill.requirements.map((i: any) => [i.requirement.ref, i.reach])).toEqual([['4.1', 'PARTIAL'], ['7.2', 'FULL']]);
    // by hand (seeds/mappings/v2/iso27001_to_iso42001.json): clause 7 -> clause 7 has seven rows (7.1, 7.2, 7.3, 7.4, 7.5.1-7.5.3),
    // all intersects_with as stored; the declared condition turns only 7.2 ('competence') equal, the one EQUAL of the whole set
    const cell77 = api.mappingMatrix.cells.find((c: any) => c.sourceGroup.ref === '7' && c.targetGroup.ref === '7');
    expect([cell77.counts, api.mappingMatrix.totals.equal]).toEqual([{ total: 7, equal: 1 }, 1]);
    const noneRefs: string[] = api.reusePotential.requirements.filter((i: any) => i.reach === 'NONE').map((i: any) => i.requirement.ref);
    const noneCount = noneRefs.length;
    expect(noneCount).toBe(api.reusePotential.totals.none);
    // by hand: nothing reaches them, so no row of the 27001 -> 42001 set targets them (its coverage note lists those it does not
    // target; the others it lists are reached in two hops through the EU AI Act or the AI RMF)
    const { coverage } = JSON.parse(fs.readFileSync(path.join(__dirname, '../../seeds/mappings/v2/iso27001_to_iso42001.json'), 'utf8'));
    const notTargeted = [...coverage.iso42001_clauses_not_targeted, ...coverage.iso42001_annexA_controls_not_targeted];
    expect(noneRefs.filter((ref) => !notTargeted.includes(ref))).toEqual([]);
    expect(noneCount).toBeGreaterThan(0);

    const { page, foreign, consoleErrors } = await isolatedPage(browser, origin);
    const operations: string[] = [];
    page.on('request', (r) => {
      if (r.url() === `${origin}/graphql`) operations.push(JSON.parse(r.postData() ?? '{}').operationName);
    });
    await openReuse(page, tokens.editor);
    // the screen is one request (after the shell's viewer and the overview it starts on)
    expect(operations.filter((o) => o === 'Reuse')).toHaveLength(1);
    expect(await page.getByLabel('Source framework (in place)').inputValue()).toBe('iso27001');
    expect(await page.getByLabel('Target framework').inputValue()).toBe('iso42001');
    expect(await numbers(page, 'prefill')).toEqual(api.prefill.totals);
    expect(await numbers(page, 'potential')).toEqual(api.reusePotential.totals);

    // the matrix: clause 7 x clause 7 in words and number
    const cell = page.locator('table.matrix tr[data-group="7"] td[data-target="7"]');
    expect(squash(await cell.textContent())).toMatch(/^7: 1 equal, 6 intersects with/);
    expect(await page.locator('table.matrix tbody tr').count()).toBe(11);

    // the pre-fill list: every requirement the API lists, 42001 7.2 with its path from 27001 7.2
    expect(await page.locator('table.prefill tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ref')))).toEqual(['4.1', '7.2']);
    const hop = api.prefill.requirements.find((i: any) => i.requirement.ref === '7.2').contributions[0].path.hops[0];
    expect([hop.relationship, hop.strength]).toEqual(['EQUAL', 9]);
    const row72 = page.locator('table.prefill tr[data-ref="7.2"]');
    const text72 = squash(await row72.textContent());
    for (const part of ['Evidence competence', 'a FULL path of 1 hop', '7.2 equal', 'strength 9/10', `${hop.source.name} ${hop.source.versionLabel}`, 'Pre-filled', 'Nothing: a full path']) expect(text72).toContain(part);
    expect(await row72.locator('[data-reach]').getAttribute('data-reach')).toBe('FULL');
    // 42001 4.1: the residual is the intersects_with hop
    expect(squash(await page.locator('table.prefill tr[data-ref="4.1"] td[data-field="residual"]').textContent())).toMatch(/4\.1 intersects with .*4\.1 \(strength 8\/10\)/);

    // what needs AI-specific work: as many rows as the API's NONE
    expect(await specificRows(page).count()).toBe(noneCount);
    expect(await page.locator('[data-testid="specific-count"] strong').textContent()).toBe(String(noneCount));
    expect(await specificRows(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ref')))).toEqual(noneRefs);
    // and as CSV: a header, then one line per requirement, in the same order
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^Download CSV of the requirements needing/ }).click()]);
    expect(download.suggestedFilename()).toBe('reuse-iso27001-to-iso42001-specific-work.csv');
    const csv = fs.readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
    expect([csv[0], csv.slice(1).map((line) => line.split(',')[1])]).toEqual(['group,ref,title,status,reason_no_iso27001_counterpart,also_no_counterpart_in', noneRefs]);

    await page.getByText('Per ISO/IEC 42001:2023 group').click();
    // 42001's top-level groups: clauses 4 to 10 and Annex A.2 to A.10
    expect(await page.locator('table.reach-groups tbody tr').count()).toBe(16);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'reuse.png'), fullPage: true });
    expect(foreign).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('the pickers change the pair in the URL: 27001 -> EU AI Act lists the API\'s NONE with the mapping sets\' reasons', async () => {
    const api = await t.data(REPORTS, { from: 'iso27001', to: 'eu-ai-act' });
    const none = api.reusePotential.requirements.filter((i: any) => i.reach === 'NONE');
    const { page, foreign, consoleErrors } = await isolatedPage(browser, origin);
    await openReuse(page, tokens.analyst);
    await page.getByLabel('Target framework').selectOption('eu-ai-act');
    await page.getByRole('heading', { name: /Needs work specific to EU AI Act/ }).waitFor();
    expect(new URL(page.url()).search).toBe('?from=iso27001&to=eu-ai-act');
    await page.locator(`table.specific tbody tr[data-ref="${none[0].requirement.ref}"]`).waitFor();
    expect(await specificRows(page).count()).toBe(none.length);
    expect(await numbers(page, 'prefill')).toEqual(api.prefill.totals);
    expect(await numbers(page, 'potential')).toEqual(api.reusePotential.totals);
    // Art. 5(3): a state procedure, with the EU -> 27001 set's own reason
    expect(squash(await page.locator('table.specific tr[data-ref="Art. 5(3)"]').textContent())).toContain('no ISO/IEC 27001 counterpart');
    // an ANALYST sees the pre-fills but cannot decide on them
    expect(await page.locator('table.prefill tbody tr').count()).toBe(api.prefill.requirements.length);
    expect(await page.getByRole('button', { name: 'Confirm' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    // an unknown key in a link: the hub's refusal in words, and the pickers still lead back
    await page.goto(`${origin}/?from=nope&to=iso42001#/reuse`);
    await page.getByRole('alert').filter({ hasText: 'NOT_FOUND' }).waitFor();
    expect(await page.getByLabel('Source framework (in place)').inputValue()).toBe('nope');
    await page.getByLabel('Source framework (in place)').selectOption('iso27001');
    await page.locator('[data-testid="specific-count"]').waitFor();
    expect(new URL(page.url()).search).toBe('?from=iso27001&to=iso42001');
    expect(foreign).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('an EDITOR confirms 42001 7.2\'s pre-fill from the reuse page (the API then reports it COVERED) and rejects 42001 4.1\'s', async () => {
    expect((await t.data(STATUS_72)).coverage.requirement.status).toBe('PREFILLED');
    const { page, foreign, consoleErrors } = await isolatedPage(browser, origin);
    await openReuse(page, tokens.editor, '?from=iso27001&to=iso42001');
    const row = page.locator('table.prefill tr[data-ref="7.2"]');
    await row.getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('decision-notice').filter({ hasText: 'Confirmed: Evidence competence' }).waitFor();
    const after = (await t.data(STATUS_72)).coverage.requirement;
    expect([after.status, after.direct.map((d: any) => [d.origin, d.evidence.title])]).toEqual(['COVERED', [['CONFIRMED_PREFILL', 'Evidence competence']]]);
    // refetched: the row shows the new status, and there is nothing left to decide on it
    await row.locator('[data-status="COVERED"]').waitFor();
    expect(await row.getByRole('button', { name: 'Confirm' }).count()).toBe(0);
    // the focused button went with it: the keyboard stays on the row
    await page.waitForFunction(() => (globalThis as any).document.activeElement?.closest('tr')?.getAttribute('data-ref') === '7.2');

    // a rejection needs a reason; then the evidence on 27001 4.1 no longer pre-fills 42001 4.1
    const row41 = page.locator('table.prefill tr[data-ref="4.1"]');
    expect(await row41.getByRole('button', { name: 'Reject' }).isDisabled()).toBe(true);
    await row41.getByLabel('Reason').fill('Our context analysis covers the ISMS only');
    await row41.getByRole('button', { name: 'Reject' }).press('Enter');
    await page.getByTestId('decision-notice').filter({ hasText: 'Rejected: Evidence context' }).waitFor();
    await row41.waitFor({ state: 'detached' });
    // the row went too: the keyboard lands on the notice
    await page.waitForFunction(() => (globalThis as any).document.activeElement?.getAttribute('data-testid') === 'decision-notice');
    const api = await t.data(REPORTS, { from: 'iso27001', to: 'iso42001' });
    expect([api.prefill.totals.partial, api.prefill.requirements.map((i: any) => i.requirement.ref)]).toEqual([0, ['7.2']]);
    expect(await numbers(page, 'prefill')).toEqual(api.prefill.totals);
    expect(foreign).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });
});
