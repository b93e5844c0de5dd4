/**
 * Contradictions in a mapping graph, as pure functions over rows the caller loads (no database here).
 * Relationships are read the way mapping-path.rules.ts reads them: stored "source <rel> target", and
 * seen from the target SUBSET_OF reads SUPERSET_OF and the reverse. This header and the unit tests
 * (test/unit/mapping-consistency.test.ts) are the spec.
 *
 *  1. RELATIONSHIP_CONFLICT. Rows of different sets relate the same two requirements in the same
 *     stored direction with different relationships: CONTRADICTION. With one relationship but strengths
 *     more than STRENGTH_TOLERANCE apart (unknown strengths ignored): WARNING. One finding per pair
 *     and direction.
 *  2. INVERSE_CONFLICT. Rows A→B and B→A (any sets, the same one included) whose relationships differ
 *     once both are read from A: A SUBSET_OF B against B SUBSET_OF A (each strictly inside the other),
 *     EQUAL against INTERSECTS_WITH, NO_RELATIONSHIP against anything else. A SUBSET_OF B against
 *     B SUPERSET_OF A agree. CONTRADICTION, one finding per pair, naming only the rows that disagree.
 *  3. CYCLE_CONTRADICTION. EQUAL rows join requirements into classes (union-find); a class is one
 *     requirement as far as the mappings are concerned. Then:
 *     (a) a row that is not EQUAL between two members of one class: CONTRADICTION, one per row, with a
 *         chain of EQUAL rows that joins its ends (the spanning tree's, so not always the shortest; longer
 *         than EXPLAIN_LIMIT, it is named but not spelled out). A pair both EQUAL and something else
 *         directly shows here too, not only under rule 1 or 2: this rule judges classes, not pairs;
 *     (b) strict containment in itself: SUBSET_OF / SUPERSET_OF rows, read smaller → larger, are edges
 *         between classes; every strongly connected component of two or more classes holds such a
 *         cycle. CONTRADICTION, one per component, naming the shortest cycle through the class of the
 *         component's smallest ref, in walk order, EQUAL rows between its hops included;
 *     (c) a class holding two or more requirements of one framework version: WARNING (the mappings say
 *         two distinct requirements of one framework are the same thing). One version of a framework,
 *         not one key: EQUAL across 2013 and 2022 editions is a crosswalk, not a contradiction.
 *  4. DROPPED_NODE. A requirement some row names whose framework's latest version has no node with its
 *     ref (NodeStatus.inLatest false): WARNING, one per requirement, naming every row. Requirements
 *     missing from `nodes` are not judged.
 *
 * Qualifiers say which relationship holds while an organization condition is true. `conditions`:
 * 'none' reads stored relationships; 'all' puts every qualifier in force (a qualified row reads its
 * first qualifier's relationship, and its strength when given, else the row's); 'both' (default) is the
 * union, each finding once. `underConditions` is true when a finding is absent from the stored reading,
 * and its message then says under which conditions it holds. Rule 4 does not depend on relationships and
 * is checked once.
 *
 * Cost: rows are grouped by pair with a counting sort and classes come from union-find, so each reading
 * is linear in rows and requirements (plus the findings' own size); nothing pairs rows with rows.
 */
import { Relationship } from './mapping.enums';
import { inverse } from './mapping-path.rules';

export interface ConsistencyQualifier {
  /** The organization condition, in words. */
  when: string;
  process: string | null;
  relationship: Relationship;
  strength: number | null;
}

export interface ConsistencyRow {
  mappingId: string;
  setId: string;
  setKey: string;
  setVersion: number;
  sourceId: string;
  sourceFramework: string;
  sourceRef: string;
  targetId: string;
  targetFramework: string;
  targetRef: string;
  relationship: Relationship;
  strength: number | null;
  qualifiers: ConsistencyQualifier[];
}

/** Each requirement a row names: whether the latest version of its framework still has a node with that ref. */
export interface NodeStatus {
  id: string;
  frameworkKey: string;
  frameworkVersion: string;
  ref: string;
  inLatest: boolean;
  latestVersion: string;
}

export enum ConsistencyKind {
  RELATIONSHIP_CONFLICT = 'RELATIONSHIP_CONFLICT',
  INVERSE_CONFLICT = 'INVERSE_CONFLICT',
  CYCLE_CONTRADICTION = 'CYCLE_CONTRADICTION',
  DROPPED_NODE = 'DROPPED_NODE',
}

export enum ConsistencySeverity {
  CONTRADICTION = 'CONTRADICTION',
  WARNING = 'WARNING',
}

export interface ConsistencyFinding {
  kind: ConsistencyKind;
  severity: ConsistencySeverity;
  message: string;
  /** The rows to review; for cycles and EQUAL chains in walk order. */
  mappingIds: string[];
  setKeys: string[];
  requirementIds: string[];
  /** "framework:ref", one per requirementIds entry. */
  refs: string[];
  /** Found only with the qualifiers in force. */
  underConditions: boolean;
}

export type ConditionMode = 'none' | 'all' | 'both';

export interface ConsistencyOptions {
  conditions?: ConditionMode;
}

/** Strengths (1 to 10) of one relationship further apart than this are worth a look. */
export const STRENGTH_TOLERANCE = 2;
/** Longest chain of EQUAL rows spelled out to explain why two requirements are one. */
export const EXPLAIN_LIMIT = 64;
/** Steps a message spells out before "and N more" (mappingIds still lists them all). */
const MESSAGE_STEPS = 12;
const KIND_ORDER = Object.values(ConsistencyKind);
const { EQUAL, SUBSET_OF, SUPERSET_OF } = Relationship;

/** Requirements interned to numbers; lo/hi are a row's ends in index order, for grouping by pair. */
interface Graph {
  rows: readonly ConsistencyRow[];
  n: number;
  src: Int32Array;
  tgt: Int32Array;
  lo: Int32Array;
  hi: Int32Array;
  ids: string[];
  labels: string[];
  /** Framework identity for rule 3c: key and version where `nodes` knows it. */
  frameworks: string[];
  /** Row indices grouped by unordered pair. */
  byPair: Int32Array;
}

/** Relationships as one mode reads them; condition is null where the stored relationship is read. */
interface Reading {
  rel: Relationship[];
  strength: (number | null)[];
  condition: (string | null)[];
}

interface Draft {
  kind: ConsistencyKind;
  severity: ConsistencySeverity;
  /** Identity of the finding across readings. */
  key: string;
  message: string;
  rows: number[];
  reqs: number[];
}

/** One hop of an explanation; row -1 stands for an EQUAL chain too long to spell out. */
interface Step {
  row: number;
  from: number;
  to: number;
}

export function checkConsistency(
  rows: readonly ConsistencyRow[],
  nodes: ReadonlyMap<string, NodeStatus>,
  opts: ConsistencyOptions = {},
): ConsistencyFinding[] {
  const mode = opts.conditions ?? 'both';
  const g = buildGraph(rows, nodes);
  const stored = readRows(rows, false);
  const storedDrafts = checkReading(g, stored);
  const qualified = rows.some((r) => r.qualifiers.length > 0) ? readRows(rows, true) : stored;
  const qualifiedDrafts = mode === 'none' ? [] : qualified === stored ? storedDrafts : checkReading(g, qualified);

  const findings: ConsistencyFinding[] = [];
  const storedKeys = new Set(storedDrafts.map((d) => d.key));
  if (mode !== 'all') for (const d of storedDrafts) findings.push(toFinding(g, stored, d, false));
  if (mode !== 'none') {
    for (const d of qualifiedDrafts) {
      const under = !storedKeys.has(d.key);
      if (mode === 'all' || under) findings.push(toFinding(g, qualified, d, under));
    }
  }
  for (const d of droppedNodes(g, nodes)) findings.push(toFinding(g, stored, d, false));
  return findings.sort(compareFindings);
}

function checkReading(g: Graph, reading: Reading): Draft[] {
  const out: Draft[] = [];
  checkPairs(g, reading, out);
  checkClasses(g, reading, out);
  return out;
}

function buildGraph(rows: readonly ConsistencyRow[], nodes: ReadonlyMap<string, NodeStatus>): Graph {
  const index = new Map<string, number>();
  const ids: string[] = [];
  const labels: string[] = [];
  const frameworks: string[] = [];
  const intern = (id: string, framework: string, ref: string): number => {
    let i = index.get(id);
    if (i === undefined) {
      i = ids.length;
      index.set(id, i);
      ids.push(id);
      labels.push(`${framework}:${ref}`);
      const status = nodes.get(id);
      frameworks.push(status ? `${status.frameworkKey} ${status.frameworkVersion}` : framework);
    }
    return i;
  };
  const m = rows.length;
  const src = new Int32Array(m);
  const tgt = new Int32Array(m);
  const lo = new Int32Array(m);
  const hi = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    const row = rows[r];
    src[r] = intern(row.sourceId, row.sourceFramework, row.sourceRef);
    tgt[r] = intern(row.targetId, row.targetFramework, row.targetRef);
    lo[r] = Math.min(src[r], tgt[r]);
    hi[r] = Math.max(src[r], tgt[r]);
  }
  const n = ids.length;
  const all = new Int32Array(m);
  for (let r = 0; r < m; r++) all[r] = r;
  // Two stable counting sorts (by hi, then lo) group rows by pair in linear time.
  const byPair = countingSort(countingSort(all, hi, n), lo, n);
  return { rows, n, src, tgt, lo, hi, ids, labels, frameworks, byPair };
}

function countingSort(order: Int32Array, key: Int32Array, buckets: number): Int32Array {
  const start = new Int32Array(buckets + 1);
  for (const r of order) start[key[r] + 1]++;
  for (let i = 0; i < buckets; i++) start[i + 1] += start[i];
  const out = new Int32Array(order.length);
  for (const r of order) out[start[key[r]]++] = r;
  return out;
}

function readRows(rows: readonly ConsistencyRow[], withQualifiers: boolean): Reading {
  const reading: Reading = { rel: [], strength: [], condition: [] };
  for (const row of rows) {
    const q = withQualifiers ? row.qualifiers[0] : undefined;
    reading.rel.push(q ? q.relationship : row.relationship);
    reading.strength.push(q ? (q.strength ?? row.strength) : row.strength);
    reading.condition.push(q ? (q.process ? `${q.when}, for process ${q.process}` : q.when) : null);
  }
  return reading;
}

// ---- Rules 1 and 2: rows of one pair of requirements ----

function checkPairs(g: Graph, reading: Reading, out: Draft[]): void {
  const order = g.byPair;
  for (let i = 0; i < order.length;) {
    const first = order[i];
    let j = i + 1;
    while (j < order.length && g.lo[order[j]] === g.lo[first] && g.hi[order[j]] === g.hi[first]) j++;
    // A self-mapping (the schema forbids it) is left to rule 3a.
    if (j - i > 1 && g.lo[first] !== g.hi[first] && !quietRun(g, reading, order, i, j)) {
      const run = Array.from(order.subarray(i, j)).sort(byRowOrder(g));
      const [a, b] = orient(g, g.lo[first], g.hi[first]);
      const forward = run.filter((r) => g.src[r] === a);
      const backward = run.filter((r) => g.src[r] === b);
      sameDirection(g, reading, forward, out);
      sameDirection(g, reading, backward, out);
      inverseConflict(g, reading, a, forward, backward, out);
    }
    i = j;
  }
}

/**
 * True when every row of the run reads the same from one end and no two strengths are more than the
 * tolerance apart: then neither rule has anything to say, and the common case allocates nothing.
 */
function quietRun(g: Graph, reading: Reading, order: Int32Array, i: number, j: number): boolean {
  const lo = g.lo[order[i]];
  const fromLo = (r: number) => (g.src[r] === lo ? reading.rel[r] : inverse(reading.rel[r]));
  const seen = fromLo(order[i]);
  let min = Infinity;
  let max = -Infinity;
  for (let k = i; k < j; k++) {
    const r = order[k];
    if (fromLo(r) !== seen) return false;
    const strength = reading.strength[r];
    if (strength !== null) {
      min = Math.min(min, strength);
      max = Math.max(max, strength);
    }
  }
  return max - min <= STRENGTH_TOLERANCE; // no strengths: -Infinity
}

/** The pair's two ends, smaller ref first, so messages do not depend on the order rows came in. */
function orient(g: Graph, x: number, y: number): [number, number] {
  const lx = g.labels[x];
  const ly = g.labels[y];
  return lx < ly || (lx === ly && g.ids[x] < g.ids[y]) ? [x, y] : [y, x];
}

function sameDirection(g: Graph, reading: Reading, rs: number[], out: Draft[]): void {
  if (rs.length < 2 || new Set(rs.map((r) => g.rows[r].setId)).size < 2) return;
  const a = g.src[rs[0]];
  const b = g.tgt[rs[0]];
  const rels = unique(rs.map((r) => reading.rel[r]));
  const pair = `${g.ids[a]}>${g.ids[b]}`;
  if (rels.length > 1) {
    const [head, ...rest] = rels.map((rel) => ({ rel, sets: setList(g, rs.filter((r) => reading.rel[r] === rel)) }));
    out.push({
      kind: ConsistencyKind.RELATIONSHIP_CONFLICT,
      severity: ConsistencySeverity.CONTRADICTION,
      key: `relationship:${pair}`,
      message: `${g.labels[a]} ${head.rel} ${g.labels[b]} (${head.sets}) but ${rest.map((p) => `${p.rel} in ${p.sets}`).join(' and ')}`,
      rows: rs,
      reqs: [a, b],
    });
    return;
  }
  const known = rs.filter((r) => reading.strength[r] !== null);
  const strengths = known.map((r) => reading.strength[r] as number);
  if (known.length < 2 || Math.max(...strengths) - Math.min(...strengths) <= STRENGTH_TOLERANCE) return;
  out.push({
    kind: ConsistencyKind.RELATIONSHIP_CONFLICT,
    severity: ConsistencySeverity.WARNING,
    key: `strength:${pair}`,
    message:
      `${g.labels[a]} ${rels[0]} ${g.labels[b]} in ${setList(g, rs)}, but with strength ` +
      `${known.map((r) => `${reading.strength[r]} in ${setLabel(g.rows[r])}`).join(', ')}: more than ${STRENGTH_TOLERANCE} apart`,
    rows: known,
    reqs: [a, b],
  });
}

function inverseConflict(g: Graph, reading: Reading, a: number, forward: number[], backward: number[], out: Draft[]): void {
  if (forward.length === 0 || backward.length === 0) return;
  const fromA = (r: number) => (g.src[r] === a ? reading.rel[r] : inverse(reading.rel[r]));
  const seenForward = unique(forward.map(fromA));
  const seenBackward = unique(backward.map(fromA));
  const fwd = forward.filter((r) => seenBackward.some((s) => s !== fromA(r)));
  const bwd = backward.filter((r) => seenForward.some((s) => s !== fromA(r)));
  if (fwd.length === 0) return;
  const b = g.tgt[forward[0]];
  const describe = (rs: number[], readBack: boolean) =>
    unique(rs.map((r) => reading.rel[r]))
      .map((rel) => {
        const [from, to] = readBack ? [b, a] : [a, b];
        const said = `${g.labels[from]} ${rel} ${g.labels[to]} (${setList(g, rs.filter((r) => reading.rel[r] === rel))})`;
        return readBack && inverse(rel) !== rel ? `${said}, that is ${g.labels[a]} ${inverse(rel)} ${g.labels[b]}` : said;
      })
      .join(' and ');
  out.push({
    kind: ConsistencyKind.INVERSE_CONFLICT,
    severity: ConsistencySeverity.CONTRADICTION,
    key: `inverse:${g.ids[a]}|${g.ids[b]}`,
    message: `${describe(fwd, false)} but ${describe(bwd, true)}`,
    rows: [...fwd, ...bwd],
    reqs: [a, b],
  });
}

// ---- Rule 3: EQUAL classes ----

function checkClasses(g: Graph, reading: Reading, out: Draft[]): void {
  const m = g.rows.length;
  const uf = new UnionFind(g.n);
  const treeRows: number[] = [];
  for (let r = 0; r < m; r++) if (reading.rel[r] === EQUAL && uf.union(g.src[r], g.tgt[r])) treeRows.push(r);
  const tree = new EqualTree(g, treeRows);
  const cls = new Int32Array(g.n);
  for (let i = 0; i < g.n; i++) cls[i] = uf.find(i);

  // (a) a row that is not EQUAL inside one class.
  for (let r = 0; r < m; r++) {
    if (reading.rel[r] === EQUAL || cls[g.src[r]] !== cls[g.tgt[r]]) continue;
    const chain = tree.chain(g.src[r], g.tgt[r]);
    out.push({
      kind: ConsistencyKind.CYCLE_CONTRADICTION,
      severity: ConsistencySeverity.CONTRADICTION,
      key: `in-class:${g.rows[r].mappingId}`,
      message:
        `${describeSteps(g, reading, [{ row: r, from: g.src[r], to: g.tgt[r] }])} but ` +
        (chain.length > 0 ? `EQUAL mappings make them the same requirement: ${describeSteps(g, reading, chain)}` : 'that is one requirement'),
      rows: [r, ...chain.map((s) => s.row)],
      reqs: [g.src[r], ...chain.map((s) => s.to)],
    });
  }

  strictCycles(g, reading, cls, tree, out);

  // (c) two requirements of one framework version in one class.
  const byFramework = new Map<string, number[]>();
  for (let i = 0; i < g.n; i++) {
    if (uf.sizeOf(i) < 2) continue;
    const key = `${cls[i]}\u0000${g.frameworks[i]}`;
    const members = byFramework.get(key);
    if (members) members.push(i);
    else byFramework.set(key, [i]);
  }
  for (const members of byFramework.values()) {
    if (members.length < 2) continue;
    members.sort((x, y) => compareText(g.labels[x], g.labels[y]) || compareText(g.ids[x], g.ids[y]));
    const steps = uniqueBy(members.slice(1).flatMap((other) => tree.chain(members[0], other)), (s) => (s.row >= 0 ? `${s.row}` : `${s.from}>${s.to}`));
    out.push({
      kind: ConsistencyKind.CYCLE_CONTRADICTION,
      severity: ConsistencySeverity.WARNING,
      key: `same-framework:${members.map((i) => g.ids[i]).join('|')}`,
      message:
        `${andList(members.map((i) => g.labels[i]))} are ${members.length} requirements of ${g.frameworks[members[0]]}, ` +
        `yet EQUAL mappings make them the same: ${describeSteps(g, reading, steps)}`,
      rows: steps.map((s) => s.row),
      reqs: members,
    });
  }
}

/** Rule 3b: components of the strict-containment graph between classes (iterative Tarjan, then BFS). */
function strictCycles(g: Graph, reading: Reading, cls: Int32Array, tree: EqualTree, out: Draft[]): void {
  const n = g.n;
  const m = g.rows.length;
  // Read smaller → larger: SUBSET_OF keeps the stored direction, SUPERSET_OF turns it round.
  const smaller = (r: number) => (reading.rel[r] === SUBSET_OF ? g.src[r] : g.tgt[r]);
  const larger = (r: number) => (reading.rel[r] === SUBSET_OF ? g.tgt[r] : g.src[r]);
  const strict: number[] = [];
  for (let r = 0; r < m; r++) {
    const rel = reading.rel[r];
    // Inside one class it is rule 3a's already.
    if ((rel === SUBSET_OF || rel === SUPERSET_OF) && cls[g.src[r]] !== cls[g.tgt[r]]) strict.push(r);
  }
  if (strict.length === 0) return;
  const start = new Int32Array(n + 1);
  for (const r of strict) start[cls[smaller(r)] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const edges = new Int32Array(strict.length);
  const fill = start.slice(0, n);
  for (const r of strict) edges[fill[cls[smaller(r)]]++] = r;
  const head = (v: number) => start[v];
  const end = (v: number) => start[v + 1];

  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const callNode = new Int32Array(n);
  const callEdge = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const compSize: number[] = [];
  let sp = 0;
  let cp = 0;
  let counter = 0;
  const visit = (v: number) => {
    index[v] = low[v] = counter++;
    stack[sp++] = v;
    onStack[v] = 1;
    callNode[cp] = v;
    callEdge[cp++] = head(v);
  };
  for (let s = 0; s < n; s++) {
    if (index[s] !== -1 || head(s) === end(s)) continue;
    visit(s);
    while (cp > 0) {
      const v = callNode[cp - 1];
      const e = callEdge[cp - 1];
      if (e < end(v)) {
        callEdge[cp - 1]++;
        const w = cls[larger(edges[e])];
        if (index[w] === -1) visit(w);
        else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      cp--;
      if (cp > 0) low[callNode[cp - 1]] = Math.min(low[callNode[cp - 1]], low[v]);
      if (low[v] !== index[v]) continue;
      const id = compSize.length;
      let size = 0;
      let w: number;
      do {
        w = stack[--sp];
        onStack[w] = 0;
        comp[w] = id;
        size++;
      } while (w !== v);
      compSize.push(size);
    }
  }

  // Each cycle starts at the class of its component's smallest ref, for a stable report.
  const best = new Int32Array(compSize.length).fill(-1);
  for (let i = 0; i < n; i++) {
    const c = comp[cls[i]];
    if (c === -1 || compSize[c] < 2) continue;
    if (best[c] === -1 || compareText(g.labels[i], g.labels[best[c]]) < 0) best[c] = i;
  }
  const mark = new Int32Array(n).fill(-1);
  const via = new Int32Array(n);
  const queue = new Int32Array(n);
  for (let c = 0; c < compSize.length; c++) {
    if (best[c] === -1) continue;
    // Breadth first from s, inside the component: the first edge back to s closes a shortest cycle.
    const s = cls[best[c]];
    let qh = 0;
    let qt = 0;
    queue[qt++] = s;
    mark[s] = c;
    let closing = -1;
    let last = s;
    while (qh < qt && closing === -1) {
      const v = queue[qh++];
      for (let e = head(v); e < end(v); e++) {
        const w = cls[larger(edges[e])];
        if (comp[w] !== c) continue;
        if (w === s) {
          closing = edges[e];
          last = v;
          break;
        }
        if (mark[w] !== c) {
          mark[w] = c;
          via[w] = edges[e];
          queue[qt++] = w;
        }
      }
    }
    const cycle = [closing];
    for (let x = last; x !== s; x = cls[smaller(via[x])]) cycle.push(via[x]);
    cycle.reverse();
    const steps: Step[] = [];
    cycle.forEach((r, k) => {
      if (k > 0 && larger(cycle[k - 1]) !== smaller(r)) steps.push(...tree.chain(larger(cycle[k - 1]), smaller(r)));
      steps.push({ row: r, from: smaller(r), to: larger(r) });
    });
    const home = smaller(cycle[0]);
    if (larger(closing) !== home) steps.push(...tree.chain(larger(closing), home));
    out.push({
      kind: ConsistencyKind.CYCLE_CONTRADICTION,
      severity: ConsistencySeverity.CONTRADICTION,
      key: `strict-cycle:${steps.map((st) => st.row).sort((x, y) => x - y).join(',')}`,
      message: `${describeSteps(g, reading, steps)}: back where it started, so ${g.labels[home]} would be a strict subset of itself`,
      rows: steps.map((st) => st.row),
      reqs: steps.map((st) => st.from),
    });
  }
}

class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]];
      x = this.parent[x];
    }
    return x;
  }

  /** False when x and y were already one class. */
  union(x: number, y: number): boolean {
    let a = this.find(x);
    let b = this.find(y);
    if (a === b) return false;
    if (this.size[a] < this.size[b]) [a, b] = [b, a];
    this.parent[b] = a;
    this.size[a] += this.size[b];
    return true;
  }

  sizeOf(x: number): number {
    return this.size[this.find(x)];
  }
}

/** The EQUAL rows that joined classes form a forest; a path in it explains why two requirements are one. */
class EqualTree {
  private readonly parent: Int32Array;
  private readonly parentRow: Int32Array;
  private readonly depth: Int32Array;

  constructor(g: Graph, treeRows: number[]) {
    const n = g.n;
    this.parent = new Int32Array(n).fill(-1);
    this.parentRow = new Int32Array(n).fill(-1);
    this.depth = new Int32Array(n);
    const start = new Int32Array(n + 1);
    for (const r of treeRows) {
      start[g.src[r] + 1]++;
      start[g.tgt[r] + 1]++;
    }
    for (let i = 0; i < n; i++) start[i + 1] += start[i];
    const fill = start.slice(0, n);
    const nextNode = new Int32Array(2 * treeRows.length);
    const nextRow = new Int32Array(2 * treeRows.length);
    for (const r of treeRows) {
      nextNode[fill[g.src[r]]] = g.tgt[r];
      nextRow[fill[g.src[r]]++] = r;
      nextNode[fill[g.tgt[r]]] = g.src[r];
      nextRow[fill[g.tgt[r]]++] = r;
    }
    const seen = new Uint8Array(n);
    const queue = new Int32Array(n);
    for (let root = 0; root < n; root++) {
      if (seen[root] || start[root] === start[root + 1]) continue;
      let qh = 0;
      let qt = 0;
      queue[qt++] = root;
      seen[root] = 1;
      while (qh < qt) {
        const v = queue[qh++];
        for (let e = start[v]; e < start[v + 1]; e++) {
          const w = nextNode[e];
          if (seen[w]) continue;
          seen[w] = 1;
          this.parent[w] = v;
          this.parentRow[w] = nextRow[e];
          this.depth[w] = this.depth[v] + 1;
          queue[qt++] = w;
        }
      }
    }
  }

  /** EQUAL steps from u to v (one class), or one elided step when longer than EXPLAIN_LIMIT. */
  chain(u: number, v: number): Step[] {
    const up: Step[] = [];
    const down: Step[] = [];
    let x = u;
    let y = v;
    while (x !== y) {
      if (up.length + down.length >= EXPLAIN_LIMIT) return [{ row: -1, from: u, to: v }];
      if (this.depth[x] >= this.depth[y]) {
        up.push({ row: this.parentRow[x], from: x, to: this.parent[x] });
        x = this.parent[x];
      } else {
        down.push({ row: this.parentRow[y], from: this.parent[y], to: y });
        y = this.parent[y];
      }
    }
    return up.concat(down.reverse());
  }
}

// ---- Rule 4: requirements gone from the latest version ----

function droppedNodes(g: Graph, nodes: ReadonlyMap<string, NodeStatus>): Draft[] {
  const dropped = new Uint8Array(g.n);
  for (let x = 0; x < g.n; x++) if (nodes.get(g.ids[x])?.inLatest === false) dropped[x] = 1;
  const named = new Map<number, number[]>();
  for (let r = 0; r < g.rows.length; r++) {
    if (!dropped[g.src[r]] && !dropped[g.tgt[r]]) continue;
    for (const x of g.src[r] === g.tgt[r] ? [g.src[r]] : [g.src[r], g.tgt[r]]) {
      if (!dropped[x]) continue;
      const rs = named.get(x);
      if (rs) rs.push(r);
      else named.set(x, [r]);
    }
  }
  return [...named].map(([x, rs]) => {
    const status = nodes.get(g.ids[x]) as NodeStatus;
    rs.sort(byRowOrder(g));
    return {
      kind: ConsistencyKind.DROPPED_NODE,
      severity: ConsistencySeverity.WARNING,
      key: `dropped:${g.ids[x]}`,
      message:
        `${g.labels[x]} is in ${status.frameworkKey} ${status.frameworkVersion} but not in the latest version, ` +
        `${status.latestVersion}; still named by ${rs.length} mapping${rs.length === 1 ? '' : 's'} in ${setList(g, rs)}`,
      rows: rs,
      reqs: [x],
    };
  });
}

// ---- Shaping findings ----

function toFinding(g: Graph, reading: Reading, d: Draft, underConditions: boolean): ConsistencyFinding {
  const rows = d.rows.filter((r) => r >= 0);
  const reqs = unique(d.reqs);
  const conditions = unique(rows.map((r) => reading.condition[r]).filter((c): c is string => c !== null));
  const only = conditions.length > 0 ? `only when ${conditions.join('; ')}` : 'only with the qualifiers in force';
  return {
    kind: d.kind,
    severity: d.severity,
    message: underConditions ? `${d.message} (${only})` : d.message,
    mappingIds: unique(rows.map((r) => g.rows[r].mappingId)),
    setKeys: unique(rows.map((r) => g.rows[r].setKey)).sort(compareText),
    requirementIds: reqs.map((x) => g.ids[x]),
    refs: reqs.map((x) => g.labels[x]),
    underConditions,
  };
}

function compareFindings(a: ConsistencyFinding, b: ConsistencyFinding): number {
  return (
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    compareText(a.refs.join('\n'), b.refs.join('\n')) ||
    compareText(a.severity, b.severity) ||
    Number(a.underConditions) - Number(b.underConditions) ||
    compareText(a.mappingIds.join('\n'), b.mappingIds.join('\n')) ||
    compareText(a.message, b.message)
  );
}

function describeSteps(g: Graph, reading: Reading, steps: Step[]): string {
  const said = steps.slice(0, MESSAGE_STEPS).map((s) => {
    if (s.row < 0) return `${g.labels[s.from]} EQUAL ${g.labels[s.to]} (through more than ${EXPLAIN_LIMIT} EQUAL mappings)`;
    const rel = g.src[s.row] === s.from ? reading.rel[s.row] : inverse(reading.rel[s.row]);
    return `${g.labels[s.from]} ${rel} ${g.labels[s.to]} (${setLabel(g.rows[s.row])})`;
  });
  if (steps.length > MESSAGE_STEPS) said.push(`and ${steps.length - MESSAGE_STEPS} more`);
  return said.join(', ');
}

/** Set, version, then mapping id: the order rows are named in a message. */
function byRowOrder(g: Graph): (x: number, y: number) => number {
  return (x, y) => {
    const a = g.rows[x];
    const b = g.rows[y];
    return compareText(a.setKey, b.setKey) || a.setVersion - b.setVersion || compareText(a.mappingId, b.mappingId);
  };
}

const setLabel = (row: ConsistencyRow) => `${row.setKey} v${row.setVersion}`;
const setList = (g: Graph, rs: number[]) => unique(rs.map((r) => setLabel(g.rows[r]))).join(', ');

function andList(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Code-unit order, not locale order: the same on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
