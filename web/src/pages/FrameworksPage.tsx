import { gql } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { Link } from 'wouter';
import { downloadCsv } from '../csv';
import { Card, ErrorBox, Loading, THead } from '../components/ui';
import { frameworkLabel } from '../status';

const FRAMEWORKS = gql`
  query Frameworks {
    frameworksConnection(first: 200) {
      nodes { id key name shortName version publisher private licenceNote assessable: requirementCount(assessableOnly: true) }
    }
  }
`;

interface Fw { id: string; key: string; name: string; shortName: string | null; version: string; publisher: string; private: boolean; licenceNote: string; assessable: number }

/** Every framework the organization sees: the four shared ones and its own imports. */
export function FrameworksPage() {
  const { data, error, loading } = useQuery<{ frameworksConnection: { nodes: Fw[] } }>(FRAMEWORKS);
  if (error) return <ErrorBox error={error} />;
  if (loading && !data) return <Loading what="frameworks" />;
  const rows = data?.frameworksConnection.nodes ?? [];
  const csv = () => downloadCsv('frameworks.csv', ['key', 'name', 'version', 'publisher', 'assessable', 'own'], rows.map((f) => [f.key, f.name, f.version, f.publisher, f.assessable, f.private]));
  return (
    <>
      <div className="page-head">
        <h1>Frameworks</h1>
        <button type="button" className="btn btn-secondary" onClick={csv}>
          Download CSV
        </button>
      </div>
      <Card id="fw-list" title={`${rows.length} frameworks`}>
        <div className="table-wrap">
          <table>
            <THead cols={['Framework', 'Key', 'Version', 'Publisher', 'Assessable', 'Content']} />
            <tbody>
              {rows.map((f) => (
                <tr key={f.id}>
                  <td>
                    <Link href={`/frameworks/${encodeURIComponent(f.key)}`} title={f.name}>
                      {frameworkLabel(f)}
                    </Link>
                    {f.private ? <span className="tag">own</span> : null}
                  </td>
                  <td className="ref">{f.key}</td>
                  <td>{f.version}</td>
                  <td>{f.publisher}</td>
                  <td className="num">{f.assessable}</td>
                  <td className="muted">{f.licenceNote}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </>
  );
}
