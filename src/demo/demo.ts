/**
 * Loads the demo organization's programme (demo.data.ts) through the public GraphQL API only, as an
 * integrator would: HTTP POST with a bearer token, nothing from the server's own code. Idempotent: evidence
 * goes through the sourceSystem + externalId upsert, oversight records through their own idempotency key,
 * and everything else is looked up first, so a second run with the same `now` changes nothing.
 */
import {
  DEMO_AI_SYSTEMS, DEMO_APPLICABILITY, DEMO_AUDIT, DEMO_CONDITION, DEMO_EVIDENCE, DEMO_IMPACT_ASSESSMENT, DEMO_NONCONFORMITIES,
  DEMO_ORGANIZATION, DEMO_OVERSIGHT, DEMO_REGISTER, DemoSystem, SOURCE_URI,
} from './demo.data';

/** What one run created (zero everywhere on a second run). */
export interface DemoCounts {
  evidence: number;
  /** Evidence that existed and was changed (a run on a later day moves the relative dates). */
  evidenceUpdated: number;
  aiSystems: number;
  impactAssessmentVersions: number;
  oversightPoints: number;
  oversightRecords: number;
  internalAudits: number;
  auditFindings: number;
  nonconformities: number;
  registerRecords: number;
  applicabilityDecisions: number;
  conditionDeclarations: number;
}

export interface DemoSummary {
  /** The slug of the token's organization (from `viewer`). */
  organization: string;
  created: DemoCounts;
  /** Ids of the AI systems in the register. */
  aiSystems: Record<DemoSystem, string>;
}

export interface DemoOptions {
  /** The moment dates are counted back from (its UTC day, so runs on the same day send the same data); now by default. */
  now?: Date;
}

type Gql = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

function client(url: string, token: string): Gql {
  return async <T>(query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`demo: HTTP ${res.status} from ${url}: ${text.slice(0, 200)}`);
    }
    if (body.errors?.length) {
      const op = /^\s*(?:query|mutation)\s*(\w*)/.exec(query)?.[1] || 'request';
      throw new Error(`demo: ${op} failed: ${body.errors.map((e) => `${e.extensions?.code ?? 'ERROR'} ${e.message}`).join('; ')}`);
    }
    return body.data as T;
  };
}

const DAY = 86_400_000;

interface State {
  systems: { id: string; name: string; impactAssessments: { id: string; version: number; status: string }[]; oversightPoints: { id: string; name: string }[] }[];
  audits: { id: string; title: string; findings: { id: string; type: string; description: string }[] }[];
  nonconformities: { id: string; description: string; status: string; rootCause: string | null }[];
  conditions: { condition: string; parameter: string | null; holds: boolean }[];
  records: { id: string; kind: string; title: string }[];
  soa: { requirement: { ref: string }; decision: { applicability: string } | null }[];
}

const STATE = `query DemoState {
  aiSystemsConnection(first: 200, includeRetired: true) { nodes { id name impactAssessments { id version status } oversightPoints { id name } } }
  internalAudits { id title findings { id type description } }
  nonconformities { id description status rootCause }
  organizationConditions { condition parameter holds }
  registerRecords { id kind title }
  statementOfApplicability(framework: "iso27001") { rows { requirement { ref } decision { applicability } } }
}`;

async function readState(gql: Gql): Promise<State> {
  const d = await gql<{ aiSystemsConnection: { nodes: State['systems'] }; internalAudits: State['audits']; nonconformities: State['nonconformities']; organizationConditions: State['conditions']; registerRecords: State['records']; statementOfApplicability: { rows: State['soa'] } }>(STATE);
  return {
    systems: d.aiSystemsConnection.nodes,
    audits: d.internalAudits,
    nonconformities: d.nonconformities,
    conditions: d.organizationConditions,
    records: d.registerRecords,
    soa: d.statementOfApplicability.rows,
  };
}

export async function loadDemo(graphqlUrl: string, token: string, options: DemoOptions = {}): Promise<DemoSummary> {
  const gql = client(graphqlUrl, token);
  const now = options.now ?? new Date();
  const anchor = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const daysAgo = (n: number, hours = 0) => new Date(anchor - n * DAY + hours * 3_600_000).toISOString();
  const created: DemoCounts = {
    evidence: 0, evidenceUpdated: 0, aiSystems: 0, impactAssessmentVersions: 0, oversightPoints: 0, oversightRecords: 0,
    internalAudits: 0, auditFindings: 0, nonconformities: 0, registerRecords: 0, applicabilityDecisions: 0, conditionDeclarations: 0,
  };
  const state = await readState(gql);

  // One integrated management system, for every process (no parameters).
  if (!state.conditions.some((c) => c.condition === DEMO_CONDITION.condition && c.parameter === null && c.holds)) {
    const d = await gql<{ declareOrganizationCondition: { declarations: unknown[] } }>(
      `mutation DemoCondition($input: DeclareConditionInput!) { declareOrganizationCondition(input: $input) { declarations { id } } }`,
      { input: { condition: DEMO_CONDITION.condition, holds: true, note: DEMO_CONDITION.note } },
    );
    created.conditionDeclarations += d.declareOrganizationCondition.declarations.length;
  }

  const systems = {} as Record<DemoSystem, string>;
  for (const s of DEMO_AI_SYSTEMS) {
    const found = state.systems.find((x) => x.name === s.input.name);
    if (found) {
      systems[s.key] = found.id;
      continue;
    }
    const d = await gql<{ registerAiSystem: State['systems'][number] }>(
      `mutation DemoRegister($input: RegisterAiSystemInput!) { registerAiSystem(input: $input) { id name impactAssessments { id version status } oversightPoints { id name } } }`,
      { input: s.input },
    );
    state.systems.push(d.registerAiSystem);
    systems[s.key] = d.registerAiSystem.id;
    created.aiSystems++;
  }
  const systemOf = (key: DemoSystem) => state.systems.find((x) => x.id === systems[key])!;

  const items = DEMO_EVIDENCE.map((e) => ({
    sourceSystem: e.source,
    externalId: e.externalId,
    title: e.title,
    kind: e.kind,
    owner: e.owner,
    uri: SOURCE_URI[e.source](e.externalId),
    effectiveAt: daysAgo(e.daysAgo),
    reviewCadence: e.cadence,
    status: e.status ?? 'ACCEPTED',
    aiSystemId: e.system ? systems[e.system] : null,
    links: e.links,
  }));
  const bulk = await gql<{ bulkUpsertEvidence: { created: number; updated: number; failed: number; results: { index: number; error: { message: string } | null }[] } }>(
    `mutation DemoEvidence($input: BulkUpsertEvidenceInput!) { bulkUpsertEvidence(input: $input) { created updated failed results { index error { message } } } }`,
    { input: { items } },
  );
  if (bulk.bulkUpsertEvidence.failed) {
    const errors = bulk.bulkUpsertEvidence.results.filter((r) => r.error).map((r) => `${items[r.index].externalId}: ${r.error!.message}`);
    throw new Error(`demo: evidence refused: ${errors.join('; ')}`);
  }
  created.evidence += bulk.bulkUpsertEvidence.created;
  created.evidenceUpdated += bulk.bulkUpsertEvidence.updated;

  await impactAssessment(gql, systemOf('cvScreening'), daysAgo, created);
  await oversight(gql, systemOf, daysAgo, created);
  const findings = await audit(gql, state, daysAgo, created);
  await nonconformities(gql, state, systems, findings, daysAgo, created);

  for (const r of DEMO_REGISTER) {
    if (state.records.some((x) => x.kind === r.kind && x.title === r.title)) continue;
    await gql(`mutation DemoRecord($input: UpsertRegisterRecordInput!) { upsertRegisterRecord(input: $input) { id } }`, {
      input: {
        kind: r.kind, title: r.title, status: r.status, owner: r.owner, aiSystemId: r.system ? systems[r.system] : null,
        effectiveAt: daysAgo(r.daysAgo), reviewDue: r.reviewInDays === undefined ? null : daysAgo(-r.reviewInDays), data: r.data,
      },
    });
    created.registerRecords++;
  }

  for (const a of DEMO_APPLICABILITY) {
    if (state.soa.some((row) => row.requirement.ref === a.ref && row.decision)) continue;
    await gql(`mutation DemoApplicability($input: SetApplicabilityInput!) { setApplicability(input: $input) { id } }`, { input: a });
    created.applicabilityDecisions++;
  }

  const { viewer } = await gql<{ viewer: { organizationSlug: string } }>(`query DemoViewer { viewer { organizationSlug } }`);
  return { organization: viewer.organizationSlug, created, aiSystems: systems };
}

/** Version 1 written, submitted and approved; version 2 (the vendor's retrained model) started as a draft. */
async function impactAssessment(gql: Gql, system: State['systems'][number], daysAgo: (n: number) => string, created: DemoCounts): Promise<void> {
  const ia = DEMO_IMPACT_ASSESSMENT;
  const versions = [...system.impactAssessments];
  const start = async () => {
    const d = await gql<{ startImpactAssessment: { id: string; version: number; status: string } }>(
      `mutation DemoStartAssessment($id: ID!, $assessor: String) { startImpactAssessment(aiSystemId: $id, assessor: $assessor) { id version status } }`,
      { id: system.id, assessor: ia.assessor },
    );
    versions.push(d.startImpactAssessment);
    created.impactAssessmentVersions++;
    return d.startImpactAssessment;
  };
  const update = (id: string, sections: Record<string, string>) =>
    gql(`mutation DemoUpdateAssessment($input: UpdateImpactAssessmentInput!) { updateImpactAssessment(input: $input) { id } }`, {
      input: { id, nextReviewDue: daysAgo(-365), sections: Object.entries(sections).map(([key, text]) => ({ key, text })) },
    });

  const v1 = versions.find((v) => v.version === 1) ?? (await start());
  if (v1.status === 'DRAFT') {
    await update(v1.id, ia.v1);
    await gql(`mutation DemoSubmitAssessment($id: ID!) { submitImpactAssessment(id: $id) { id } }`, { id: v1.id });
    v1.status = 'IN_REVIEW';
  }
  if (v1.status === 'IN_REVIEW') {
    await gql(`mutation DemoDecideAssessment($input: DecideImpactAssessmentInput!) { decideImpactAssessment(input: $input) { id } }`, {
      input: { id: v1.id, decision: 'APPROVED', comment: ia.approvalComment, nextReviewDue: daysAgo(-365) },
    });
  }
  if (!versions.some((v) => v.version === 2)) {
    // Starts from version 1's sections; only what the retraining changes is rewritten.
    const v2 = await start();
    await update(v2.id, ia.v2);
  }
}

async function oversight(gql: Gql, systemOf: (key: DemoSystem) => State['systems'][number], daysAgo: (n: number, hours?: number) => string, created: DemoCounts): Promise<void> {
  const items: Record<string, unknown>[] = [];
  for (const [p, point] of DEMO_OVERSIGHT.entries()) {
    const system = systemOf(point.system);
    let id = system.oversightPoints.find((x) => x.name === point.name)?.id;
    if (!id) {
      const { name, mechanism, overseerRole, triggerCriteria, decision, location } = point;
      const d = await gql<{ addOversightPoint: { id: string; name: string } }>(
        `mutation DemoOversightPoint($input: AddOversightPointInput!) { addOversightPoint(input: $input) { id name } }`,
        { input: { aiSystemId: system.id, name, mechanism, overseerRole, triggerCriteria, decision, location } },
      );
      system.oversightPoints.push(d.addOversightPoint);
      id = d.addOversightPoint.id;
      created.oversightPoints++;
    }
    for (const [i, [days, decision, rationale]] of point.records.entries()) {
      // Working hours, one case after another; the key is (point, case reference, decidedAt).
      items.push({ pointId: id, caseRef: `CASE-${p + 1}-${String(i + 1).padStart(3, '0')}`, decidedAt: daysAgo(days, 9 + i / 4), decision, rationale: rationale ?? null, reviewer: point.overseerRole });
    }
  }
  const d = await gql<{ recordOversight: { created: number; failed: number; results: { index: number; error: string | null }[] } }>(
    `mutation DemoOversight($input: RecordOversightInput!) { recordOversight(input: $input) { created failed results { index error } } }`,
    { input: { items } },
  );
  if (d.recordOversight.failed) throw new Error(`demo: oversight records refused: ${d.recordOversight.results.filter((r) => r.error).map((r) => `${r.index}: ${r.error}`).join('; ')}`);
  created.oversightRecords += d.recordOversight.created;
}

/** The internal audit and its findings; returns the finding ids in DEMO_AUDIT order. */
async function audit(gql: Gql, state: State, daysAgo: (n: number) => string, created: DemoCounts): Promise<string[]> {
  let found = state.audits.find((a) => a.title === DEMO_AUDIT.title);
  if (!found) {
    const { title, programme, auditor, scopeFrameworks, plannedDaysAgo, performedDaysAgo } = DEMO_AUDIT;
    const d = await gql<{ createInternalAudit: { id: string; title: string } }>(
      `mutation DemoAudit($input: CreateInternalAuditInput!) { createInternalAudit(input: $input) { id title } }`,
      { input: { title, programme, auditor, scopeFrameworks, plannedAt: daysAgo(plannedDaysAgo), performedAt: daysAgo(performedDaysAgo) } },
    );
    found = { ...d.createInternalAudit, findings: [] };
    created.internalAudits++;
  }
  const ids: string[] = [];
  for (const f of DEMO_AUDIT.findings) {
    let id = found.findings.find((x) => x.type === f.type && x.description === f.description)?.id;
    if (!id) {
      const d = await gql<{ addAuditFinding: { id: string } }>(
        `mutation DemoFinding($input: AddAuditFindingInput!) { addAuditFinding(input: $input) { id } }`,
        { input: { auditId: found.id, ...f } },
      );
      id = d.addAuditFinding.id;
      created.auditFindings++;
    }
    ids.push(id);
  }
  return ids;
}

async function nonconformities(gql: Gql, state: State, systems: Record<DemoSystem, string>, findings: string[], daysAgo: (n: number) => string, created: DemoCounts): Promise<void> {
  for (const nc of DEMO_NONCONFORMITIES) {
    let found = state.nonconformities.find((x) => x.description === nc.description);
    if (!found) {
      const d = await gql<{ raiseNonconformity: State['nonconformities'][number] }>(
        `mutation DemoNc($input: RaiseNonconformityInput!) { raiseNonconformity(input: $input) { id description status rootCause } }`,
        { input: {
          source: nc.source, description: nc.description, owner: nc.owner, dueAt: daysAgo(-nc.dueInDays),
          findingId: nc.finding === undefined ? null : findings[nc.finding], aiSystemId: nc.system ? systems[nc.system] : null,
        } },
      );
      found = d.raiseNonconformity;
      created.nonconformities++;
    }
    if (found.status === 'OPEN' && !found.rootCause) {
      await gql(`mutation DemoNcUpdate($input: UpdateNonconformityInput!) { updateNonconformity(input: $input) { id } }`, {
        input: { id: found.id, rootCause: nc.rootCause, correction: nc.correction, correctiveAction: nc.correctiveAction },
      });
    }
    if (found.status === 'OPEN' && nc.closedDaysAgo !== undefined) {
      await gql(`mutation DemoNcClose($input: CloseNonconformityInput!) { closeNonconformity(input: $input) { id } }`, {
        input: { id: found.id, effectiveness: 'EFFECTIVE', checkedAt: daysAgo(nc.closedDaysAgo) },
      });
    }
  }
}
