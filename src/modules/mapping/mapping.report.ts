/**
 * What the shipped mapping graph reaches, from the seed files alone (no database): the reuse table of
 * the README and docs/mappings.md, and the consistency check over the shipped sets. It reads the graph
 * every organization reads by default (the latest version of each set that is not superseded) with the
 * same pure rules as the hub: computeClosure for reach, relationshipInForce for conditions,
 * checkConsistency for contradictions. test/integration/mapping-report.test.ts holds the API to these
 * figures, so the README cannot drift from what reusePotential answers.
 */
import type { SeedBundle } from '../catalog/catalog.files';
import type { MappingSetSeed } from '../catalog/catalog.transform';
import { computeClosure } from './mapping-closure.service';
import { MappingStatus, PathCoverage, Relationship } from './mapping.enums';
import { relationshipInForce } from './mapping-qualifier.rules';
import { ConsistencyFinding, ConsistencyRow, NodeStatus, checkConsistency } from './mapping-consistency.rules';

/** The shipped set versions every organization reads until it pins another: the latest not SUPERSEDED per key. */
export function defaultSets(bundle: SeedBundle): MappingSetSeed[] {
  const latest = new Map<string, MappingSetSeed>();
  for (const s of bundle.mappingSets) {
    if (s.status === MappingStatus.SUPERSEDED) continue;
    const seen = latest.get(s.key);
    if (!seen || seen.version < s.version) latest.set(s.key, s);
  }
  return [...latest.values()].sort((a, b) => a.key.localeCompare(b.key));
}

export interface ReuseRow {
  from: string;
  to: string;
  assessable: number;
  full: number;
  partial: number;
  none: number;
  /** FULL with integratedManagementSystem declared for every process. */
  fullIntegrated: number;
}

const id = (framework: string, ref: string) => `${framework}\u0000${ref}`;

/** reusePotential(from, to, maxDepth) for every ordered pair of frameworks, without and with every condition declared. */
export function reuseTable(bundle: SeedBundle, maxDepth = 2): ReuseRow[] {
  const sets = defaultSets(bundle);
  const reach = (conditions: ReadonlySet<string>) => {
    let n = 0;
    const edges = sets.flatMap((s) => s.rows.map((r) => {
      const f = relationshipInForce(r, conditions);
      return {
        id: `${s.key}#${n++}`, source_requirement_id: id(s.sourceFrameworkKey, r.sourceRef), target_requirement_id: id(s.targetFrameworkKey, r.targetRef),
        relationship: f.relationship, strength: f.strength, source_framework_id: s.sourceFrameworkKey, target_framework_id: s.targetFrameworkKey,
      };
    }));
    const best = new Map<string, PathCoverage>();
    for (const c of computeClosure(edges, maxDepth)) {
      const from = c.from.split('\u0000')[0];
      const key = `${from}\u0000${c.to}`;
      const coverage = c.full && c.full.hops.length <= maxDepth ? PathCoverage.FULL : c.any.hops.length <= maxDepth ? PathCoverage.PARTIAL : null;
      if (coverage && best.get(key) !== PathCoverage.FULL) best.set(key, coverage);
    }
    return best;
  };
  const none = reach(new Set());
  const all = reach(new Set(conditionNames(sets)));
  const keys = bundle.frameworks.map((f) => f.key).sort();
  const out: ReuseRow[] = [];
  for (const from of keys) {
    for (const to of keys) {
      if (from === to) continue;
      const targets = bundle.frameworks.find((f) => f.key === to)!.nodes.filter((n) => n.assessable);
      const status = (m: Map<string, PathCoverage>, ref: string) => m.get(`${from}\u0000${id(to, ref)}`);
      const full = targets.filter((t) => status(none, t.ref) === PathCoverage.FULL).length;
      const partial = targets.filter((t) => status(none, t.ref) === PathCoverage.PARTIAL).length;
      out.push({
        from, to, assessable: targets.length, full, partial, none: targets.length - full - partial,
        fullIntegrated: targets.filter((t) => status(all, t.ref) === PathCoverage.FULL).length,
      });
    }
  }
  return out;
}

/** Every condition the sets' qualifiers name (declaring them all puts every qualifier in force). */
function conditionNames(sets: readonly MappingSetSeed[]): string[] {
  return [...new Set(sets.flatMap((s) => s.rows.flatMap((r) => r.qualifiers.map((q) => q.when))))];
}

/** checkConsistency over the default graph's rows (the catalogs have one version each, so no node is dropped). */
export function shippedConsistency(bundle: SeedBundle): ConsistencyFinding[] {
  const rows: ConsistencyRow[] = defaultSets(bundle).flatMap((s) => s.rows.map((r, i) => ({
    mappingId: `${s.key}#${i}`, setId: s.key, setKey: s.key, setVersion: s.version,
    sourceId: id(s.sourceFrameworkKey, r.sourceRef), sourceFramework: s.sourceFrameworkKey, sourceRef: r.sourceRef,
    targetId: id(s.targetFrameworkKey, r.targetRef), targetFramework: s.targetFrameworkKey, targetRef: r.targetRef,
    relationship: r.relationship as Relationship, strength: r.strength,
    qualifiers: r.qualifiers.map((q) => ({ when: q.when, process: q.process, relationship: q.relationship, strength: q.strength })),
  })));
  const nodes = new Map<string, NodeStatus>();
  for (const f of bundle.frameworks) {
    for (const n of f.nodes) nodes.set(id(f.key, n.ref), { id: id(f.key, n.ref), frameworkKey: f.key, frameworkVersion: f.version, ref: n.ref, inLatest: true, latestVersion: f.version });
  }
  return checkConsistency(rows, nodes, { conditions: 'both' });
}

/** The README's table. */
export function reuseMarkdown(rows: readonly ReuseRow[]): string {
  const lines = [
    '| From → to | FULL | PARTIAL | none | assessable | FULL with integratedManagementSystem |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.from} → ${r.to} | ${r.full} | ${r.partial} | ${r.none} | ${r.assessable} | ${r.fullIntegrated} |`),
  ];
  return lines.join('\n');
}

export const README_START = '<!-- reuse-table:start (npm run docs:mappings) -->';
export const README_END = '<!-- reuse-table:end -->';

/** README.md with the block between the markers replaced by the current table. */
export function readmeWithTable(readme: string, bundle: SeedBundle): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  return `${readme.slice(0, start + README_START.length)}\n${reuseMarkdown(reuseTable(bundle))}\n${readme.slice(end)}`;
}

/** docs/mappings.md: the sets every organization reads by default, the reuse table and the consistency check. */
export function mappingDocument(bundle: SeedBundle): string {
  const sets = defaultSets(bundle);
  const findings = shippedConsistency(bundle);
  const older = bundle.mappingSets.filter((s) => !sets.includes(s));
  return [
    '# The shipped mapping graph',
    '',
    'Generated by `npm run docs:mappings` from `seeds/` (no database); `test/integration/mapping-report.test.ts` checks that the API answers the same figures.',
    '',
    '## Set versions read by default',
    '',
    'An organization reads the latest version of each set that is not superseded, unless it pins another (`pinMappingSet`).',
    '',
    '| Set | Version | Rows | Status | Rows with qualifiers |',
    '|---|---:|---:|---|---:|',
    ...sets.map((s) => `| ${s.key} | ${s.version} | ${s.rows.length} | ${s.status} | ${s.rows.filter((r) => r.qualifiers.length).length} |`),
    '',
    older.length ? `Kept for pins and history: ${older.map((s) => `${s.key} v${s.version} (${s.rows.length} rows, ${s.status})`).join('; ')}.` : '',
    '',
    '## Reuse before any evidence',
    '',
    'What `reusePotential(from, to)` answers with its default depth of two hops: FULL when a path of EQUAL or SUPERSET_OF hops reaches the requirement, PARTIAL when only weaker paths do. The last column is FULL once the organization declares `integratedManagementSystem` for every process. A two-hop PARTIAL reach (for example 27001 → an EU AI Act paragraph → 42001) is a lead for an analyst, not coverage.',
    '',
    reuseMarkdown(reuseTable(bundle)),
    '',
    '## Consistency of the shipped sets',
    '',
    `\`mappingConsistency\` over the default graph, with the stored relationships and with every qualifier in force: ${findings.length} finding${findings.length === 1 ? '' : 's'}.`,
    ...findings.map((f) => `- ${f.severity} ${f.kind}: ${f.message}`),
    '',
  ].join('\n');
}
