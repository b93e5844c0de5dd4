import { launchBrowser } from '../test/harness/browser';

export interface DashboardTiming {
  runs: number;
  p50Ms: number;
  maxMs: number;
  frameworks: number;
}

/**
 * The dashboard overview's first render, as a person opening it sees it: a fresh browser context (no
 * cache), the token already in session storage, from navigation until the side-by-side table and every
 * framework's heat map are on the page. Runs in the machine's Chromium (test/harness/browser.ts).
 */
export async function measureOverview(origin: string, token: string, runs: number): Promise<DashboardTiming> {
  const browser = await launchBrowser();
  try {
    const times: number[] = [];
    let frameworks = 0;
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      await context.addInitScript((t) => (globalThis as any).sessionStorage.setItem('hub.token', t), token);
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(`${origin}/`);
      await page.locator('table.summary tbody tr').first().waitFor({ timeout: 60_000 });
      frameworks = await page.locator('table.summary tbody tr').count();
      await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('table.heat').length >= n, frameworks, { timeout: 60_000 });
      times.push(performance.now() - t0);
      await context.close();
    }
    const sorted = [...times].sort((a, b) => a - b);
    return { runs, p50Ms: Math.round(sorted[Math.floor((sorted.length - 1) / 2)] * 10) / 10, maxMs: Math.round(sorted[sorted.length - 1] * 10) / 10, frameworks };
  } finally {
    await browser.close();
  }
}
