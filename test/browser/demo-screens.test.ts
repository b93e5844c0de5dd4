import path from 'node:path';
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, TestHub, tokenFor } from '../harness/hub';
import { isolatedPage, launchBrowser, SCREENSHOT_DIR, seriousViolations } from '../harness/browser';
import { loadDemo } from '../../src/demo/demo';
import { Role } from '../../src/modules/auth/role';

/**
 * The README's screenshots, taken from the demo organization (`npm run demo`) in a real Chromium:
 * `npm run screenshots` runs this file and copies demo-*.png into docs/screenshots. The numbers the
 * screens must show are demo.test.ts's, worked out by hand there.
 */
let t: TestHub;
let browser: Browser;
let origin: string;
let token: string;
let systems: Record<string, string>;

beforeAll(async () => {
  t = await startTestHub();
  origin = new URL(t.url).origin;
  token = await tokenFor(t, 'demo', Role.ADMIN, 'demo-admin');
  systems = (await loadDemo(t.url, token)).aiSystems;
  browser = await launchBrowser();
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function open(hash: string): Promise<{ page: Page; foreign: string[] }> {
  const { page, foreign } = await isolatedPage(browser, origin);
  await page.context().addInitScript((v) => (globalThis as any).sessionStorage.setItem('hub.token', v), token);
  await page.goto(`${origin}/${hash}`);
  return { page, foreign };
}

describe('demo screens', () => {
  it('overview: the demo programme side by side', async () => {
    const { page, foreign } = await open('');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('table.heat').length >= 4);
    const cell = (fw: string, field: string) => page.locator(`table.summary tr[data-framework="${fw}"] td[data-field="${field}"]`).textContent();
    // demo.test.ts: 27001 covered 93, gap 10, one NOT_APPLICABLE; 42001 pre-filled 8
    expect([(await cell('iso27001', 'covered'))!.trim().split(' ')[0], (await cell('iso27001', 'gap'))!.trim().split(' ')[0], (await cell('iso27001', 'notApplicable'))!.trim().split(' ')[0], (await cell('iso42001', 'prefilled'))!.trim().split(' ')[0]])
      .toEqual(['93', '10', '1', '8']);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'demo-overview.png'), fullPage: true });
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('a pre-filled requirement explained: 42001 7.2 through 27001 7.2', async () => {
    const { page, foreign } = await open('#/frameworks/iso42001/requirements/7.2');
    await page.getByTestId('inferred').first().waitFor();
    expect(await page.getByTestId('status').locator('[data-status]').getAttribute('data-status')).toBe('PREFILLED');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'demo-requirement.png'), fullPage: true });
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('the reuse explorer: what the demo\'s 27001 programme gives 42001', async () => {
    const { page, foreign } = await open('#/reuse');
    await page.getByRole('heading', { name: 'Reuse explorer' }).waitFor();
    await page.locator('table.prefill tbody tr').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'demo-reuse.png') });
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('the mapping graph around 27001 A.5.1 (two hops)', async () => {
    const { page, foreign } = await open('#/graph?framework=iso27001&ref=A.5.1&depth=2');
    await page.locator('[data-testid="graph-canvas"][data-node-count]').waitFor();
    await page.locator('table.graph-nodes tbody tr[data-hops="2"]').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'demo-graph.png') });
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('an AI system: the CV screener\'s EU AI Act duties on a date axis', async () => {
    const { page, foreign } = await open(`#/systems/${encodeURIComponent(systems.cvScreening)}`);
    await page.getByRole('heading', { name: 'TalentLens CV screening' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'demo-system.png'), fullPage: true });
    expect(foreign).toEqual([]);
    await page.context().close();
  });
});
