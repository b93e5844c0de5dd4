import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/config';
import { loadApplicability } from '../../src/modules/ai-system/applicability.rules';
import { applicabilityDocument } from '../../src/modules/ai-system/applicability.doc';

const doc = applicabilityDocument(loadApplicability());
/** The lines of one fact's section. */
const section = (name: string) => doc.split('\n### ').find((s) => s.startsWith(`\`${name}\``))!.split('\n');

describe('docs/eu-ai-act.md', () => {
  it('is what the applicability table generates (run `npm run docs:eu-ai-act` after changing the table)', () => {
    expect(fs.readFileSync(path.join(projectRoot(), 'docs', 'eu-ai-act.md'), 'utf8')).toBe(doc);
  });

  it('lists every fact and derived fact once', () => {
    expect(doc.match(/^### /gm)).toHaveLength(48 + 13);
  });

  // Expected lists worked out from seeds/eu-ai-act/applicability.json with a separate script (conditions
  // and appliesFrom `when`s, derived facts expanded), not from this module.
  it('names the duties whose condition uses a fact, directly or through derived facts', () => {
    expect(section('publicAuthority')).toContain('- Used by 7: Art. 26(8), Art. 27(1), Art. 27(2), Art. 27(3), Art. 27(4), Art. 49(3), Art. 71(3).');
    expect(section('establishedInThirdCountry')).toContain('- Used by 7: Art. 22(1), Art. 22(2), Art. 54(1), Art. 54(2), Art. 54(3), Art. 54(4), Art. 54(5).');
    expect(section('annexIIIPoint').find((l) => l.startsWith('- Used by'))).toMatch(/^- Used by 18: Art\. 12\(3\), Art\. 14\(5\), Art\. 16\(i\), Art\. 26\(8\), Art\. 27\(1\),/);
    expect(section('annexIIIPoint')).toContain('- Through derived facts: `friaDeployer`.');
    expect(section('smeOrStartUp')).toContain('- Used by no condition yet.');
  });
});
