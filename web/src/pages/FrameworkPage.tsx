import { useMemo, useState } from 'react';
import { gql } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { Link, useSearch } from 'wouter';
import { download } from '../api';
import { downloadCsv } from '../csv';
import { Card, ErrorBox, Loading, StatusBadge, THead } from '../components/ui';
import { frameworkLabel, STATUS_INFO, STATUSES, type Status, type Totals } from '../status';

const FRAMEWORK = gql`
  query FrameworkCoverage($key: String!, $after: String) {
    coverage(framework: $key) {
      framework { id key name shortName version licenceNote }
      totals { assessable applicable notApplicable covered prefilled partial pending stale gap percentCovered percentWithPrefill }
      groups { group { id ref title } }
      requirements(first: 200, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          status
          requirement { id ref title ancestors { id ref } }
          applicability { applicability }
        }
      }
    }
  }
`;

interface Row {
  status: Status;
  requirement: { id: string; ref: string; title: string; ancestors: { id: string; ref: string }[] };
  applicability: { applicability: string } | null;
}
interface Data {
  coverage: {
    framework: { id: string; key: string; name: string; shortName: string | null; version: string; licenceNote: string };
    totals: Totals;
    groups: { group: { id: string; ref: string; title: string } }[];
    requirements: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Row[] };
  };
}

export function FrameworkPage({ frameworkKey }: { frameworkKey: string }) {
  const params = new URLSearchParams(useSearch());
  const [group, setGroup] = useState(params.get('group') ?? '');
  const [search, setSearch] = useState('');
  const [shown, setShown] = useState<Set<Status>>(new Set(STATUSES));
  const { data, error, loading, fetchMore } = useQuery<Data>(FRAMEWORK, { variables: { key: frameworkKey, after: null } });
  const [more, setMore] = useState<Row[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [moreLoading, setMoreLoading] = useState(false);
  const c = data?.coverage;
  const all = useMemo(() => [...(c?.requirements.nodes ?? []), ...more], [c, more]);
  const groupRef = (r: Row) => r.requirement.ancestors[0]?.ref ?? '';
  const needle = search.trim().toLowerCase();
  const rows = all.filter(
    (r) =>
      shown.has(r.status) &&
      (!group || groupRef(r) === group) &&
      (!needle || r.requirement.ref.toLowerCase().includes(needle) || r.requirement.title.toLowerCase().includes(needle)),
  );
  const hasMore = c && all.length < c.requirements.totalCount;
  const loadMore = async () => {
    setMoreLoading(true);
    try {
      // Later pages are kept here, not merged into the cached first page.
      const res = await fetchMore({ variables: { key: frameworkKey, after: cursor ?? c!.requirements.pageInfo.endCursor }, updateQuery: (prev) => prev });
      setMore((m) => [...m, ...(res.data?.coverage.requirements.nodes ?? [])]);
      setCursor(res.data?.coverage.requirements.pageInfo.endCursor ?? null);
    } finally {
      setMoreLoading(false);
    }
  };
  const toggle = (s: Status) => setShown((cur) => { const n = new Set(cur); if (n.has(s)) n.delete(s); else n.add(s); return n; });
  if (error) return <ErrorBox error={error} />;
  if (loading && !c) return <Loading what={`${frameworkKey} coverage`} />;
  if (!c) return null;
  const counts = new Map<Status, number>(STATUSES.map((s) => [s, c.totals[STATUS_INFO[s].field] as number]));
  return (
    <>
      <div className="page-head">
        <h1>
          {frameworkLabel(c.framework)} <span className="muted">{c.framework.version}</span>
        </h1>
        <div className="card-actions">
          <button type="button" className="btn btn-secondary" onClick={() => downloadCsv(`${c.framework.key}-requirements.csv`, ['ref', 'title', 'group', 'status', 'applicability'], rows.map((r) => [r.requirement.ref, r.requirement.title, groupRef(r), r.status, r.applicability?.applicability ?? '']))}>
            Download CSV (shown rows)
          </button>
          <button type="button" className="btn btn-secondary" onClick={() => download(`/export/oscal/assessment-results/${encodeURIComponent(c.framework.key)}.json`, `${c.framework.key}-assessment-results.json`).catch((e) => alert(e.message))}>
            OSCAL assessment results
          </button>
        </div>
      </div>
      <Card id="filters-title" title="Requirements">
        <div className="filters" role="group" aria-label="Filter requirements">
          <label>
            Search <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="ref or title" />
          </label>
          <label>
            Group{' '}
            <select value={group} onChange={(e) => setGroup(e.target.value)}>
              <option value="">All groups</option>
              {c.groups.map((g) => (
                <option key={g.group.id} value={g.group.ref}>
                  {g.group.ref} {g.group.title}
                </option>
              ))}
            </select>
          </label>
          <fieldset className="chips">
            <legend className="sr-only">Statuses shown</legend>
            {STATUSES.map((s) => (
              <label key={s} className="chip" style={{ color: STATUS_INFO[s].fg, background: shown.has(s) ? STATUS_INFO[s].bg : 'transparent' }}>
                <input type="checkbox" checked={shown.has(s)} onChange={() => toggle(s)} /> {STATUS_INFO[s].label} ({counts.get(s)})
              </label>
            ))}
          </fieldset>
        </div>
        <p className="muted" role="status" aria-live="polite">
          {rows.length} of {c.requirements.totalCount} assessable requirements shown.
        </p>
        <div className="table-wrap">
          <table className="reqs" data-framework={c.framework.key}>
            <THead cols={['Ref', 'Title', 'Group', 'Status']} />
            <tbody>
              {rows.map((r) => (
                <tr key={r.requirement.id} data-ref={r.requirement.ref}>
                  <td className="ref">
                    <Link href={`/frameworks/${encodeURIComponent(c.framework.key)}/requirements/${encodeURIComponent(r.requirement.ref)}`}>{r.requirement.ref}</Link>
                  </td>
                  <td>{r.requirement.title}</td>
                  <td className="ref">{groupRef(r)}</td>
                  <td>
                    <StatusBadge status={r.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {hasMore ? (
          <button type="button" className="btn btn-secondary" onClick={loadMore} disabled={moreLoading}>
            {moreLoading ? 'Loading…' : `Load more (${c.requirements.totalCount - all.length} left)`}
          </button>
        ) : null}
      </Card>
    </>
  );
}
