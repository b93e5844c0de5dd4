import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { HubConfig } from '../config';
import { TokenService } from '../modules/auth/token.service';
import { OrganizationService } from '../modules/organization/organization.service';
import { Role } from '../modules/auth/role';
import { DEMO_ORGANIZATION } from './demo.data';
import { loadDemo } from './demo';

/**
 * `npm run demo` (HUB_DEMO=true): once the hub listens, the demo organization gets an ADMIN token and,
 * while it holds no evidence, its programme, loaded by loadDemo through the hub's own API. On the
 * embedded default the token is kept next to the data (like the local ADMIN token) and reused; on
 * DATABASE_URL each start makes a new one.
 */
export async function startDemo(
  config: Pick<HubConfig, 'database'>,
  owner: <T>(fn: (ds: DataSource) => Promise<T>) => Promise<T>,
  ds: DataSource,
  url: string,
  log: (msg: string) => void,
  announce: (msg: string) => void,
): Promise<void> {
  const file = config.database.kind === 'pglite' ? path.join(path.dirname(config.database.dataDir), 'demo-token') : null;
  const kept = file && fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : null;
  const tokens = (d: DataSource) => new TokenService(d, new OrganizationService(d));
  let token = kept && (await tokens(ds).authenticate(kept)) ? kept : null;
  if (!token) {
    // As the schema owner, like `npm run token`: the organization may not exist yet.
    token = await owner(async (o) => (await tokens(o).createForSlug(DEMO_ORGANIZATION, Role.ADMIN, 'demo-admin')).token);
    if (file) fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  }

  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ evidences(first: 1) { totalCount } }' }),
  });
  const body = (await res.json()) as { data?: { evidences: { totalCount: number } }; errors?: { message: string }[] };
  if (!body.data) throw new Error(`demo: could not read the demo organization's evidence: ${body.errors?.[0]?.message ?? `HTTP ${res.status}`}`);
  if (body.data.evidences.totalCount === 0) {
    const { created } = await loadDemo(url, token);
    log(`[hub] demo organization "${DEMO_ORGANIZATION}" loaded: ${created.evidence} evidence items, ${created.aiSystems} AI systems, ${created.oversightRecords} oversight records, ${created.registerRecords} register records`);
  } else {
    log(`[hub] demo organization "${DEMO_ORGANIZATION}" already holds evidence; left as it is`);
  }
  // The token goes to the person at the terminal, never into the structured log.
  announce(`\n  Demo organization "${DEMO_ORGANIZATION}" at ${url}\n  ADMIN token: ${token}\n`);
}
