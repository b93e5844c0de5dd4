import fs from 'node:fs';
import path from 'node:path';
import { strictOscalProblems } from '../harness/oscal-strict';
import { HUB_NS, LEGACY_HUB_NS, oscalId } from '../../src/modules/interchange/oscal';

const NIST_800_53 = path.join(__dirname, '..', 'fixtures', 'oscal', 'NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog-min.json');

/**
 * The strict-typing walker itself (test/harness/oscal-strict.ts): it must refuse what compliance-trestle
 * refuses, or the export test that runs it over every hub document proves nothing.
 */
const catalog = (control: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
  catalog: {
    uuid: '0b1c6e0a-5d5e-5b8e-9f3e-1a2b3c4d5e6f',
    metadata: { title: 'T', 'last-modified': '2026-01-01T00:00:00.000Z', version: '1', 'oscal-version': '1.2.2', ...metadata },
    controls: [{ id: 'c1', title: 'C', ...control }],
  },
});
const rules = (doc: unknown) => strictOscalProblems(doc).map((p) => `${p.path} ${p.rule}`);

describe('strict OSCAL typing walker', () => {
  it('accepts a document that follows the rules, relative and fragment hrefs included', () => {
    expect(rules(catalog({
      props: [{ name: 'kind', ns: HUB_NS, value: 'control' }, { name: 'label', value: 'A.5.1', class: 'zero-padded' }],
      links: [{ href: '#ac-1', rel: 'related' }, { href: '/export/oscal/catalog/iso27001.json', rel: 'reference' }, { href: 'https://example.org/a%20b', rel: 'reference' }],
      parts: [{ id: 'c1_smt', name: 'statement', prose: 'Multi\nline prose is fine.' }],
    }, { published: '2024-07-12T00:00:00+02:00' }))).toEqual([]);
  });

  it('refuses the old URN namespace, a naive date-time, a v1 uuid, a bad token, an href with a space, a multi-line prop value', () => {
    const doc = catalog({
      id: '²x',
      props: [{ name: 'kind', ns: LEGACY_HUB_NS, value: 'control' }, { name: 'a b', value: 'two\nlines' }],
      links: [{ href: 'https://example.org/a b', rel: 'reference' }, { href: 'x%zz', rel: 'reference' }],
    }, { 'last-modified': '2026-01-01T00:00:00' });
    (doc.catalog as any).uuid = '0b1c6e0a-5d5e-1b8e-9f3e-1a2b3c4d5e6f';
    expect(rules(doc).sort()).toEqual([
      "$['catalog']['controls'][0]['id'] token",
      "$['catalog']['controls'][0]['links'][0]['href'] URI reference",
      "$['catalog']['controls'][0]['links'][1]['href'] URI reference",
      "$['catalog']['controls'][0]['props'][0]['ns'] absolute http(s) URL",
      "$['catalog']['controls'][0]['props'][1]['name'] token",
      "$['catalog']['controls'][0]['props'][1]['value'] single-line string",
      "$['catalog']['metadata']['last-modified'] date-time with timezone",
      "$['catalog']['uuid'] uuid v4/v5 (RFC 4122)",
    ].sort());
  });

  it('the hub namespace is an absolute https URL, and oscalId makes tokens trestle accepts', () => {
    expect(rules({ props: [{ name: 'x', ns: HUB_NS, value: 'y' }] })).toEqual([]);
    expect(new URL(HUB_NS).protocol).toBe('https:');
    for (const ref of ['A.5.1', '5.1', 'Art. 5(1)', 'GOVERN 1.1', 'AC-2(1)', 'Annex III(1)(a)', 'Ä.1', '-x', 'x²']) {
      expect([ref, rules({ id: oscalId(ref) })]).toEqual([ref, []]);
    }
  });

  it('accepts NIST\'s own SP 800-53 rev5 MODERATE catalog: the rules are no stricter than real OSCAL content', () => {
    expect(strictOscalProblems(JSON.parse(fs.readFileSync(NIST_800_53, 'utf8')))).toEqual([]);
  });
});
