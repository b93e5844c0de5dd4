import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/config';
import { applicabilityDocument } from '../../src/modules/ai-system/applicability.doc';
import { amendedRecords, loadEuAiActRules } from '../../src/modules/ai-system/applicability.versions';
import { loadFactValues } from '../../src/modules/ai-system/eu-facts';

const { data, effects, corrections } = loadEuAiActRules();
const doc = applicabilityDocument(data, { id: effects.amendment, records: amendedRecords(data, effects) }, loadFactValues(), corrections);
/** The lines of one fact's section. */
const section = (name: string) => doc.split('\n### ').find((s) => s.startsWith(`\`${name}\``))!.split('\n');

describe('docs/eu-ai-act.md', () => {
  it('is what the applicability table generates (run `npm run docs:eu-ai-act` after changing the table)', () => {
    expect(fs.readFileSync(path.join(projectRoot(), 'docs', 'eu-ai-act.md'), 'utf8')).toBe(doc);
  });

  it('lists every fact and derived fact once', () => {
    expect(doc.match(/^### /gm)).toHaveLength(48 + 1 + 13);
  });

  // Expected lists worked out from seeds/eu-ai-act/applicability.json with a separate script (conditions
  // and appliesFrom `when`s, derived facts expanded), not from this module.
  it('names the duties whose condition uses a fact, directly or through derived facts', () => {
    expect(section('publicAuthority')).toContain('- Used by 7: Art. 26(8), Art. 27(1), Art. 27(2), Art. 27(3), Art. 27(4), Art. 49(3), Art. 71(3).');
    expect(section('establishedInThirdCountry')).toContain('- Used by 7: Art. 22(1), Art. 22(2), Art. 54(1), Art. 54(2), Art. 54(3), Art. 54(4), Art. 54(5).');
    expect(section('annexIIIPoint').find((l) => l.startsWith('- Used by'))).toMatch(/^- Used by 18: Art\. 12\(3\), Art\. 14\(5\), Art\. 16\(i\), Art\. 26\(8\), Art\. 27\(1\),/);
    expect(section('annexIIIPoint')).toContain('- Through derived facts: `friaDeployer`.');
    expect(section('smeOrStartUp')).toContain('- Used by no condition yet.');
    expect(section('annexIIIPoint')).toContain('- Values the hub accepts: 1(a), 1(b), 1(c), 2, 3(a), 3(b), 3(c), 3(d), 4(a), 4(b), 5(a), 5(b), 5(c), 5(d), 6(a), 6(b), 6(c), 6(d), 6(e), 7(a), 7(b), 7(c), 7(d), 8(a), 8(b).');
  });

  it('shows what the amendment changes: dates moved, the grace period, the new prohibitions', () => {
    expect(doc).toContain('| Art. 26(1) | annex-iii-deferral, annex-i-deferral | 2030-12-31 / 2030-08-02 / 2027-08-02 / 2026-08-02 | 2030-12-31 / 2030-08-02 / 2028-08-02 / 2027-12-02 |');
    expect(doc).toContain('| Art. 50(2) | art50-2-grace | 2026-08-02 | 2026-12-02 / 2026-08-02 |');
    expect(doc).toContain('| Omnibus Art. 5(1) NCII | art5-ncii-csam | (not in the text) | 2026-12-02 |');
    // Art. 4 is reworded, not moved: not in the table.
    expect(doc).not.toContain('| Art. 4 |');
  });
});
