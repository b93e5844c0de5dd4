/**
 * Deterministic synthetic data, written with set-based INSERT ... SELECT over generate_series so the
 * full scale (a million links) takes minutes. Every choice comes from hashes of the row number and the
 * run's seed, never from random(), so two runs with the same seed hold the same rows.
 */
import type { DataSource } from 'typeorm';

export interface OrgShape {
  systems: number;
  evidence: number;
  /** Links per evidence item (all on one framework, to distinct requirements of one class). */
  linksPerEvidence: number;
  oversightRecords: number;
}

/** Share of evidence items per framework: most on 27001 Annex A, fewer on 42001 and the AI Act. */
export const FRAMEWORK_SKEW: { key: string; percent: number }[] = [
  { key: 'iso27001', percent: 55 },
  { key: 'iso42001', percent: 20 },
  { key: 'nist-ai-rmf', percent: 15 },
  { key: 'eu-ai-act', percent: 10 },
];

/** A stable pseudo-random integer 0..n-1 for (seed, salt, row). */
const pick = (seed: number, salt: string, row: string, n: number | string) => `mod(abs(hashtext(${seed} || '${salt}' || ${row}::text)), ${n})`;

export async function prepareRequirementPool(ds: DataSource): Promise<void> {
  await ds.query(`DROP TABLE IF EXISTS bench_pool`);
  // Assessable requirements of the latest version of each framework, numbered per framework, with the
  // framework's band of the 0..99 skew range.
  const bands: string[] = [];
  let from = 0;
  for (const { key, percent } of FRAMEWORK_SKEW) {
    bands.push(`('${key}', ${from}, ${from + percent})`);
    from += percent;
  }
  // Each framework's requirements fall into classes by position: half take the valid evidence, a
  // fifth only stale, a fifth only pending, a tenth none at all, so every status occurs (inferred
  // coverage then lifts some of them).
  await ds.query(`
    CREATE TABLE bench_pool AS
    SELECT key, lo, hi, requirement_id, grp,
           (row_number() OVER (PARTITION BY key, grp ORDER BY n) - 1)::int AS n,
           count(*) OVER (PARTITION BY key, grp)::int AS total
      FROM (
        SELECT b.key, b.lo, b.hi, r.id AS requirement_id,
               row_number() OVER (PARTITION BY b.key ORDER BY r.position, r.ref) - 1 AS n
          FROM (VALUES ${bands.join(', ')}) AS b(key, lo, hi)
          JOIN framework f ON f.key = b.key
          JOIN requirement r ON r.framework_id = f.id AND r.assessable
         WHERE f.version = (SELECT max(version) FROM framework f2 WHERE f2.key = f.key)
      ) numbered
      CROSS JOIN LATERAL (SELECT CASE WHEN n % 10 < 5 THEN 'VALID' WHEN n % 10 < 7 THEN 'STALE' WHEN n % 10 < 9 THEN 'PENDING' ELSE 'NONE' END AS grp) g`);
  await ds.query(`CREATE INDEX ON bench_pool (lo, grp, n)`);
}

export async function generateOrganization(ds: DataSource, orgId: string, shape: OrgShape, seed: number): Promise<void> {
  const actor = `'bench'`;
  await ds.query(
    `INSERT INTO ai_system (organization_id, name, lifecycle_stage, eu_roles, risk_class, high_risk_route, eu_facts, created_by)
     SELECT $1, 'system-' || lpad(g::text, 4, '0'),
            (ARRAY['DESIGN','DEVELOPMENT','VERIFICATION','DEPLOYMENT','OPERATION'])[1 + ${pick(seed, 'stage', 'g', 5)}],
            ARRAY[(ARRAY['PROVIDER','DEPLOYER'])[1 + ${pick(seed, 'role', 'g', 2)}]],
            CASE WHEN ${pick(seed, 'risk', 'g', 4)} = 0 THEN 'HIGH_RISK' ELSE 'MINIMAL_RISK' END,
            CASE WHEN ${pick(seed, 'risk', 'g', 4)} = 0 THEN 'ANNEX_III' END,
            -- The facts the class states (as the eu_facts migration maps them), and for high-risk systems an Annex III
            -- point and whether the operator is a public authority, so systems differ in what binds them.
            CASE WHEN ${pick(seed, 'risk', 'g', 4)} = 0
              THEN jsonb_build_object('outOfScopeExclusion', false, 'highRiskRoute', 'ANNEX_III', 'art6_3Derogation', false,
                     'annexIIIPoint', (ARRAY['1(a)','2','4(a)','5(b)','6(a)'])[1 + ${pick(seed, 'point', 'g', 5)}], 'publicAuthority', ${pick(seed, 'public', 'g', 2)} = 0)
              ELSE jsonb_build_object('outOfScopeExclusion', false, 'highRiskRoute', 'NONE', 'interactsWithPersons', false, 'generatesSyntheticContent', false,
                     'emotionRecognitionOrBiometricCategorisation', false, 'deepFake', false, 'publicInterestText', false) END,
            ${actor}
       FROM generate_series(1, $2) g`,
    [orgId, shape.systems],
  );
  // Evidence: 10% pending (DRAFT/IN_REVIEW), 10% stale (accepted, validity ended), the rest accepted and
  // valid; a fifth of the items belong to one AI system.
  await ds.query(
    `WITH systems AS (SELECT id, row_number() OVER (ORDER BY name) - 1 AS n FROM ai_system WHERE organization_id = $1)
     INSERT INTO evidence (organization_id, source_system, external_id, title, kind, effective_at, valid_until, status, created_by, ai_system_id)
     SELECT $1, 'bench', 'E-' || g, 'Synthetic evidence ' || g,
            (ARRAY['DOCUMENT','POLICY','PROCEDURE','TICKET','CONFIG_SNAPSHOT','LOG_EXTRACT','TEST_RESULT','RECORD'])[1 + ${pick(seed, 'kind', 'g', 8)}],
            timestamptz '2025-01-01' + (${pick(seed, 'eff', 'g', 300)} || ' days')::interval,
            CASE WHEN ${pick(seed, 'state', 'g', 10)} = 1 THEN timestamptz '2026-01-01' ELSE NULL END,
            CASE ${pick(seed, 'state', 'g', 10)} WHEN 0 THEN (CASE WHEN g % 2 = 0 THEN 'DRAFT' ELSE 'IN_REVIEW' END) ELSE 'ACCEPTED' END,
            ${actor},
            CASE WHEN ${pick(seed, 'sys', 'g', 5)} = 0 THEN (SELECT id FROM systems WHERE n = ${pick(seed, 'sysn', 'g', '$3')}) END
       FROM generate_series(1, $2) g`,
    [orgId, shape.evidence, shape.systems],
  );
  // Links: each item picks a framework by the skew, then linksPerEvidence consecutive requirements of it
  // from a hashed start (distinct as long as the framework has that many). One in eight links is PARTIAL.
  await ds.query(
    `WITH e AS (
       SELECT id, seq, ${pick(seed, 'fw', 'seq', 100)} AS band, ${pick(seed, 'start', 'seq', 100000)} AS start,
              CASE WHEN valid_until IS NOT NULL THEN 'STALE' WHEN status = 'ACCEPTED' THEN 'VALID' ELSE 'PENDING' END AS grp
         FROM evidence WHERE organization_id = $1)
     INSERT INTO evidence_link (organization_id, evidence_id, requirement_id, coverage, linked_by, linked_at)
     SELECT $1, e.id, p.requirement_id,
            CASE WHEN ${pick(seed, 'cov', "e.seq || '-' || k", 8)} = 0 THEN 'PARTIAL' ELSE 'FULL' END,
            ${actor}, timestamptz '2025-01-01'
       FROM e
       CROSS JOIN generate_series(0, $2 - 1) k
       JOIN LATERAL (SELECT lo, total FROM bench_pool WHERE e.band >= lo AND e.band < hi AND grp = e.grp LIMIT 1) b ON true
       JOIN bench_pool p ON p.lo = b.lo AND p.grp = e.grp AND p.n = (e.start + k) % b.total`,
    [orgId, shape.linksPerEvidence],
  );
  // Statement of Applicability: one in twelve Annex A controls of each standard is NOT_APPLICABLE.
  await ds.query(
    `INSERT INTO applicability_decision (organization_id, requirement_id, applicability, justification, reasons, decided_by, decided_at)
     SELECT $1, p.requirement_id,
            CASE WHEN ${pick(seed, 'soa', 'r.ref', 12)} = 0 THEN 'NOT_APPLICABLE' ELSE 'APPLICABLE' END,
            CASE WHEN ${pick(seed, 'soa', 'r.ref', 12)} = 0 THEN 'Out of scope of the synthetic organization' END,
            ARRAY['RISK_TREATMENT'], ${actor}, timestamptz '2025-01-01'
       FROM bench_pool p JOIN requirement r ON r.id = p.requirement_id
      WHERE p.key IN ('iso27001', 'iso42001') AND r.ref LIKE 'A.%'`,
    [orgId],
  );
  // Oversight: two points per system, records spread over them.
  await ds.query(
    `INSERT INTO oversight_point (organization_id, ai_system_id, name, mechanism)
     SELECT $1, s.id, 'point-' || k, (ARRAY['PRE_APPROVAL','SAMPLED_REVIEW'])[k]
       FROM ai_system s CROSS JOIN generate_series(1, 2) k WHERE s.organization_id = $1`,
    [orgId],
  );
  await ds.query(
    `WITH pts AS (SELECT p.id, row_number() OVER (ORDER BY s.name, p.name) - 1 AS n, count(*) OVER () AS total
                   FROM oversight_point p JOIN ai_system s ON s.id = p.ai_system_id WHERE p.organization_id = $1)
     INSERT INTO oversight_record (organization_id, point_id, reviewer, decided_at, decision, case_ref)
     SELECT $1, pts.id, 'reviewer-' || ${pick(seed, 'rev', 'g', 40)},
            timestamptz '2025-06-01' + (g || ' seconds')::interval,
            (ARRAY['APPROVED','APPROVED','APPROVED','OVERRIDDEN','ESCALATED','HALTED'])[1 + ${pick(seed, 'dec', 'g', 6)}],
            'CASE-' || g
       FROM generate_series(1, $2) g
       JOIN pts ON pts.n = g % pts.total`,
    [orgId, shape.oversightRecords],
  );
}
