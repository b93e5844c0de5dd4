import { useState } from 'react';
import { gql } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { Link } from 'wouter';
import { Card, ErrorBox, Loading, StatusBadge, TableOr } from '../components/ui';
import type { Status } from '../status';
import { Timeline, type Duty } from './Timeline';

const REGISTER = gql`
  query AiSystemRegister {
    aiSystemsConnection(first: 200) {
      totalCount
      nodes { id name lifecycleStage riskClass owner euRoles }
    }
    obligationsMatrix { aiSystem { id } obligations { applicability } }
  }
`;

const SYSTEM = gql`
  query AiSystemPage($id: ID!, $from: DateTime!, $to: DateTime!) {
    aiSystem(id: $id) {
      id name description intendedPurpose lifecycleStage riskClass owner businessUnit euRoles
      obligations {
        applicability bindingFrom status dutyType
        requirement { id ref title }
        decidedBy { fact answer value }
        openQuestions { fact question }
      }
      impactAssessments { id version status template assessor assessedAt approver approvedAt nextReviewDue }
      oversightSummary(from: $from, to: $to) { point { id name mechanism overseerRole } decisions overrides overrideRate silent }
    }
    nonconformities(status: OPEN) { id description source owner dueAt createdAt aiSystem { id } }
  }
`;

interface RegisterRow { id: string; name: string; lifecycleStage: string; riskClass: string | null; owner: string | null; euRoles: string[] }
const words = (v: string | null | undefined) => (v ? v.toLowerCase().replace(/_/g, ' ') : '–');
const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '–');

export function SystemsPage() {
  const { data, error, loading } = useQuery<{ aiSystemsConnection: { totalCount: number; nodes: RegisterRow[] }; obligationsMatrix: { aiSystem: { id: string }; obligations: { applicability: string }[] }[] }>(REGISTER);
  if (error) return <ErrorBox error={error} />;
  if (loading && !data) return <Loading what="the AI system register" />;
  if (!data) return null;
  const counts = new Map(data.obligationsMatrix.map((m) => [m.aiSystem.id, (a: string) => m.obligations.filter((o) => o.applicability === a).length]));
  const systems = data.aiSystemsConnection.nodes;
  return (
    <>
      <div className="page-head">
        <h1>AI systems</h1>
      </div>
      <Card id="register-title" title={`Register (${data.aiSystemsConnection.totalCount})`}>
        <p className="muted">EU AI Act duties today, from each system's roles and answered facts: binding now, binding from a later date, or depending on a fact not answered yet.</p>
        <TableOr
          className="systems"
          cols={['Name', 'Lifecycle stage', 'Risk class', 'Owner', 'EU roles', 'Binding', 'Not yet', 'Conditional']}
          empty="No AI system registered yet (registerAiSystem)."
          rows={systems.map((s) => {
            const count = counts.get(s.id) ?? (() => 0);
            return (
              <tr key={s.id} data-system={s.id}>
                <td>
                  <Link href={`/systems/${encodeURIComponent(s.id)}`}>{s.name}</Link>
                </td>
                <td>{words(s.lifecycleStage)}</td>
                <td>{s.riskClass ? words(s.riskClass) : 'not classified'}</td>
                <td>{s.owner ?? '–'}</td>
                <td>{s.euRoles.length ? s.euRoles.map(words).join(', ') : '–'}</td>
                {(['BINDING', 'NOT_YET', 'CONDITIONAL'] as const).map((a) => (
                  <td key={a} className="num" data-field={a}>
                    {count(a)}
                  </td>
                ))}
              </tr>
            );
          })}
        />
        {data.aiSystemsConnection.totalCount > systems.length ? <p className="muted">The first {systems.length} by name.</p> : null}
      </Card>
    </>
  );
}

/** The last 90 days up to the end of today (UTC): a stable window, so a reload reads the cache. */
function oversightWindow(): { from: string; to: string } {
  const to = new Date();
  to.setUTCHours(24, 0, 0, 0);
  const from = new Date(to.getTime() - 90 * 86_400_000);
  return { from: from.toISOString(), to: to.toISOString() };
}

/** A date cell: who did it, or "overdue" once a due date has passed `dueBy`. */
function When({ at, by, dueBy }: { at: string | null; by?: string | null; dueBy?: string }) {
  return (
    <td>
      {day(at)} {by ? <span className="muted">by {by}</span> : null}
      {dueBy && at && at.slice(0, 10) < dueBy ? <strong className="overdue"> · overdue</strong> : null}
    </td>
  );
}

interface Obligation extends Duty {
  dutyType: string;
  decidedBy: { fact: string; answer: string; value: string | null }[];
  openQuestions: { fact: string; question: string }[];
}

export function SystemPage({ id }: { id: string }) {
  const [window] = useState(oversightWindow);
  const { data, error, loading } = useQuery<any>(SYSTEM, { variables: { id, ...window } });
  if (error) return <ErrorBox error={error} />;
  if (loading && !data) return <Loading what="the AI system" />;
  if (!data) return null;
  const s = data.aiSystem;
  const obligations: Obligation[] = s.obligations ?? [];
  const dated = obligations.filter((o) => o.applicability !== 'CONDITIONAL');
  const conditional = obligations.filter((o) => o.applicability === 'CONDITIONAL');
  const open = data.nonconformities.filter((n: any) => n.aiSystem?.id === s.id);
  const elsewhere = data.nonconformities.length - open.length;
  const today = new Date().toISOString().slice(0, 10);
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href="/systems">AI systems</Link> › {s.name}
      </nav>
      <div className="page-head">
        <h1>{s.name}</h1>
        <p className="muted">
          {words(s.lifecycleStage)} · risk class {s.riskClass ? words(s.riskClass) : 'not classified'} · {s.euRoles.length ? s.euRoles.map(words).join(', ') : 'no EU role'} · owner {s.owner ?? '–'}
        </p>
      </div>
      {s.intendedPurpose || s.description ? (
        <Card id="purpose-title" title="Intended purpose">
          <p>{s.intendedPurpose ?? s.description}</p>
        </Card>
      ) : null}
      <Card id="duties-title" title={`EU AI Act duties by date (${dated.length})`}>
        <p className="muted">
          Binding duties at the date they bind from, duties not binding yet at their future date; today is {today}. Each links to the provision.
        </p>
        {dated.length ? <Timeline duties={dated} today={today} /> : <p className="muted">No dated duty: the answered facts exclude them, or every duty depends on an open question.</p>}
      </Card>
      <Card id="conditional-title" title={`Conditional duties (${conditional.length})`}>
        <p className="muted">Duties that depend on a fact not answered yet: answer the question to settle them.</p>
        <TableOr
          className="conditional"
          cols={['Duty', 'Title', 'Would bind from', 'Open questions', 'Coverage']}
          empty="None: every fact that decides a duty of this system is answered."
          rows={conditional.map((o) => (
            <tr key={o.requirement.id} data-ref={o.requirement.ref}>
              <td className="ref">
                <Link href={`/frameworks/eu-ai-act/requirements/${encodeURIComponent(o.requirement.ref)}`}>{o.requirement.ref}</Link>
              </td>
              <td>{o.requirement.title}</td>
              <td>{o.bindingFrom ? <time dateTime={o.bindingFrom}>{o.bindingFrom}</time> : 'depends on the answer'}</td>
              <td>
                <ul className="questions">
                  {o.openQuestions.map((q) => (
                    <li key={q.fact} data-fact={q.fact}>
                      <span className="ref">{q.fact}</span>: {q.question}
                    </li>
                  ))}
                </ul>
              </td>
              <td>
                <StatusBadge status={o.status as Status} />
              </td>
            </tr>
          ))}
        />
      </Card>
      <Card id="fria-title" title={`Impact assessments (${s.impactAssessments.length})`}>
        <TableOr
          className="assessments"
          cols={['Version', 'Template', 'Status', 'Assessed', 'Approved', 'Next review due']}
          empty="None started (startImpactAssessment)."
          rows={s.impactAssessments.map((a: any) => (
            <tr key={a.id} data-version={a.version} data-status={a.status}>
              <td className="num">{a.version}</td>
              <td>{words(a.template)}</td>
              <td>{words(a.status)}</td>
              <When at={a.assessedAt} by={a.assessor} />
              <When at={a.approvedAt} by={a.approver} />
              <When at={a.nextReviewDue} dueBy={today} />
            </tr>
          ))}
        />
      </Card>
      <Card id="oversight-title" title="Human oversight, last 90 days">
        <TableOr
          className="oversight"
          cols={['Oversight point', 'Mechanism', 'Decisions', 'Overrides', 'Override rate', 'Activity']}
          empty="No oversight point registered for this system (addOversightPoint)."
          rows={s.oversightSummary.map((p: any) => (
            <tr key={p.point.id} data-point={p.point.name}>
              <td>
                {p.point.name} {p.point.overseerRole ? <span className="muted">({p.point.overseerRole})</span> : null}
              </td>
              <td>{words(p.point.mechanism)}</td>
              <td className="num" data-field="decisions">{p.decisions}</td>
              <td className="num" data-field="overrides">{p.overrides}</td>
              <td className="num">{p.overrideRate === null ? '–' : `${(p.overrideRate * 100).toFixed(1)} %`}</td>
              <td>{p.silent ? <strong className="overdue">silent: no decision recorded</strong> : 'active'}</td>
            </tr>
          ))}
        />
      </Card>
      <Card id="findings-title" title={`Open nonconformities (${open.length})`}>
        <TableOr
          className="findings"
          cols={['Raised', 'Source', 'Description', 'Owner', 'Due']}
          empty="No open nonconformity names this system."
          rows={open.map((n: any) => (
            <tr key={n.id}>
              <td>{day(n.createdAt)}</td>
              <td>{words(n.source)}</td>
              <td>{n.description}</td>
              <td>{n.owner ?? '–'}</td>
              <When at={n.dueAt} dueBy={today} />
            </tr>
          ))}
        />
        {elsewhere ? <p className="muted">{elsewhere} other open nonconformit{elsewhere === 1 ? 'y' : 'ies'} of the organization name no system or another one.</p> : null}
      </Card>
    </>
  );
}
