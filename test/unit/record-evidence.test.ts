import fs from 'node:fs';
import path from 'node:path';
import { LinkCoverage } from '../../src/modules/evidence/evidence.enums';
import { RECORD_EVIDENCE, RecordKind, recordLinks, renderRecordEvidenceTable } from '../../src/modules/records/record-evidence.rules';
import { loadSeedBundle } from '../../src/modules/catalog/catalog.files';
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

describe('impact assessment templates', () => {
  it('the Art. 27 sections come with the Art. 27(1) duty, not with high-risk deployment as such', () => {
    expect(templateFor(new Set(['Art. 26(1)', 'Art. 27(1)']))).toBe(AssessmentTemplate.HIGH_RISK_DEPLOYER);
    expect(templateFor(new Set(['Art. 26(1)', 'Art. 26(2)']))).toBe(AssessmentTemplate.BASE);
    expect(templateFor(new Set())).toBe(AssessmentTemplate.BASE);
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
