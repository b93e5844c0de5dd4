import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { declareIntegratedCompetence, startTestHub, type TestHub } from './hub';
import { launchBrowser, SCREENSHOT_DIR } from './browser';

/** A browser test file's hub (with arrangePrefillData's data), its Chromium, and the one origin its pages may reach. */
export async function startDashboard(): Promise<{ hub: TestHub; browser: Browser; origin: string }> {
  const hub = await startTestHub();
  const browser = await launchBrowser();
  await arrangePrefillData(hub);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return { hub, browser, origin: new URL(hub.url).origin };
}

export async function stopDashboard(hub: TestHub | undefined, browser: Browser | undefined): Promise<void> {
  await browser?.close();
  await hub?.stop();
}

/**
 * The dashboard tests' data (coverage.test.ts's, whose statuses were worked out by hand from the seeded mappings):
 * the organization declares one competence process for its ISMS and AIMS, so 27001 7.2 -EQUAL(9)-> 42001 7.2 and
 * accepted evidence on 27001 7.2 pre-fills 42001 7.2 FULL; accepted evidence on 27001 4.1 (INTERSECTS_WITH(8) 42001
 * 4.1) pre-fills it only PARTIAL; the policy on A.5.1 has expired (STALE) and the log extract on A.8.15 is a DRAFT
 * (PENDING), so neither pre-fills anything.
 */
export async function arrangePrefillData(t: TestHub): Promise<void> {
  await declareIntegratedCompetence(t);
  const ev = (externalId: string, ref: string, over: Record<string, unknown> = {}) => ({
    sourceSystem: 'grc', externalId, title: `Evidence ${externalId}`, kind: 'DOCUMENT', effectiveAt: '2025-06-01T00:00:00Z', status: 'ACCEPTED',
    links: [{ framework: 'iso27001', ref }], ...over,
  });
  for (const input of [
    ev('competence', '7.2'),
    ev('context', '4.1'),
    ev('policy', 'A.5.1', { effectiveAt: '2025-01-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' }),
    ev('logging', 'A.8.15', { status: 'DRAFT' }),
  ]) await t.data(`mutation($input: UpsertEvidenceInput!) { upsertEvidence(input: $input) { evidence { id } } }`, { input });
}
