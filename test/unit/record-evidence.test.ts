import fs from 'node:fs';
import path from 'node:path';
import { LinkCoverage } from '../../src/modules/evidence/evidence.enums';
import { RECORD_EVIDENCE, RecordKind, recordLinks, renderRecordEvidenceTable } from '../../src/modules/records/record-evidence.rules';
import { loadSeedBundle } from '../../src/modules/catalog/catalog.files';
import { binds, actorsFor, bindingFrom } from '../../src/modules/ai-system/obligation.rules';
import { Actor, RiskTier } from '../../src/modules/framework/framework.enums';
import { EuRole, HighRiskRoute, RiskClass } from '../../src/modules/ai-system/ai-system.enums';
import { AssessmentTemplate, TEMPLATES, diffSections, missingSections, templateFor } from '../../src/modules/impact-assessment/impact-assessment.rules';

describe('records as evidence', () => {
  it('docs/record-evidence.md shows exactly the table in code', () => {
    const doc = fs.readFileSync(path.join(__dirname, '../../docs/record-evidence.md'), 'utf8');
    const table = /<!-- table:start -->\n([\s\S]*?)\n<!-- table:end -->/.exec(doc)?.[1];
    expect(table).toBe(renderRecordEvidenceTable());
  });

  it('names only requirements that exist in the seeded catalogs', () => {
    const refs = new Map(loadSeedBundle().frameworks.map((f) => [f.key, new Set(f.nodes.map((n) => n.ref))]));
    const all = Object.values(RECORD_EVIDENCE).flatMap((r) => r.links);
    const missing = all.filter((l) => !refs.get(l.framework)?.has(l.ref)).map((l) => `${l.framework} ${l.ref}`);
    expect(missing).toEqual([]);
    expect(all.length).toBeGreaterThan(30);
  });

  it('flags switch links on and upgrade coverage', () => {
    expect(recordLinks(RecordKind.IMPACT_ASSESSMENT, new Set()).map((l) => l.ref)).not.toContain('Art. 27(1)');
    expect(recordLinks(RecordKind.IMPACT_ASSESSMENT, new Set(['highRiskDeployer'])).map((l) => l.ref)).toContain('Art. 27(1)');
    const partial = recordLinks(RecordKind.MANAGEMENT_REVIEW, new Set()).filter((l) => l.ref === '9.3.2');
    const full = recordLinks(RecordKind.MANAGEMENT_REVIEW, new Set(['allInputs'])).filter((l) => l.ref === '9.3.2');
    expect([partial.map((l) => l.coverage), full.map((l) => l.coverage)]).toEqual([[LinkCoverage.PARTIAL, LinkCoverage.PARTIAL], [LinkCoverage.FULL, LinkCoverage.FULL]]);
  });
});

describe('obligation rules', () => {
  const art26 = { actors: [Actor.DEPLOYER], riskTiers: [RiskTier.HIGH_RISK], appliesFrom: '2026-08-02', appliesFromAnnexIProducts: '2027-08-02' };
  const art27 = { ...art26, appliesFromAnnexIProducts: null };
  const art4 = { actors: [Actor.PROVIDER, Actor.DEPLOYER], riskTiers: [RiskTier.ALL], appliesFrom: '2025-02-02', appliesFromAnnexIProducts: null };
  const D = [EuRole.DEPLOYER];

  it('takes the route\'s date for high-risk duties and the general date otherwise', () => {
    expect(bindingFrom(art26, D, RiskClass.HIGH_RISK, HighRiskRoute.ANNEX_III)).toBe('2026-08-02');
    expect(bindingFrom(art26, D, RiskClass.HIGH_RISK, HighRiskRoute.ANNEX_I)).toBe('2027-08-02');
    expect(bindingFrom(art27, D, RiskClass.HIGH_RISK, HighRiskRoute.ANNEX_I)).toBeNull();
    expect(bindingFrom(art4, D, RiskClass.HIGH_RISK, HighRiskRoute.ANNEX_I)).toBe('2025-02-02');
    expect(bindingFrom(art26, [EuRole.PROVIDER], RiskClass.HIGH_RISK, HighRiskRoute.ANNEX_III)).toBeNull();
    expect(bindingFrom(art26, D, RiskClass.LIMITED_RISK, null)).toBeNull();
    expect(binds(art26, D, RiskClass.HIGH_RISK, HighRiskRoute.ANNEX_III, new Date('2026-08-01T23:59:59Z'))).toBe(false);
    expect(binds(art26, D, RiskClass.HIGH_RISK, HighRiskRoute.ANNEX_III, new Date('2026-08-02T00:00:00Z'))).toBe(true);
  });

  it('maps roles to catalog actors: product manufacturers as providers, GPAI providers for GPAI classes', () => {
    expect(actorsFor([EuRole.PRODUCT_MANUFACTURER], RiskClass.HIGH_RISK)).toEqual([Actor.PROVIDER]);
    expect(actorsFor([EuRole.PROVIDER], RiskClass.GPAI).sort()).toEqual([Actor.GPAI_PROVIDER, Actor.PROVIDER].sort());
    expect(actorsFor([EuRole.DEPLOYER], RiskClass.GPAI)).toEqual([Actor.DEPLOYER]);
  });
});

describe('impact assessment templates', () => {
  it('a high-risk deployer gets the Art. 27 sections; anyone else the base template', () => {
    expect(templateFor(RiskClass.HIGH_RISK, [EuRole.DEPLOYER])).toBe(AssessmentTemplate.HIGH_RISK_DEPLOYER);
    expect(templateFor(RiskClass.HIGH_RISK, [EuRole.PROVIDER])).toBe(AssessmentTemplate.BASE);
    expect(templateFor(RiskClass.LIMITED_RISK, [EuRole.DEPLOYER])).toBe(AssessmentTemplate.BASE);
    expect(TEMPLATES.BASE.filter((s) => s.required)).toHaveLength(6);
    expect(TEMPLATES.HIGH_RISK_DEPLOYER.filter((s) => s.required)).toHaveLength(11);
  });

  it('names the empty required sections and diffs by section', () => {
    expect(missingSections(AssessmentTemplate.BASE, { intended_use_and_context: 'x', data_and_model: '  ' }).map((s) => s.key)).toEqual([
      'affected_individuals_and_groups', 'benefits_and_harms', 'data_and_model', 'mitigations_and_oversight', 'residual_risk_and_decision',
    ]);
    const d = diffSections(AssessmentTemplate.BASE, { notes: 'a', data_and_model: 'x' }, { notes: 'a', data_and_model: 'y' });
    expect(d.filter((x) => x.changed).map((x) => [x.key, x.from, x.to])).toEqual([['data_and_model', 'x', 'y']]);
  });
});
