import { useEffect, useMemo, useRef, useState } from 'react';
import { gql } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { Link, useLocation, useSearch } from 'wouter';
import type { ViewerInfo } from '../App';
import { downloadCsv } from '../csv';
import { Card, ErrorBox, Loading, ReachBadge, RefTitle, StatusBadge, THead } from '../components/ui';
import { frameworkLabel, REACH_INFO, shade, STATUS_INFO, type Reach, type Status } from '../status';
import { EVIDENCE, PATH, PathView, PrefillDecision, type Inferred } from './RequirementPage';

const REACH = `assessable full partial none`;
const COUNTS = `equal subsetOf supersetOf intersectsWith noRelationship total`;
const END = `ref framework { key shortName }`;

/** The whole screen in one request: the pickers' list, both reach reports, the group matrix and the target's statuses. */
export const REUSE = gql`
  query Reuse($from: String!, $to: String!) {
    frameworks: frameworksConnection(first: 200) { nodes { id key name shortName version } }
    prefill(from: $from, to: $to) {
      asOf maxDepth
      totals { ${REACH} }
      groups { group { id ref title } totals { ${REACH} } }
      requirements {
        reach
        requirement { id ref title }
        residual { partialLink partialHops { mappingId relationship strength seenFrom { ${END} } counterpart { ${END} } } }
        contributions { coverage state from { id ref title framework { id key shortName } } evidence { ${EVIDENCE} } link { coverage } path { ${PATH} } }
      }
    }
    potential: reusePotential(from: $from, to: $to) {
      maxDepth
      totals { ${REACH} }
      groups { group { id ref title } totals { ${REACH} } }
      requirements {
        reach
        requirement { id ref title ancestors { id ref } }
        noCounterpart { reason targetFramework { id key shortName } mappingSource { id name versionLabel } }
      }
    }
    matrix: mappingMatrix(source: $from, target: $to) {
      target { id roots { id ref title } }
      rows { group { id ref title } assessableRequirements mappedRequirements counts { ${COUNTS} } }
      cells { sourceGroup { id } targetGroup { id } counts { ${COUNTS} } }
      mappingSources { id name versionLabel status }
    }
    status: coverage(framework: $to) {
      requirements(first: 200) { totalCount nodes { status requirement { id } } }
    }
  }
`;

interface Fw { id: string; key: string; name: string; shortName: string | null; version: string }
interface Req { id: string; ref: string; title: string }
interface ReachTotals { assessable: number; full: number; partial: number; none: number }
interface ReachGroup { group: Req; totals: ReachTotals }
interface Counts { equal: number; subsetOf: number; supersetOf: number; intersectsWith: number; noRelationship: number; total: number }
interface End { ref: string; framework: { key: string; shortName: string | null } }
interface ResidualHop { mappingId: string; relationship: string; strength: number | null; seenFrom: End; counterpart: End }
interface PrefillItem { reach: Reach; requirement: Req; residual: { partialLink: boolean; partialHops: ResidualHop[] } | null; contributions: Inferred[] }
interface NoCounterpart { reason: string; targetFramework: { id: string; key: string; shortName: string | null }; mappingSource: { id: string; name: string; versionLabel: string } }
interface ReuseItem { reach: Reach; requirement: Req & { ancestors: { id: string; ref: string }[] }; noCounterpart: NoCounterpart[] }
interface Matrix {
  target: { id: string; roots: Req[] };
  rows: { group: Req; assessableRequirements: number; mappedRequirements: number; counts: Counts }[];
  cells: { sourceGroup: { id: string }; targetGroup: { id: string }; counts: Counts }[];
  mappingSources: { id: string; name: string; versionLabel: string; status: string }[];
}
interface Data {
  frameworks: { nodes: Fw[] };
  prefill: { asOf: string; maxDepth: number; totals: ReachTotals; groups: ReachGroup[]; requirements: PrefillItem[] };
  potential: { maxDepth: number; totals: ReachTotals; groups: ReachGroup[]; requirements: ReuseItem[] };
  matrix: Matrix;
  status: { requirements: { totalCount: number; nodes: { status: Status; requirement: { id: string } }[] } };
}

/** Names used on this page: the two frameworks, and the target's current statuses. */
interface Ctx { from: string; to: string; fromName: string; toName: string; statuses: Map<string, Status> }

const DEFAULTS = { from: 'iso27001', to: 'iso42001' };
const REACHES: Reach[] = ['FULL', 'PARTIAL', 'NONE'];
const REACH_FIELD = { FULL: 'full', PARTIAL: 'partial', NONE: 'none' } as const;
/** The matrix's tone (the pre-filled blue's mid tone): text stays #111 on every shade. */
const MATRIX_TONE = STATUS_INFO.PREFILLED.mid;
const rel = (r: string) => r.toLowerCase().replace(/_/g, ' ');
const fwName = (f: { key: string; shortName: string | null }) => f.shortName ?? f.key;
const groupOf = (r: { id: string; ancestors: { id: string }[] }) => r.ancestors[0]?.id ?? r.id;

export function ReusePage({ viewer }: { viewer: ViewerInfo | null }) {
  const params = new URLSearchParams(useSearch());
  const from = params.get('from') || DEFAULTS.from;
  const to = params.get('to') || DEFAULTS.to;
  const [, navigate] = useLocation();
  const same = from === to;
  const { data, error, loading, refetch } = useQuery<Data>(REUSE, { variables: { from, to }, skip: same });
  // The pickers keep the last list they had, so a failed pair (an unknown key) can still be changed.
  const [known, setKnown] = useState<Fw[]>([]);
  useEffect(() => {
    if (data) setKnown(data.frameworks.nodes);
  }, [data]);
  const list = data?.frameworks.nodes ?? known;
  const [notice, setNotice] = useState('');
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const names = useMemo(() => new Map(list.map((f) => [f.key, frameworkLabel(f)])), [list]);
  const statuses = useMemo(() => new Map((data?.status.requirements.nodes ?? []).map((n) => [n.requirement.id, n.status])), [data]);
  const ctx: Ctx = { from, to, fromName: names.get(from) ?? from, toName: names.get(to) ?? to, statuses };
  const pick = (f: string, t: string) => {
    setNotice('');
    navigate(`/reuse?from=${encodeURIComponent(f)}&to=${encodeURIComponent(t)}`);
  };
  // A key the hub did not answer for (an unknown one in the URL, or no list yet) stays selectable as itself.
  const missing = [...new Set([from, to, DEFAULTS.from, DEFAULTS.to])].filter((key) => !list.some((f) => f.key === key));
  const options = [...list, ...missing.map((key) => ({ key, name: key, shortName: null, id: key, version: '' }))];

  return (
    <>
      <div className="page-head">
        <h1>Reuse explorer</h1>
        <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Frameworks to compare">
          <FrameworkSelect text="Source framework (in place)" value={from} options={options} onChange={(f) => pick(f, to)} />
          <button type="button" className="btn btn-secondary" onClick={() => pick(to, from)} aria-label="Swap source and target">
            ⇄ Swap
          </button>
          <FrameworkSelect text="Target framework" value={to} options={options} onChange={(t) => pick(from, t)} />
        </form>
      </div>
      <p className="muted">
        How much of a programme on {ctx.fromName} carries over to {ctx.toName}: what the organization's evidence on {ctx.fromName} already pre-fills, what the
        mappings could carry over if all of {ctx.fromName} were evidenced, and what needs work specific to {ctx.toName}.
      </p>
      {same ? (
        <div className="error" role="alert">
          Pick two different frameworks.
        </div>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
      {loading && !data ? <Loading what="the reuse reports" /> : null}
      <p role="status" aria-live="polite" data-testid="decision-notice" className="notice" tabIndex={-1} ref={noticeRef}>
        {notice}
      </p>
      {data && !same ? (
        <>
          <TotalsCard d={data} ctx={ctx} />
          <MatrixCard m={data.matrix} ctx={ctx} maxDepth={data.potential.maxDepth} />
          <PrefillCard
            d={data}
            ctx={ctx}
            edit={viewer?.permissions.edit ?? false}
            onDecided={async (outcome, ref, evidence) => {
              setNotice(`${outcome === 'confirmed' ? 'Confirmed' : 'Rejected'}: ${evidence} for ${ctx.toName} ${ref}.`);
              await refetch().catch(() => undefined);
              // The decided buttons are gone: keep the keyboard on the row's link, or on the notice when the row went too.
              requestAnimationFrame(() => {
                if (document.activeElement && document.activeElement !== document.body) return;
                (document.querySelector<HTMLElement>(`table.prefill tr[data-ref="${CSS.escape(ref)}"] th a`) ?? noticeRef.current)?.focus();
              });
            }}
          />
          <AiWorkCard d={data} ctx={ctx} />
        </>
      ) : null}
    </>
  );
}

function FrameworkSelect({ text, value, options, onChange }: { text: string; value: string; options: Fw[]; onChange: (key: string) => void }) {
  return (
    <label>
      {text}{' '}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((f) => (
          <option key={f.key} value={f.key}>
            {frameworkLabel(f)}
            {f.version && !frameworkLabel(f).includes(f.version) ? ` (${f.version})` : ''}
          </option>
        ))}
      </select>
    </label>
  );
}

function CsvButton({ onClick, what }: { onClick: () => void; what: string }) {
  return (
    <button type="button" className="btn btn-secondary" onClick={onClick} aria-label={`Download CSV of ${what}`}>
      Download CSV
    </button>
  );
}

const reachCells = (t: ReachTotals) => REACHES.map((r) => t[REACH_FIELD[r]]);

function NumCells({ values, fields }: { values: (number | string)[]; fields?: string[] }) {
  return (
    <>
      {values.map((v, i) => (
        <td key={i} className="num" data-field={fields?.[i]}>
          {v}
        </td>
      ))}
    </>
  );
}

function TotalsCard({ d, ctx }: { d: Data; ctx: Ctx }) {
  const reports = [
    { key: 'prefill', label: `Pre-filled by the organization's evidence on ${ctx.fromName}`, totals: d.prefill.totals },
    { key: 'potential', label: `Reachable through the mappings, were all of ${ctx.fromName} evidenced`, totals: d.potential.totals },
  ];
  const potential = new Map(d.potential.groups.map((g) => [g.group.id, g.totals]));
  const prefill = new Map(d.prefill.groups.map((g) => [g.group.id, g.totals]));
  const groups = d.potential.groups.map((g) => ({ group: g.group, prefill: prefill.get(g.group.id), potential: potential.get(g.group.id)! }));
  const csv = () =>
    downloadCsv(
      `reuse-${ctx.from}-to-${ctx.to}-totals.csv`,
      ['group', 'title', 'assessable', 'prefill_full', 'prefill_partial', 'prefill_none', 'potential_full', 'potential_partial', 'potential_none'],
      [
        ['all', '', d.potential.totals.assessable, ...reachCells(d.prefill.totals), ...reachCells(d.potential.totals)],
        ...groups.map((g) => [g.group.ref, g.group.title, g.potential.assessable, ...(g.prefill ? reachCells(g.prefill) : ['', '', '']), ...reachCells(g.potential)]),
      ],
    );
  return (
    <Card id="totals-title" title={`${ctx.toName} requirements reached from ${ctx.fromName}`} actions={<CsvButton onClick={csv} what="the totals per group" />}>
      <div className="table-wrap">
        <table className="totals" aria-describedby="totals-note">
          <THead cols={['Report', 'Assessable', ...REACHES.map((r) => `Reached: ${REACH_INFO[r].label.toLowerCase()}`)]} />
          <tbody>
            {reports.map((r) => (
              <tr key={r.key} data-report={r.key}>
                <th scope="row">{r.label}</th>
                <NumCells values={[r.totals.assessable, ...reachCells(r.totals)]} fields={['assessable', ...REACHES.map((x) => REACH_FIELD[x])]} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p id="totals-note" className="muted">
        Full: a mapping path on which every hop is equal or wider (and, for the pre-fill, valid evidence linked in full). Partial: only a path with a narrower or
        overlapping hop. None: nothing within {d.potential.maxDepth} mapping hops. Pre-fills wait for a person to confirm them below. Evidence as of{' '}
        {d.prefill.asOf.slice(0, 16).replace('T', ' ')} UTC.
      </p>
      <details>
        <summary>Per {ctx.toName} group</summary>
        <div className="table-wrap">
          <table className="reach-groups">
            <THead cols={['Group', 'Assessable', 'Pre-filled: full', 'Pre-filled: partial', 'Pre-filled: none', 'Reachable: full', 'Reachable: partial', 'Reachable: none']} />
            <tbody>
              {groups.map((g) => (
                <tr key={g.group.id}>
                  <th scope="row">
                    <RefTitle node={g.group} />
                  </th>
                  <NumCells values={[g.potential.assessable, ...(g.prefill ? reachCells(g.prefill) : ['–', '–', '–']), ...reachCells(g.potential)]} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </Card>
  );
}

const KINDS = [
  ['equal', 'equal'],
  ['subsetOf', 'subset of'],
  ['supersetOf', 'superset of'],
  ['intersectsWith', 'intersects with'],
  ['noRelationship', 'no relationship'],
] as const;
const describe = (c: Counts) =>
  KINDS.filter(([k]) => c[k] > 0)
    .map(([k, words]) => `${c[k]} ${words}`)
    .join(', ');

/** Source groups x target groups as a table shaded by count: read by a screen reader as a table, numbers in the cells. */
function MatrixCard({ m, ctx, maxDepth }: { m: Matrix; ctx: Ctx; maxDepth: number }) {
  const cols = m.target.roots;
  const cells = new Map(m.cells.map((c) => [`${c.sourceGroup.id}|${c.targetGroup.id}`, c.counts]));
  const max = Math.max(1, ...m.cells.map((c) => c.counts.total));
  const csv = () =>
    downloadCsv(
      `reuse-${ctx.from}-to-${ctx.to}-matrix.csv`,
      ['source_group', 'target_group', ...KINDS.map(([, w]) => w.replace(/ /g, '_')), 'total'],
      m.rows.flatMap((r) =>
        cols.flatMap((c) => {
          const k = cells.get(`${r.group.id}|${c.id}`);
          return k ? [[r.group.ref, c.ref, ...KINDS.map(([f]) => k[f]), k.total]] : [];
        }),
      ),
    );
  return (
    <Card id="matrix-title" title="Mappings between the groups" actions={<CsvButton onClick={csv} what="the group matrix" />}>
      {m.cells.length === 0 ? (
        <p>
          No mapping set joins {ctx.fromName} and {ctx.toName} directly. The reports on this page also follow chains of up to {maxDepth} mappings through other
          frameworks.
        </p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="heat matrix" data-testid="matrix">
              <caption className="sr-only">
                Direct mappings between {ctx.fromName} groups (rows) and {ctx.toName} groups (columns), counted per pair; darker cells hold more mappings.
              </caption>
              <thead>
                <tr>
                  <th scope="col">{ctx.fromName} group</th>
                  {cols.map((c) => (
                    <th key={c.id} scope="col" title={c.title}>
                      <span className="ref">{c.ref}</span>
                      <span className="sr-only"> {c.title}</span>
                    </th>
                  ))}
                  <th scope="col">All</th>
                  <th scope="col">Mapped</th>
                </tr>
              </thead>
              <tbody>
                {m.rows.map((r) => (
                  <tr key={r.group.id} data-group={r.group.ref}>
                    <th scope="row">
                      <Link href={`/frameworks/${encodeURIComponent(ctx.from)}?group=${encodeURIComponent(r.group.ref)}`}>
                        <RefTitle node={r.group} />
                      </Link>
                    </th>
                    {cols.map((c) => {
                      const k = cells.get(`${r.group.id}|${c.id}`);
                      return (
                        <td key={c.id} className="num" data-target={c.ref} style={{ background: shade(MATRIX_TONE, k ? k.total / max : 0) }} title={k ? describe(k) : 'no mappings'}>
                          {k ? (
                            <>
                              {k.total}
                              <span className="sr-only">: {describe(k)}</span>
                              {k.equal + k.supersetOf > 0 ? (
                                <span className="rels" aria-hidden="true">
                                  {k.equal + k.supersetOf} full
                                </span>
                              ) : null}
                            </>
                          ) : (
                            <span className="zero">0</span>
                          )}
                        </td>
                      );
                    })}
                    <td className="num" data-field="total">
                      {r.counts.total}
                    </td>
                    <td className="num">
                      {r.mappedRequirements} of {r.assessableRequirements}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted">
            Direct mappings only, counted as the mapping sets state them for this organization (a declared condition can turn a row equal). “Full” counts
            equal and superset rows, the ones that carry evidence over whole. “Mapped” is the group's assessable requirements with at least one mapping into{' '}
            {ctx.toName}. From {m.mappingSources.map((s) => `${s.name} ${s.versionLabel} (${s.status.toLowerCase()})`).join('; ')}.
          </p>
        </>
      )}
    </Card>
  );
}

const pathText = (c: Inferred) =>
  c.path.hops.map((h) => `${h.seenFrom.framework.key} ${h.seenFrom.ref} ${h.relationship}(${h.strength ?? '?'}) ${h.counterpart.framework.key} ${h.counterpart.ref} [${h.source.key} ${h.source.versionLabel}]`).join(' > ');
const hopText = (h: ResidualHop) => `${fwName(h.seenFrom.framework)} ${h.seenFrom.ref} ${rel(h.relationship)} ${fwName(h.counterpart.framework)} ${h.counterpart.ref}${h.strength !== null ? ` (strength ${h.strength}/10)` : ''}`;

function PrefillCard({ d, ctx, edit, onDecided }: { d: Data; ctx: Ctx; edit: boolean; onDecided: (outcome: 'confirmed' | 'rejected', ref: string, evidence: string) => void }) {
  const items = d.prefill.requirements;
  const csv = () =>
    downloadCsv(
      `reuse-${ctx.from}-to-${ctx.to}-prefill.csv`,
      ['ref', 'title', 'reach', 'status', 'evidence', 'evidence_state', 'from_ref', 'coverage', 'path', 'residual'],
      items.flatMap((i) =>
        i.contributions.map((c) => [i.requirement.ref, i.requirement.title, i.reach, ctx.statuses.get(i.requirement.id) ?? '', c.evidence.title, c.state, c.from.ref, c.coverage, pathText(c), (i.residual?.partialHops ?? []).map(hopText).join('; ')]),
      ),
    );
  return (
    <Card id="prefill-title" title={`Pre-fill: what the evidence on ${ctx.fromName} reaches (${items.length})`} actions={<CsvButton onClick={csv} what="the pre-fill report" />}>
      {items.length === 0 ? (
        <p className="muted">No valid evidence on {ctx.fromName} reaches a {ctx.toName} requirement.</p>
      ) : (
        <div className="table-wrap">
          <table className="prefill">
            <THead cols={[`${ctx.toName} requirement`, 'Reach', 'Status now', 'Evidence and mapping path', 'Left to show']} />
            <tbody>
              {items.map((i) => {
                const status = ctx.statuses.get(i.requirement.id);
                const decidable = edit && (status === 'PREFILLED' || status === 'PARTIAL');
                return (
                  <tr key={i.requirement.id} data-ref={i.requirement.ref}>
                    <th scope="row">
                      <Link href={`/frameworks/${encodeURIComponent(ctx.to)}/requirements/${encodeURIComponent(i.requirement.ref)}`}>
                        <RefTitle node={i.requirement} />
                      </Link>
                    </th>
                    <td>
                      <ReachBadge reach={i.reach} />
                    </td>
                    <td>{status ? <StatusBadge status={status} /> : <span className="muted">on its page</span>}</td>
                    <td>
                      <ol className="paths">
                        {i.contributions.map((c, n) => (
                          <li key={`${c.evidence.id}-${n}`} data-testid="contribution">
                            <PathView item={c} />
                            {decidable ? (
                              <PrefillDecision
                                frameworkKey={ctx.to}
                                refId={i.requirement.ref}
                                evidenceId={c.evidence.id}
                                pathCoverage={c.coverage}
                                label={`Decide whether ${c.evidence.title} shows ${ctx.toName} ${i.requirement.ref}`}
                                onDone={(outcome) => onDecided(outcome, i.requirement.ref, c.evidence.title)}
                              />
                            ) : null}
                          </li>
                        ))}
                      </ol>
                    </td>
                    <td data-field="residual">
                      {i.residual ? (
                        <>
                          {i.residual.partialHops.length ? (
                            <ul className="residual">
                              {i.residual.partialHops.map((h) => (
                                <li key={h.mappingId}>{hopText(h)}</li>
                              ))}
                            </ul>
                          ) : null}
                          {i.residual.partialLink ? <p>The evidence is linked only partly at its source.</p> : null}
                        </>
                      ) : (
                        <span className="muted">Nothing: a full path</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {d.status.requirements.totalCount > d.status.requirements.nodes.length ? (
        <p className="muted">The current status is shown for the first {d.status.requirements.nodes.length} requirements; open a requirement for the others and to decide on them.</p>
      ) : null}
    </Card>
  );
}

/** Target requirements no source requirement reaches, by target group, with the mapping sets' reasons. */
function AiWorkCard({ d, ctx }: { d: Data; ctx: Ctx }) {
  const none = d.potential.requirements.filter((i) => i.reach === 'NONE');
  const groups = d.potential.groups
    .map((g) => ({ group: g.group, items: none.filter((i) => groupOf(i.requirement) === g.group.id) }))
    .filter((g) => g.items.length);
  const own = (i: ReuseItem) => i.noCounterpart.filter((n) => n.targetFramework.key === ctx.from);
  const others = (i: ReuseItem) => i.noCounterpart.filter((n) => n.targetFramework.key !== ctx.from);
  const csv = () =>
    downloadCsv(
      `reuse-${ctx.from}-to-${ctx.to}-specific-work.csv`,
      ['group', 'ref', 'title', 'status', `reason_no_${ctx.from}_counterpart`, 'also_no_counterpart_in'],
      groups.flatMap((g) =>
        g.items.map((i) => [g.group.ref, i.requirement.ref, i.requirement.title, ctx.statuses.get(i.requirement.id) ?? '', own(i).map((n) => n.reason).join(' '), others(i).map((n) => n.targetFramework.key).join(' ')]),
      ),
    );
  return (
    <Card id="specific-title" title={`Needs work specific to ${ctx.toName}`} actions={<CsvButton onClick={csv} what={`the requirements needing ${ctx.toName}-specific work`} />}>
      <p data-testid="specific-count">
        <strong>{none.length}</strong> of {d.potential.totals.assessable} {ctx.toName} requirements: no {ctx.fromName} requirement reaches them within {d.potential.maxDepth}{' '}
        mapping hops, so nothing of a {ctx.fromName} programme carries over to them.
      </p>
      {none.length ? (
        <div className="table-wrap">
          <table className="specific">
            <THead cols={['Ref', 'Requirement', 'Status now', `Why ${ctx.fromName} has no counterpart`]} />
            {groups.map((g) => (
              <tbody key={g.group.id}>
                <tr className="group-row">
                  <th scope="rowgroup" colSpan={4}>
                    <RefTitle node={g.group} /> ({g.items.length})
                  </th>
                </tr>
                {g.items.map((i) => {
                  const status = ctx.statuses.get(i.requirement.id);
                  const more = others(i);
                  return (
                    <tr key={i.requirement.id} data-ref={i.requirement.ref}>
                      <th scope="row" className="ref">
                        <Link href={`/frameworks/${encodeURIComponent(ctx.to)}/requirements/${encodeURIComponent(i.requirement.ref)}`}>{i.requirement.ref}</Link>
                      </th>
                      <td>{i.requirement.title}</td>
                      <td>{status ? <StatusBadge status={status} /> : null}</td>
                      <td>
                        {own(i).length ? own(i).map((n) => <p key={n.mappingSource.id}>{n.reason}</p>) : <span className="muted">No mapping set gives a reason.</span>}
                        {more.length ? (
                          <details>
                            <summary>
                              No counterpart in {more.length} other framework{more.length === 1 ? '' : 's'} either
                            </summary>
                            <ul>
                              {more.map((n) => (
                                <li key={n.mappingSource.id}>
                                  {fwName(n.targetFramework)}: {n.reason}
                                </li>
                              ))}
                            </ul>
                          </details>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            ))}
          </table>
        </div>
      ) : null}
    </Card>
  );
}
