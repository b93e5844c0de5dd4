import { useMemo, useState } from 'react';
import { gql } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { Link } from 'wouter';
import { download } from '../api';
import { downloadCsv } from '../csv';
import { Card, ErrorBox, Loading } from '../components/ui';
import { frameworkLabel, heat, pct, STATUS_INFO, STATUSES, type Status, type Totals } from '../status';

const TOTALS = `assessable applicable notApplicable covered prefilled partial pending stale gap percentCovered percentWithPrefill`;

export const OVERVIEW = gql`
  query Overview($asOf: DateTime) {
    now: coverageSummary(asOf: $asOf) {
      framework { id key name shortName version private }
      totals { ${TOTALS} }
      groups { group { id ref title } totals { ${TOTALS} } }
    }
  }
`;

/**
 * The comparison date's totals, asked for after the first screen: a report at a past date recounts from
 * the links (the rollup serves only the present), so it must not hold up the numbers of today.
 */
export const CHANGES = gql`
  query OverviewChanges($since: DateTime!) {
    then: coverageSummary(asOf: $since) {
      framework { id key }
      totals { ${TOTALS} }
    }
  }
`;

interface FrameworkRow {
  framework: { id: string; key: string; name: string; shortName: string | null; version: string; private: boolean };
  totals: Totals;
  groups: { group: { id: string; ref: string; title: string }; totals: Totals }[];
}

const dayEnd = (d: string) => new Date(`${d}T23:59:59.999Z`).toISOString();
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
/** Heat-map columns: what an assessable requirement can be (NOT_APPLICABLE is outside the applicable count). */
const HEAT: Status[] = ['COVERED', 'PREFILLED', 'PARTIAL', 'PENDING', 'STALE', 'GAP'];

export function Overview() {
  const today = isoDay(new Date());
  const [asOfDay, setAsOfDay] = useState<string>('');
  const [sinceDay, setSinceDay] = useState<string>(isoDay(new Date(Date.now() - 30 * 86_400_000)));
  const { data, error, loading } = useQuery<{ now: FrameworkRow[] }>(OVERVIEW, { variables: { asOf: asOfDay ? dayEnd(asOfDay) : null } });
  const changes = useQuery<{ then: FrameworkRow[] }>(CHANGES, { variables: { since: sinceDay ? dayEnd(sinceDay) : '' }, skip: !sinceDay || !data });
  const then = useMemo(() => new Map((changes.data?.then ?? []).map((f) => [f.framework.key, f.totals])), [changes.data]);

  return (
    <>
      <div className="page-head">
        <h1>Coverage overview</h1>
        <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Report dates">
          <label>
            As of{' '}
            <input type="date" value={asOfDay} max={today} onChange={(e) => setAsOfDay(e.target.value)} aria-describedby="asof-help" />
          </label>
          <span id="asof-help" className="muted">
            {asOfDay ? `the end of ${asOfDay} (UTC)` : 'now'}
          </span>
          <label>
            Changes since <input type="date" value={sinceDay} max={today} onChange={(e) => setSinceDay(e.target.value)} />
          </label>
        </form>
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {loading && !data ? <Loading what="coverage" /> : null}
      {data ? (
        <>
          <SideBySide rows={data.now} then={then} since={changes.data ? sinceDay : ''} />
          <div className="grid">
            {data.now.map((f) => (
              <HeatMap key={f.framework.key} row={f} />
            ))}
          </div>
        </>
      ) : null}
    </>
  );
}

function delta(now: number, before: number | undefined) {
  if (before === undefined || now === before) return null;
  const d = now - before;
  return <span className={d > 0 ? 'up' : 'down'}>{d > 0 ? `+${d}` : d}</span>;
}

function SideBySide({ rows, then, since }: { rows: FrameworkRow[]; then: Map<string, Totals>; since: string }) {
  const header = ['Framework', 'Version', 'Assessable', 'Applicable', '% covered', '% with pre-fill', ...STATUSES.map((s) => STATUS_INFO[s].label)];
  const csv = () =>
    downloadCsv(
      'coverage-summary.csv',
      ['framework', 'version', 'assessable', 'applicable', 'percent_covered', 'percent_with_prefill', ...STATUSES.map((s) => STATUS_INFO[s].field)],
      rows.map((r) => [r.framework.key, r.framework.version, r.totals.assessable, r.totals.applicable, r.totals.percentCovered, r.totals.percentWithPrefill, ...STATUSES.map((s) => r.totals[STATUS_INFO[s].field])]),
    );
  return (
    <Card
      id="summary-title"
      title="Frameworks side by side"
      actions={
        <button type="button" className="btn btn-secondary" onClick={csv}>
          Download CSV
        </button>
      }
    >
      <div className="table-wrap">
        <table className="summary" aria-describedby="summary-note">
          <thead>
            <tr>
              {header.map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const before = then.get(r.framework.key);
              return (
                <tr key={r.framework.key} data-framework={r.framework.key}>
                  <th scope="row">
                    <Link href={`/frameworks/${encodeURIComponent(r.framework.key)}`} title={r.framework.name}>{frameworkLabel(r.framework)}</Link>
                    {r.framework.private ? <span className="tag">own</span> : null}
                  </th>
                  <td>{r.framework.version}</td>
                  <td className="num" data-field="assessable">{r.totals.assessable}</td>
                  <td className="num" data-field="applicable">{r.totals.applicable}</td>
                  <td className="num" data-field="percentCovered">
                    <Meter value={r.totals.percentCovered} label={`${r.framework.key} percent covered`} />
                  </td>
                  <td className="num" data-field="percentWithPrefill">
                    <Meter value={r.totals.percentWithPrefill} label={`${r.framework.key} percent covered with pre-fill`} />
                  </td>
                  {STATUSES.map((s) => {
                    const f = STATUS_INFO[s].field;
                    return (
                      <td key={s} className="num" data-field={f}>
                        {r.totals[f] as number} {delta(r.totals[f] as number, before?.[f] as number | undefined)}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p id="summary-note" className="muted">
        Percentages are of the applicable requirements. {since ? `Signed numbers are the change since ${since}.` : 'Choose a date to see the change since then.'}
        Pre-filled requirements are covered through a FULL mapping path from evidence held for another framework.
      </p>
    </Card>
  );
}

function Meter({ value, label }: { value: number | null; label: string }) {
  return (
    <span className="meter-cell">
      <span className="meter" role="img" aria-label={`${label}: ${pct(value)}`}>
        <span style={{ width: `${Math.max(0, Math.min(100, value ?? 0))}%` }} />
      </span>
      <span aria-hidden="true">{pct(value)}</span>
    </span>
  );
}

/** Groups by status as a table whose cells are shaded by share: readable by a screen reader and the keyboard. */
function HeatMap({ row }: { row: FrameworkRow }) {
  const id = `heat-${row.framework.key}`;
  const oscal = () => download(`/export/oscal/assessment-results/${encodeURIComponent(row.framework.key)}.json`, `${row.framework.key}-assessment-results.json`).catch((e) => alert(e.message));
  return (
    <Card
      id={id}
      title={frameworkLabel(row.framework)}
      actions={
        <button type="button" className="btn btn-secondary" onClick={oscal} aria-label={`Download ${row.framework.key} assessment results as OSCAL`}>
          OSCAL
        </button>
      }
    >
      <div className="table-wrap">
        <table className="heat" data-framework={row.framework.key}>
          <caption className="sr-only">
            {row.framework.name}: requirements per group by coverage status; darker cells hold a larger share of the group.
          </caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              {HEAT.map((s) => (
                <th key={s} scope="col" title={STATUS_INFO[s].hint}>
                  {STATUS_INFO[s].label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {row.groups.map((g) => {
              const n = g.totals.applicable || 1;
              return (
                <tr key={g.group.id}>
                  <th scope="row">
                    <Link href={`/frameworks/${encodeURIComponent(row.framework.key)}?group=${encodeURIComponent(g.group.ref)}`}>
                      <span className="ref">{g.group.ref}</span> {g.group.title}
                    </Link>
                  </th>
                  {HEAT.map((s) => {
                    const v = g.totals[STATUS_INFO[s].field] as number;
                    return (
                      <td key={s} className="num" style={{ background: heat(s, v / n) }} data-status={s}>
                        {v}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
