import { Relationship } from '../../src/modules/mapping/mapping.enums';
import {
  ConsistencyFinding, ConsistencyKind, ConsistencyQualifier, ConsistencyRow, ConsistencySeverity, NodeStatus, checkConsistency,
} from '../../src/modules/mapping/mapping-consistency.rules';

const { EQUAL, SUBSET_OF, SUPERSET_OF, INTERSECTS_WITH, NO_RELATIONSHIP } = Relationship;
const { RELATIONSHIP_CONFLICT, INVERSE_CONFLICT, CYCLE_CONTRADICTION, DROPPED_NODE } = ConsistencyKind;
const { CONTRADICTION, WARNING } = ConsistencySeverity;

const ISO = { setId: 'set-iso', setKey: 'iso27001-to-iso42001', setVersion: 2 };
const ORG = { setId: 'set-org', setKey: 'org-set', setVersion: 1 };
const NIST = { setId: 'set-nist', setKey: 'nist-crosswalk', setVersion: 1 };
type MappingSet = typeof ISO;
// Set labels as messages print them.
const iso = 'iso27001-to-iso42001 v2';
const org = 'org-set v1';
const nist = 'nist-crosswalk v1';

/** Requirements are written "framework:ref"; their id is that with a '#' in front, so ids and refs differ. */
const id = (ref: string) => `#${ref}`;

function row(
  mappingId: string, set: MappingSet, source: string, relationship: Relationship, target: string,
  strength: number | null = 8, qualifiers: ConsistencyQualifier[] = [],
): ConsistencyRow {
  const [sourceFramework, sourceRef] = source.split(':');
  const [targetFramework, targetRef] = target.split(':');
  return {
    mappingId, ...set, sourceId: id(source), sourceFramework, sourceRef, targetId: id(target), targetFramework, targetRef,
    relationship, strength, qualifiers,
  };
}

const when = (condition: string, relationship: Relationship, strength: number | null = null, process: string | null = null): ConsistencyQualifier => ({
  when: condition, process, relationship, strength,
});

function node(ref: string, version: string, inLatest = true, latestVersion = version): [string, NodeStatus] {
  const [frameworkKey, nodeRef] = ref.split(':');
  return [id(ref), { id: id(ref), frameworkKey, frameworkVersion: version, ref: nodeRef, inLatest, latestVersion }];
}

const none = new Map<string, NodeStatus>();

function finding(
  kind: ConsistencyKind, severity: ConsistencySeverity, message: string, mappingIds: string[], setKeys: string[], refs: string[],
  underConditions = false,
): ConsistencyFinding {
  return { kind, severity, message, mappingIds, setKeys, requirementIds: refs.map(id), refs, underConditions };
}

const check = (rows: ConsistencyRow[], mode: 'none' | 'all' | 'both', nodes = none) => checkConsistency(rows, nodes, { conditions: mode });

/** s1 x:A ⊂ y:B (iso) and s2 y:B ⊂ x:A (org): a pair read two ways, and a ⊂ cycle of two. */
const mutualSubsetFindings = [
  finding(INVERSE_CONFLICT, CONTRADICTION, `x:A SUBSET_OF y:B (${iso}) but y:B SUBSET_OF x:A (${org}), that is x:A SUPERSET_OF y:B`,
    ['s1', 's2'], ['iso27001-to-iso42001', 'org-set'], ['x:A', 'y:B']),
  finding(CYCLE_CONTRADICTION, CONTRADICTION,
    `x:A SUBSET_OF y:B (${iso}), y:B SUBSET_OF x:A (${org}): back where it started, so x:A would be a strict subset of itself`,
    ['s1', 's2'], ['iso27001-to-iso42001', 'org-set'], ['x:A', 'y:B']),
];

describe('a clean graph', () => {
  /**
   *  iso27001:9.2.2 = iso42001:9.2.2 in two sets (strengths 8 and 6: 2 apart is within tolerance)
   *  iso42001:9.2.2 ⊃ nist:GV-1, and nist:GV-1 ⊂ iso42001:9.2.2 stored the other way (they agree)
   *  iso27001:5.1 ∩ nist:GV-1 both ways; iso27001:5.1 unrelated to eu:Art-9; nist:GV-1 ⊂ eu:Art-9,
   *  EQUAL under a qualifier, which still contradicts nothing.
   */
  const rows = [
    row('m1', ISO, 'iso27001:9.2.2', EQUAL, 'iso42001:9.2.2', 8),
    row('m2', ORG, 'iso27001:9.2.2', EQUAL, 'iso42001:9.2.2', 6),
    row('m3', ISO, 'iso42001:9.2.2', SUPERSET_OF, 'nist:GV-1', 7),
    row('m4', ORG, 'nist:GV-1', SUBSET_OF, 'iso42001:9.2.2', null),
    row('m5', ISO, 'iso27001:5.1', INTERSECTS_WITH, 'nist:GV-1'),
    row('m6', NIST, 'nist:GV-1', INTERSECTS_WITH, 'iso27001:5.1'),
    row('m7', NIST, 'iso27001:5.1', NO_RELATIONSHIP, 'eu:Art-9'),
    row('m8', ISO, 'nist:GV-1', SUBSET_OF, 'eu:Art-9', 5, [when('the AI system is high-risk', EQUAL)]),
  ];
  const nodes = new Map([
    node('iso27001:9.2.2', '2022'), node('iso42001:9.2.2', '2023'), node('nist:GV-1', '1.0'),
    node('iso27001:5.1', '2022'), node('eu:Art-9', '2024'),
  ]);

  it.each(['none', 'all', 'both'] as const)('has no findings (%s)', (mode) => {
    expect(check(rows, mode, nodes)).toEqual([]);
  });

  it('has no findings with no rows', () => {
    expect(checkConsistency([], none)).toEqual([]);
  });
});

describe('rule 1: RELATIONSHIP_CONFLICT', () => {
  it('two sets, same direction, different relationships: a contradiction naming both sets', () => {
    const rows = [
      row('m2', ORG, 'iso27001:A.8', INTERSECTS_WITH, 'iso42001:B.6'),
      row('m1', ISO, 'iso27001:A.8', SUBSET_OF, 'iso42001:B.6'),
      row('m3', NIST, 'iso27001:A.8', SUBSET_OF, 'iso42001:B.6'),
    ];
    // Rows are named by set key: iso27001-to-iso42001, nist-crosswalk, org-set.
    expect(check(rows, 'both')).toEqual([
      finding(RELATIONSHIP_CONFLICT, CONTRADICTION, `iso27001:A.8 SUBSET_OF iso42001:B.6 (${iso}, ${nist}) but INTERSECTS_WITH in ${org}`,
        ['m1', 'm3', 'm2'], ['iso27001-to-iso42001', 'nist-crosswalk', 'org-set'], ['iso27001:A.8', 'iso42001:B.6']),
    ]);
  });

  it('EQUAL against INTERSECTS_WITH is a pair conflict, and inside the EQUAL class a cycle contradiction too', () => {
    const rows = [
      row('m1', ISO, 'iso27001:9.2.2', EQUAL, 'iso42001:9.2.2'),
      row('m2', ORG, 'iso27001:9.2.2', INTERSECTS_WITH, 'iso42001:9.2.2'),
    ];
    expect(check(rows, 'both')).toEqual([
      finding(RELATIONSHIP_CONFLICT, CONTRADICTION, `iso27001:9.2.2 EQUAL iso42001:9.2.2 (${iso}) but INTERSECTS_WITH in ${org}`,
        ['m1', 'm2'], ['iso27001-to-iso42001', 'org-set'], ['iso27001:9.2.2', 'iso42001:9.2.2']),
      finding(CYCLE_CONTRADICTION, CONTRADICTION,
        `iso27001:9.2.2 INTERSECTS_WITH iso42001:9.2.2 (${org}) but EQUAL mappings make them the same requirement: iso27001:9.2.2 EQUAL iso42001:9.2.2 (${iso})`,
        ['m2', 'm1'], ['iso27001-to-iso42001', 'org-set'], ['iso27001:9.2.2', 'iso42001:9.2.2']),
    ]);
  });

  it('same relationship: a warning only when strengths are more than 2 apart', () => {
    const rows = [
      row('p1', ISO, 'a:1', SUBSET_OF, 'c:1', 9),
      row('p2', ORG, 'a:1', SUBSET_OF, 'c:1', 5), // 4 apart: warning
      row('q1', ISO, 'd:1', SUBSET_OF, 'e:1', 9),
      row('q2', ORG, 'd:1', SUBSET_OF, 'e:1', 7), // 2 apart: fine
      row('r1', ISO, 'f:1', SUBSET_OF, 'g:1', 9),
      row('r2', ORG, 'f:1', SUBSET_OF, 'g:1', null), // unknown: nothing to compare
    ];
    expect(check(rows, 'both')).toEqual([
      finding(RELATIONSHIP_CONFLICT, WARNING, `a:1 SUBSET_OF c:1 in ${iso}, ${org}, but with strength 9 in ${iso}, 5 in ${org}: more than 2 apart`,
        ['p1', 'p2'], ['iso27001-to-iso42001', 'org-set'], ['a:1', 'c:1']),
    ]);
  });
});

describe('rule 2: INVERSE_CONFLICT', () => {
  it('A SUBSET_OF B and B SUBSET_OF A: each strictly inside the other (and so a ⊂ cycle too)', () => {
    const rows = [
      row('s2', ORG, 'y:B', SUBSET_OF, 'x:A'),
      row('s1', ISO, 'x:A', SUBSET_OF, 'y:B'),
    ];
    expect(check(rows, 'both')).toEqual(mutualSubsetFindings);
  });

  it('SUBSET_OF one way and SUPERSET_OF the other agree', () => {
    expect(check([row('s1', ISO, 'x:A', SUBSET_OF, 'y:B'), row('s2', ORG, 'y:B', SUPERSET_OF, 'x:A')], 'both')).toEqual([]);
  });

  it('NO_RELATIONSHIP against INTERSECTS_WITH, within one set', () => {
    const rows = [row('n2', ISO, 'y:B', INTERSECTS_WITH, 'x:A'), row('n1', ISO, 'x:A', NO_RELATIONSHIP, 'y:B')];
    expect(check(rows, 'both')).toEqual([
      finding(INVERSE_CONFLICT, CONTRADICTION, `x:A NO_RELATIONSHIP y:B (${iso}) but y:B INTERSECTS_WITH x:A (${iso})`,
        ['n1', 'n2'], ['iso27001-to-iso42001'], ['x:A', 'y:B']),
    ]);
  });

  it('names only the rows that disagree', () => {
    // x:A ⊂ y:B twice (iso, nist); y:B ⊃ x:A agrees (org); y:B INTERSECTS_WITH x:A does not (a third set, 'eu').
    const EU = { setId: 'set-eu', setKey: 'eu-set', setVersion: 3 };
    const rows = [
      row('f1', ISO, 'x:A', SUBSET_OF, 'y:B'),
      row('f2', NIST, 'x:A', SUBSET_OF, 'y:B'),
      row('b1', ORG, 'y:B', SUPERSET_OF, 'x:A'),
      row('b2', EU, 'y:B', INTERSECTS_WITH, 'x:A'),
    ];
    expect(check(rows, 'both')).toEqual([
      // Backward rows by set key: eu-set (b2), org-set (b1).
      finding(RELATIONSHIP_CONFLICT, CONTRADICTION, `y:B INTERSECTS_WITH x:A (eu-set v3) but SUPERSET_OF in ${org}`,
        ['b2', 'b1'], ['eu-set', 'org-set'], ['y:B', 'x:A']),
      finding(INVERSE_CONFLICT, CONTRADICTION, `x:A SUBSET_OF y:B (${iso}, ${nist}) but y:B INTERSECTS_WITH x:A (eu-set v3)`,
        ['f1', 'f2', 'b2'], ['eu-set', 'iso27001-to-iso42001', 'nist-crosswalk'], ['x:A', 'y:B']),
    ]);
  });
});

describe('rule 3: CYCLE_CONTRADICTION', () => {
  it('three EQUAL rows in a triangle plus an INTERSECTS_WITH chord: one cycle contradiction naming the chord', () => {
    const rows = [
      row('e1', ISO, 'a:1', EQUAL, 'b:1'),
      row('e2', ISO, 'b:1', EQUAL, 'c:1'),
      row('e3', ISO, 'c:1', EQUAL, 'a:1'),
      row('k', ORG, 'a:1', INTERSECTS_WITH, 'c:1'),
    ];
    // e1 and e2 join the class (e3 closes it), so the chain from a:1 to c:1 is e1, e2.
    // The chord runs parallel to e3, so the pair a:1 / c:1 also conflicts directly (rule 2).
    expect(check(rows, 'both')).toEqual([
      finding(INVERSE_CONFLICT, CONTRADICTION, `a:1 INTERSECTS_WITH c:1 (${org}) but c:1 EQUAL a:1 (${iso})`,
        ['k', 'e3'], ['iso27001-to-iso42001', 'org-set'], ['a:1', 'c:1']),
      finding(CYCLE_CONTRADICTION, CONTRADICTION,
        `a:1 INTERSECTS_WITH c:1 (${org}) but EQUAL mappings make them the same requirement: a:1 EQUAL b:1 (${iso}), b:1 EQUAL c:1 (${iso})`,
        ['k', 'e1', 'e2'], ['iso27001-to-iso42001', 'org-set'], ['a:1', 'b:1', 'c:1']),
    ]);
  });

  it('a chain of three EQUAL rows closed by INTERSECTS_WITH: only the cycle contradiction', () => {
    const rows = [
      row('c1', ISO, 'a:1', EQUAL, 'b:1'),
      row('c2', ISO, 'b:1', EQUAL, 'c:1'),
      row('c3', ISO, 'c:1', EQUAL, 'd:1'),
      row('c4', ISO, 'a:1', INTERSECTS_WITH, 'd:1'),
    ];
    expect(check(rows, 'both')).toEqual([
      finding(CYCLE_CONTRADICTION, CONTRADICTION,
        `a:1 INTERSECTS_WITH d:1 (${iso}) but EQUAL mappings make them the same requirement: a:1 EQUAL b:1 (${iso}), b:1 EQUAL c:1 (${iso}), c:1 EQUAL d:1 (${iso})`,
        ['c4', 'c1', 'c2', 'c3'], ['iso27001-to-iso42001'], ['a:1', 'b:1', 'c:1', 'd:1']),
    ]);
  });

  it('an EQUAL chain longer than the explain limit is named, not spelled out', () => {
    // f0:1 = f1:1 = ... = f70:1 (70 rows, one framework each), then f0:1 ∩ f70:1.
    const rows = Array.from({ length: 70 }, (_, i) => row(`l${i}`, ISO, `f${i}:1`, EQUAL, `f${i + 1}:1`));
    rows.push(row('chord', ORG, 'f0:1', INTERSECTS_WITH, 'f70:1'));
    expect(check(rows, 'both')).toEqual([
      finding(CYCLE_CONTRADICTION, CONTRADICTION,
        `f0:1 INTERSECTS_WITH f70:1 (${org}) but EQUAL mappings make them the same requirement: f0:1 EQUAL f70:1 (through more than 64 EQUAL mappings)`,
        ['chord'], ['org-set'], ['f0:1', 'f70:1']),
    ]);
  });

  const subsetCycle = [
    row('t1', ISO, 'a:1', SUBSET_OF, 'b:1'),
    row('t2', ORG, 'b:1', SUBSET_OF, 'c:1'),
    row('t3', NIST, 'a:1', SUPERSET_OF, 'c:1'), // c:1 ⊂ a:1, stored from a:1's side
  ];
  const subsetCycleFinding = finding(CYCLE_CONTRADICTION, CONTRADICTION,
    `a:1 SUBSET_OF b:1 (${iso}), b:1 SUBSET_OF c:1 (${org}), c:1 SUBSET_OF a:1 (${nist}): back where it started, so a:1 would be a strict subset of itself`,
    ['t1', 't2', 't3'], ['iso27001-to-iso42001', 'nist-crosswalk', 'org-set'], ['a:1', 'b:1', 'c:1']);

  it('A ⊂ B ⊂ C ⊂ A: one finding with its three rows, in walk order', () => {
    expect(check(subsetCycle, 'both')).toEqual([subsetCycleFinding]);
  });

  it('does not depend on the order rows come in', () => {
    expect(check([...subsetCycle].reverse(), 'both')).toEqual([subsetCycleFinding]);
  });

  it('a ⊂ cycle through an EQUAL class names the EQUAL row between its hops', () => {
    const rows = [
      row('u1', ISO, 'a:1', SUBSET_OF, 'b:1'),
      row('u2', ISO, 'b:1', EQUAL, 'c:1'),
      row('u3', ISO, 'c:1', SUBSET_OF, 'a:1'),
    ];
    expect(check(rows, 'both')).toEqual([
      finding(CYCLE_CONTRADICTION, CONTRADICTION,
        `a:1 SUBSET_OF b:1 (${iso}), b:1 EQUAL c:1 (${iso}), c:1 SUBSET_OF a:1 (${iso}): back where it started, so a:1 would be a strict subset of itself`,
        ['u1', 'u2', 'u3'], ['iso27001-to-iso42001'], ['a:1', 'b:1', 'c:1']),
    ]);
  });

  it('a ⊂ chain that does not come back is fine', () => {
    const rows = [row('t1', ISO, 'a:1', SUBSET_OF, 'b:1'), row('t2', ORG, 'b:1', SUBSET_OF, 'c:1'), row('t3', NIST, 'a:1', SUBSET_OF, 'c:1')];
    expect(check(rows, 'both')).toEqual([]);
  });

  it('two requirements of one framework version in one class: a warning; across versions it is a crosswalk', () => {
    const rows = [
      row('w1', ISO, 'iso27001:5.1', EQUAL, 'nist:GV-1'),
      row('w2', ORG, 'nist:GV-1', EQUAL, 'iso27001:5.2'),
      row('v1', ORG, 'iso27001:A.9.2.2', EQUAL, 'iso27001:5.18'),
    ];
    const nodes = new Map([
      node('iso27001:5.1', '2022'), node('iso27001:5.2', '2022'), node('nist:GV-1', '1.0'),
      node('iso27001:A.9.2.2', '2013', false, '2022'), node('iso27001:5.18', '2022'),
    ]);
    expect(check(rows, 'both', nodes)).toEqual([
      finding(CYCLE_CONTRADICTION, WARNING,
        `iso27001:5.1 and iso27001:5.2 are 2 requirements of iso27001 2022, yet EQUAL mappings make them the same: iso27001:5.1 EQUAL nist:GV-1 (${iso}), nist:GV-1 EQUAL iso27001:5.2 (${org})`,
        ['w1', 'w2'], ['iso27001-to-iso42001', 'org-set'], ['iso27001:5.1', 'iso27001:5.2']),
      finding(DROPPED_NODE, WARNING,
        `iso27001:A.9.2.2 is in iso27001 2013 but not in the latest version, 2022; still named by 1 mapping in ${org}`,
        ['v1'], ['org-set'], ['iso27001:A.9.2.2']),
    ]);
  });
});

describe('rule 4: DROPPED_NODE', () => {
  const rows = [
    row('d2', ORG, 'nist:GV-1', INTERSECTS_WITH, 'iso27001:A.9.2.2'),
    row('d1', ISO, 'iso27001:A.9.2.2', SUBSET_OF, 'iso42001:9.2'),
  ];
  // iso42001:9.2 has no status: not judged.
  const nodes = new Map([node('iso27001:A.9.2.2', '2013', false, '2022'), node('nist:GV-1', '1.0')]);
  const dropped = finding(DROPPED_NODE, WARNING,
    `iso27001:A.9.2.2 is in iso27001 2013 but not in the latest version, 2022; still named by 2 mappings in ${iso}, ${org}`,
    ['d1', 'd2'], ['iso27001-to-iso42001', 'org-set'], ['iso27001:A.9.2.2']);

  it.each(['none', 'all', 'both'] as const)('one warning per requirement, naming every row (%s)', (mode) => {
    expect(check(rows, mode, nodes)).toEqual([dropped]);
  });
});

describe('qualifiers', () => {
  const ownModels = 'the organization runs its own models';
  // a:1 = b:1, b:1 ⊂ c:1 (EQUAL when the organization runs its own models), a:1 ∩ c:1.
  const appears = [
    row('q1', ISO, 'a:1', EQUAL, 'b:1'),
    row('q2', ISO, 'b:1', SUBSET_OF, 'c:1', 8, [when(ownModels, EQUAL, 9, 'model hosting')]),
    row('q3', ORG, 'a:1', INTERSECTS_WITH, 'c:1'),
  ];
  const appearsFinding = finding(CYCLE_CONTRADICTION, CONTRADICTION,
    `a:1 INTERSECTS_WITH c:1 (${org}) but EQUAL mappings make them the same requirement: a:1 EQUAL b:1 (${iso}), b:1 EQUAL c:1 (${iso}) ` +
    `(only when ${ownModels}, for process model hosting)`,
    ['q3', 'q1', 'q2'], ['iso27001-to-iso42001', 'org-set'], ['a:1', 'b:1', 'c:1'], true);

  // x:A ⊂ y:B and y:B ⊂ x:A, but y:B ⊃ x:A when the scope excludes third parties.
  const resolved = [
    row('s1', ISO, 'x:A', SUBSET_OF, 'y:B'),
    row('s2', ORG, 'y:B', SUBSET_OF, 'x:A', 8, [when('the scope excludes third parties', SUPERSET_OF)]),
  ];
  const resolvedFindings = mutualSubsetFindings;

  it('a qualifier that turns a row EQUAL makes a contradiction appear only with the qualifiers in force', () => {
    expect(check(appears, 'none')).toEqual([]);
    expect(check(appears, 'all')).toEqual([appearsFinding]);
    expect(check(appears, 'both')).toEqual([appearsFinding]);
  });

  it('a qualifier can also resolve a stored contradiction', () => {
    expect(check(resolved, 'none')).toEqual(resolvedFindings);
    expect(check(resolved, 'all')).toEqual([]);
    expect(check(resolved, 'both')).toEqual(resolvedFindings);
  });

  it('both: the union, sorted by kind then refs', () => {
    expect(check([...resolved, ...appears], 'both')).toEqual([resolvedFindings[0], appearsFinding, resolvedFindings[1]]);
  });

  it('a finding in both readings is reported once, not under conditions', () => {
    const rows = [
      row('t1', ISO, 'a:1', SUBSET_OF, 'b:1', 8, [when('always', SUBSET_OF, 3)]),
      row('t2', ISO, 'b:1', SUBSET_OF, 'c:1'),
      row('t3', ISO, 'c:1', SUBSET_OF, 'a:1'),
    ];
    const expected = finding(CYCLE_CONTRADICTION, CONTRADICTION,
      `a:1 SUBSET_OF b:1 (${iso}), b:1 SUBSET_OF c:1 (${iso}), c:1 SUBSET_OF a:1 (${iso}): back where it started, so a:1 would be a strict subset of itself`,
      ['t1', 't2', 't3'], ['iso27001-to-iso42001'], ['a:1', 'b:1', 'c:1']);
    expect(check(rows, 'both')).toEqual([expected]);
    expect(check(rows, 'all')).toEqual([expected]);
  });

  it('a qualifier strength replaces the stored one; without one the stored strength stands', () => {
    const rows = [
      row('p1', ISO, 'a:1', SUBSET_OF, 'c:1', 9),
      row('p2', ORG, 'a:1', SUBSET_OF, 'c:1', 8, [when('small organization', SUBSET_OF, 4)]),
      row('p3', NIST, 'd:1', SUBSET_OF, 'e:1', 9),
      row('p4', ORG, 'd:1', SUBSET_OF, 'e:1', 8, [when('small organization', SUBSET_OF, null)]),
    ];
    expect(check(rows, 'both')).toEqual([
      finding(RELATIONSHIP_CONFLICT, WARNING,
        `a:1 SUBSET_OF c:1 in ${iso}, ${org}, but with strength 9 in ${iso}, 4 in ${org}: more than 2 apart (only when small organization)`,
        ['p1', 'p2'], ['iso27001-to-iso42001', 'org-set'], ['a:1', 'c:1'], true),
    ]);
  });
});

describe('generated graphs', () => {
  /**
   * Per i: a:i = b:i (set iso), b:i ⊂ c:i (iso), c:i ⊃ a:i (org; reads a:i ⊂ c:i), a:i ∩ d:i (nist).
   * 50,000 copies, 200,000 rows, consistent. Then for three i, c:i ⊂ a:i (eu) turns each copy into a pair
   * conflict (c:i → a:i is SUPERSET_OF in org, SUBSET_OF in eu) and a ⊂ cycle between {a:i, b:i} and c:i.
   */
  const EU = { setId: 'set-eu', setKey: 'eu-set', setVersion: 1 };
  const copies = 50_000;
  const pad = (i: number) => String(i).padStart(5, '0');
  const rows: ConsistencyRow[] = [];
  for (let i = 0; i < copies; i++) {
    const n = pad(i);
    rows.push(
      row(`e${n}`, ISO, `a:${n}`, EQUAL, `b:${n}`),
      row(`s${n}`, ISO, `b:${n}`, SUBSET_OF, `c:${n}`),
      row(`p${n}`, ORG, `c:${n}`, SUPERSET_OF, `a:${n}`),
      row(`x${n}`, NIST, `a:${n}`, INTERSECTS_WITH, `d:${n}`),
    );
  }

  it('200,000 consistent rows: no findings', () => {
    expect(check(rows, 'both')).toEqual([]);
  });

  it('finds exactly the injected contradictions', () => {
    const broken = [7, 31_415, 49_999].map(pad);
    const findings = check([...rows, ...broken.map((n) => row(`z${n}`, EU, `c:${n}`, SUBSET_OF, `a:${n}`))], 'both');
    expect(findings.map((f) => [f.kind, f.refs.join(' ')])).toEqual([
      ...broken.map((n) => [RELATIONSHIP_CONFLICT, `c:${n} a:${n}`]),
      ...broken.map((n) => [CYCLE_CONTRADICTION, `b:${n} c:${n} a:${n}`]),
    ]);
    // The cycle starts at the class of a:i (smallest ref) and leaves it by its first ⊂ row, s (from b:i);
    // z closes it at a:i, and e (a:i = b:i) brings the walk back to b:i.
    expect(findings[3]).toEqual(finding(CYCLE_CONTRADICTION, CONTRADICTION,
      `b:00007 SUBSET_OF c:00007 (${iso}), c:00007 SUBSET_OF a:00007 (eu-set v1), a:00007 EQUAL b:00007 (${iso}): ` +
      'back where it started, so b:00007 would be a strict subset of itself',
      ['s00007', 'z00007', 'e00007'], ['eu-set', 'iso27001-to-iso42001'], ['b:00007', 'c:00007', 'a:00007']));
  });

  it('a ⊂ cycle of 100,000 rows is found without recursion, its message cut short', () => {
    const length = 100_000;
    const ref = (i: number) => `x:${String(i % length).padStart(6, '0')}`;
    const ring = Array.from({ length }, (_, i) => row(`r${i}`, ISO, ref(i), SUBSET_OF, ref(i + 1)));
    const [only, ...rest] = check(ring, 'none');
    expect(rest).toEqual([]);
    expect(only.mappingIds).toEqual(ring.map((r) => r.mappingId));
    expect(only.message).toMatch(/^x:000000 SUBSET_OF x:000001 \(iso27001-to-iso42001 v2\), .*, and 99988 more: back where it started/);
  });
});
