import { MappingChange, MappingChangeOp, ReviewRow, applyChanges, checkChanges, diffRows } from '../../src/modules/mapping/mapping-review.rules';
import { Rationale, Relationship } from '../../src/modules/mapping/mapping.enums';
import type { Qualifier } from '../../src/modules/mapping/mapping-qualifier.rules';

const row = (s: string, t: string, relationship = Relationship.INTERSECTS_WITH, strength: number | null = 7, qualifiers: Qualifier[] = []): ReviewRow => ({
  sourceFramework: 'a', sourceRef: s, targetFramework: 'b', targetRef: t, relationship, strength, rationale: Rationale.SEMANTIC, note: null, qualifiers,
});
const q = (when: string): Qualifier => ({ when, process: null, relationship: Relationship.EQUAL, strength: 9, subject: null, predicate: null, category: null, description: null });
const rows = [row('1', '1'), row('2', '2'), row('3', '3', Relationship.EQUAL, 9)];
const known = { source: new Set(['1', '2', '3', '4']), target: new Set(['1', '2', '3', '4']), sourceFramework: 'a', targetFramework: 'b' };
const sample = { sourceFramework: 'a', targetFramework: 'b' };

describe('checkChanges', () => {
  it('accepts a change of each kind', () => {
    const changes: MappingChange[] = [
      { op: MappingChangeOp.ADD, sourceRef: '4', targetRef: '4', relationship: Relationship.SUBSET_OF },
      { op: MappingChangeOp.REMOVE, sourceRef: '1', targetRef: '1' },
      { op: MappingChangeOp.CHANGE, sourceRef: '2', targetRef: '2', strength: null, qualifiers: [q('x')] },
    ];
    expect(checkChanges(rows, changes, known)).toEqual([]);
  });

  it('names every problem by its item and field', () => {
    const problems = checkChanges(rows, [
      { op: MappingChangeOp.CHANGE, sourceRef: '1', targetRef: '1' },
      { op: MappingChangeOp.ADD, sourceRef: '2', targetRef: '2', relationship: Relationship.EQUAL },
      { op: MappingChangeOp.REMOVE, sourceRef: '1', targetRef: '9' },
      { op: MappingChangeOp.CHANGE, sourceRef: '3', targetRef: '3', strength: 11 },
      { op: MappingChangeOp.REMOVE, sourceRef: '1', targetRef: '4' },
      { op: MappingChangeOp.CHANGE, sourceRef: '3', targetRef: '3', relationship: Relationship.EQUAL, strength: 9 },
      { op: MappingChangeOp.ADD, sourceRef: '4', targetRef: '1' },
      { op: MappingChangeOp.REMOVE, sourceRef: '2', targetRef: '2', note: 'why' },
    ], known);
    expect(problems.map((p) => p.field)).toEqual([
      'changes[0]', // sets nothing
      'changes[1].targetRef', // ADD of an existing pair
      'changes[2].targetRef', // unknown ref
      'changes[3].strength',
      'changes[4].targetRef', // REMOVE of a missing pair
      'changes[5]', // same row as changes[3]
      'changes[5]', // changes nothing
      'changes[6].relationship', // ADD without relationship
      'changes[7]', // same row as changes[1]
      'changes[7].note', // REMOVE with a field
    ]);
  });
});

describe('applyChanges and diffRows', () => {
  const changes: MappingChange[] = [
    { op: MappingChangeOp.ADD, sourceRef: '4', targetRef: '4', relationship: Relationship.SUBSET_OF, strength: 5 },
    { op: MappingChangeOp.REMOVE, sourceRef: '1', targetRef: '1' },
    { op: MappingChangeOp.CHANGE, sourceRef: '3', targetRef: '3', relationship: Relationship.INTERSECTS_WITH, qualifiers: [q('x')] },
  ];
  const next = applyChanges(rows, changes, (content) => content, sample);

  it('keeps untouched rows, changes only the named fields, adds at the end', () => {
    expect(next.map((r) => [r.sourceRef, r.relationship, r.strength, r.qualifiers.length])).toEqual([
      ['2', 'INTERSECTS_WITH', 7, 0], ['3', 'INTERSECTS_WITH', 9, 1], ['4', 'SUBSET_OF', 5, 0],
    ]);
    expect(rows[2].relationship).toBe(Relationship.EQUAL); // the input is not modified
  });

  it('diffs back to exactly the changes', () => {
    const d = diffRows(rows, next);
    expect(d.added.map((r) => r.sourceRef)).toEqual(['4']);
    expect(d.removed.map((r) => r.sourceRef)).toEqual(['1']);
    expect(d.changed.map((c) => [c.after.sourceRef, c.fields])).toEqual([['3', ['relationship', 'qualifiers']]]);
    expect(d.unchanged).toBe(1);
  });

  it('qualifiers compare by content, not key order', () => {
    const reordered = { description: null, category: null, predicate: null, subject: null, strength: 9, relationship: Relationship.EQUAL, process: null, when: 'x' } as Qualifier;
    expect(diffRows([row('1', '1', Relationship.EQUAL, 9, [q('x')])], [row('1', '1', Relationship.EQUAL, 9, [reordered])]).unchanged).toBe(1);
  });
});
