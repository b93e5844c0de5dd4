import { useState } from 'react';
import { gql } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { Link } from 'wouter';
import type { ViewerInfo } from '../App';
import { errorText } from '../api';
import { Card, ErrorBox, Loading, StatusBadge, THead } from '../components/ui';
import { downloadCsv } from '../csv';
import { frameworkLabel, type Status } from '../status';
import { isFullHop, type Relationship } from '../graph/neighbourhood';

export const EVIDENCE = `id title kind status sourceSystem externalId uri effectiveAt validUntil`;
export const PATH = `coverage length minStrength
  hops { mappingId relationship storedRelationship strength storedStrength rationale note
    qualifierApplied { when relationship strength description }
    seenFrom { ref framework { key shortName } } counterpart { ref framework { key shortName } }
    source { key name versionLabel status method } }`;

export const REQUIREMENT = gql`
  query RequirementExplained($key: String!, $ref: String!) {
    requirement(framework: $key, ref: $ref) {
      id ref title text summary
      framework { id key name shortName }
      ancestors { id ref title }
    }
    coverage(framework: $key) {
      asOf
      requirement(ref: $ref) {
        status
        applicability { applicability justification reasons decidedBy decidedAt }
        direct(first: 20) { id coverage origin note linkedAt linkedBy evidence { ${EVIDENCE} } }
        inferred(first: 10) {
          coverage state
          from { ref title framework { key shortName } }
          evidence { ${EVIDENCE} }
          link { coverage }
          path { ${PATH} }
        }
      }
    }
  }
`;

const SUGGESTIONS = gql`
  query GapSuggestions($key: String!) {
    gaps(framework: $key) {
      items {
        requirement { id ref }
        noCounterpart { reason targetFramework { key } mappingSource { key name } }
        suggestedEvidence(first: 5) { coverage state from { ref framework { key shortName } } evidence { ${EVIDENCE} } path { ${PATH} } }
      }
    }
  }
`;

const CONFIRM = gql`
  mutation ConfirmPrefill($input: ConfirmPrefillInput!) { confirmPrefill(input: $input) { id coverage origin } }
`;
const REJECT = gql`
  mutation RejectPrefill($input: RejectPrefillInput!) { rejectPrefill(input: $input) { id } }
`;

interface Ev { id: string; title: string; kind: string; status: string; sourceSystem: string; externalId: string; uri: string | null; effectiveAt: string; validUntil: string | null }
export interface Hop {
  mappingId: string; relationship: string; storedRelationship: string; strength: number | null; storedStrength: number | null; rationale: string | null; note: string | null;
  qualifierApplied: { when: string; relationship: string; strength: number | null; description: string | null } | null;
  seenFrom: { ref: string; framework: { key: string; shortName: string | null } };
  counterpart: { ref: string; framework: { key: string; shortName: string | null } };
  source: { key: string; name: string; versionLabel: string; status: string; method: string };
}
interface Path { coverage: string; length: number; minStrength: number | null; hops: Hop[] }
export interface Inferred { coverage: string; state: string; from: { ref: string; title?: string; framework: { key: string; shortName: string | null } }; evidence: Ev; link?: { coverage: string }; path: Path }

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '–');
/** A hop that cannot carry the whole of what the evidence shows: the residual is there. */
const partialHop = (h: Hop) => !isFullHop(h.relationship as Relationship);

export function RequirementPage({ frameworkKey, refId, viewer }: { frameworkKey: string; refId: string; viewer: ViewerInfo | null }) {
  const { data, error, loading, refetch } = useQuery<any>(REQUIREMENT, { variables: { key: frameworkKey, ref: refId } });
  // The outcome of a pre-fill decision, kept here: the decision's own row leaves the page when it moves
  // from inferred to direct evidence.
  const [notice, setNotice] = useState<string | null>(null);
  const status: Status | undefined = data?.coverage.requirement.status;
  const gaps = useQuery<any>(SUGGESTIONS, { variables: { key: frameworkKey }, skip: status !== 'GAP' });
  if (error) return <ErrorBox error={error} />;
  if (loading && !data) return <Loading what={`${frameworkKey} ${refId}`} />;
  if (!data) return null;
  const r = data.requirement;
  const cov = data.coverage.requirement;
  const gapItem = gaps.data?.gaps.items.find((i: any) => i.requirement.ref === refId);
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href="/">Overview</Link> › <Link href={`/frameworks/${encodeURIComponent(frameworkKey)}`}>{frameworkLabel(r.framework)}</Link>
        {r.ancestors.map((a: any) => (
          <span key={a.id}> › {a.ref}</span>
        ))}
      </nav>
      <div className="page-head">
        <h1>
          <span className="ref">{r.ref}</span> {r.title}
        </h1>
        {notice ? <p role="status" className="notice" data-testid="decision-notice">{notice}</p> : null}
        <div className="status-line" data-testid="status">
          <StatusBadge status={cov.status} /> <span className="muted">as of {data.coverage.asOf.slice(0, 16).replace('T', ' ')} UTC</span>
          <Link href={`/graph?framework=${encodeURIComponent(frameworkKey)}&ref=${encodeURIComponent(refId)}`}>Mapping graph</Link>
        </div>
      </div>
      {r.text ? (
        <Card id="text-title" title="Text">
          <p className="req-text">{r.text}</p>
        </Card>
      ) : null}
      <Card id="why-title" title="Why this status">
        <p>{because(cov)}</p>
        {cov.applicability ? (
          <p data-testid="applicability">
            Applicability: <strong>{cov.applicability.applicability === 'NOT_APPLICABLE' ? 'not applicable' : 'applicable'}</strong>, decided by{' '}
            {cov.applicability.decidedBy} on {day(cov.applicability.decidedAt)}
            {cov.applicability.justification ? `: ${cov.applicability.justification}` : ''}
            {cov.applicability.reasons.length ? ` (reasons: ${cov.applicability.reasons.join(', ').toLowerCase().replace(/_/g, ' ')})` : ''}
          </p>
        ) : null}
      </Card>
      <Card
        id="direct-title"
        title={`Evidence linked directly (${cov.direct.length})`}
        actions={
          cov.direct.length || cov.inferred.length ? (
            <button type="button" className="btn btn-secondary" onClick={() => explanationCsv(frameworkKey, refId, cov)}>
              Download CSV
            </button>
          ) : null
        }
      >
        {cov.direct.length ? (
          <EvidenceTable rows={cov.direct.map((l: any) => ({ ev: l.evidence, coverage: l.coverage, extra: l.origin === 'CONFIRMED_PREFILL' ? 'confirmed pre-fill' : `linked ${day(l.linkedAt)} by ${l.linkedBy}` }))} />
        ) : (
          <p className="muted">None.</p>
        )}
      </Card>
      <Card id="inferred-title" title={`Evidence reaching it through mappings (${cov.inferred.length})`}>
        {cov.inferred.length ? (
          <ol className="paths">
            {cov.inferred.map((i: Inferred, n: number) => (
              <li key={`${i.evidence.id}-${n}`} data-testid="inferred">
                <PathView item={i} />
                {viewer?.permissions.edit && (cov.status === 'PREFILLED' || cov.status === 'PARTIAL') ? (
                  <PrefillDecision frameworkKey={frameworkKey} refId={refId} evidenceId={i.evidence.id} pathCoverage={i.coverage}
                    onDone={(outcome) => { setNotice(`${outcome === 'confirmed' ? 'Confirmed' : 'Rejected'}: ${i.evidence.title} for ${refId}.`); void refetch(); }} />
                ) : null}
              </li>
            ))}
          </ol>
        ) : (
          <p className="muted">No mapping path from evidence the organization holds reaches it.</p>
        )}
      </Card>
      {status === 'GAP' ? (
        <Card id="suggest-title" title="Evidence you already hold elsewhere">
          {gaps.loading && !gaps.data ? <Loading what="suggestions" /> : null}
          {gaps.error ? <ErrorBox error={gaps.error} /> : null}
          {gapItem?.suggestedEvidence.length ? (
            <ol className="paths">
              {gapItem.suggestedEvidence.map((s: Inferred, n: number) => (
                <li key={`${s.evidence.id}-${n}`} data-testid="suggestion">
                  <PathView item={s} />
                </li>
              ))}
            </ol>
          ) : gaps.data ? (
            <p className="muted">No evidence held for another framework reaches it through a mapping.</p>
          ) : null}
          {gapItem?.noCounterpart.length ? (
            <p className="muted">
              {gapItem.noCounterpart.map((n: any) => `${n.mappingSource.name}: no counterpart in ${n.targetFramework.key} (${n.reason})`).join(' ')}
            </p>
          ) : null}
        </Card>
      ) : null}
    </>
  );
}

const isoDay = (iso: string | null) => (iso ? iso.slice(0, 10) : '');

/** The explanation as rows: each direct link, then each mapping path with its hops in words. */
function explanationCsv(frameworkKey: string, refId: string, cov: any): void {
  const hops = (p: Path) => p.hops.map((h) => `${h.seenFrom.framework.key} ${h.seenFrom.ref} ${h.relationship} ${h.counterpart.framework.key} ${h.counterpart.ref}${h.strength !== null ? ` (${h.strength}/10, ${h.source.key} ${h.source.versionLabel})` : ` (${h.source.key} ${h.source.versionLabel})`}`).join(' > ');
  downloadCsv(
    `${frameworkKey}-${refId}-explanation.csv`,
    ['framework', 'ref', 'status', 'how', 'coverage', 'evidence', 'source_system', 'external_id', 'evidence_status', 'valid_from', 'valid_until', 'from', 'path'],
    [
      ...cov.direct.map((l: any) => [frameworkKey, refId, cov.status, l.origin === 'CONFIRMED_PREFILL' ? 'confirmed pre-fill' : 'direct', l.coverage, l.evidence.title, l.evidence.sourceSystem, l.evidence.externalId, l.evidence.status, isoDay(l.evidence.effectiveAt), isoDay(l.evidence.validUntil), '', '']),
      ...cov.inferred.map((i: Inferred) => [frameworkKey, refId, cov.status, 'mapping', i.path.coverage, i.evidence.title, i.evidence.sourceSystem, i.evidence.externalId, i.evidence.status, isoDay(i.evidence.effectiveAt), isoDay(i.evidence.validUntil), `${i.from.framework.key} ${i.from.ref}`, hops(i.path)]),
    ],
  );
}

function because(cov: any): string {
  switch (cov.status as Status) {
    case 'COVERED':
      return 'Covered: accepted evidence that is in force is linked to it directly, in full (a confirmed pre-fill counts as such a link).';
    case 'PREFILLED':
      return 'Pre-filled: evidence held for another framework reaches it through a FULL mapping path (every hop equal or wider). It counts as covered once someone confirms it.';
    case 'PARTIAL':
      return 'Partial: evidence reaches it, but only partly: a PARTIAL link, or a mapping path with a hop that covers only part of it (see the hops marked "partial" below).';
    case 'PENDING':
      return 'Pending: evidence is linked, but it is not accepted yet or not in force yet.';
    case 'STALE':
      return 'Stale: the evidence behind it has passed its validity date; renew or review it.';
    case 'GAP':
      return 'Gap: no evidence reaches it, directly or through a mapping.';
    case 'NOT_APPLICABLE':
      return 'Not applicable: an applicability decision excludes it (see below).';
  }
}

function EvidenceTable({ rows }: { rows: { ev: Ev; coverage: string; extra: string }[] }) {
  return (
    <div className="table-wrap">
      <table>
        <THead cols={['Evidence', 'Source', 'Status', 'Valid', 'Link']} />
        <tbody>
          {rows.map(({ ev, coverage, extra }) => (
            <tr key={ev.id} data-testid="direct">
              <td>{ev.uri && /^https?:/.test(ev.uri) ? <a href={ev.uri} rel="noreferrer noopener" target="_blank">{ev.title}</a> : ev.title}</td>
              <td>
                {ev.sourceSystem} <span className="muted">{ev.externalId}</span>
              </td>
              <td>{ev.status.toLowerCase().replace('_', ' ')}</td>
              <td>
                {day(ev.effectiveAt)} – {day(ev.validUntil)}
              </td>
              <td>
                {coverage.toLowerCase()}, {extra}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function PathView({ item }: { item: Inferred }) {
  return (
    <div className="path">
      <p>
        <strong>{item.evidence.title}</strong> <span className="muted">({item.evidence.sourceSystem}, {item.state.toLowerCase()})</span> on{' '}
        {item.from.framework.shortName ?? item.from.framework.key} <span className="ref">{item.from.ref}</span>: a{' '}
        <strong>{item.path.coverage}</strong> path of {item.path.length} hop{item.path.length === 1 ? '' : 's'}
        {item.path.minStrength !== null ? `, weakest strength ${item.path.minStrength}/10` : ''}.
      </p>
      <ol className="hops" aria-label="Mapping hops">
        {item.path.hops.map((h, k) => (
          <li key={`${h.mappingId}-${k}`} className={partialHop(h) ? 'hop partial' : 'hop'}>
            <span className="ref">
              {h.seenFrom.framework.shortName ?? h.seenFrom.framework.key} {h.seenFrom.ref}
            </span>{' '}
            <span className="rel">{h.relationship.toLowerCase().replace(/_/g, ' ')}</span>{' '}
            <span className="ref">
              {h.counterpart.framework.shortName ?? h.counterpart.framework.key} {h.counterpart.ref}
            </span>
            {h.strength !== null ? <span className="muted"> · strength {h.strength}/10</span> : null}
            <span className="muted">
              {' '}
              · {h.source.name} {h.source.versionLabel} ({h.source.status.toLowerCase()}, {h.source.method.toLowerCase()})
            </span>
            {h.qualifierApplied ? (
              <span className="qualifier">
                {' '}
                · relies on “{h.qualifierApplied.when}”{h.qualifierApplied.description ? `: ${h.qualifierApplied.description}` : ''} (stored {h.storedRelationship.toLowerCase().replace(/_/g, ' ')})
              </span>
            ) : null}
            {partialHop(h) ? <strong className="partial-tag"> · partial: the residual is here</strong> : null}
          </li>
        ))}
      </ol>
      {item.link?.coverage === 'PARTIAL' ? <p className="muted">The evidence is linked PARTIAL at its source requirement.</p> : null}
    </div>
  );
}

/** Confirm or reject one pre-fill (EDITOR); `label` names the group where a page shows several. */
export function PrefillDecision({ frameworkKey, refId, evidenceId, pathCoverage, onDone, label = 'Decide on this pre-fill' }: { frameworkKey: string; refId: string; evidenceId: string; pathCoverage: string; onDone: (outcome: 'confirmed' | 'rejected') => void; label?: string }) {
  const [confirm, c] = useMutation(CONFIRM);
  const [reject, r] = useMutation(REJECT);
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const busy = c.loading || r.loading;
  const act = async (fn: () => Promise<unknown>, outcome: 'confirmed' | 'rejected') => {
    try {
      await fn();
      // The page says the outcome (this row may leave it); only a failure stays here.
      setMessage(null);
      onDone(outcome);
    } catch (e) {
      setMessage(errorText(e));
    }
  };
  return (
    <div className="decide" role="group" aria-label={label}>
      <button type="button" className="btn btn-primary" disabled={busy} onClick={() => act(() => confirm({ variables: { input: { framework: frameworkKey, ref: refId, evidenceId, coverage: pathCoverage === 'FULL' ? 'FULL' : 'PARTIAL' } } }), 'confirmed')}>
        Confirm
      </button>
      <label>
        Reason <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="why it does not apply" />
      </label>
      <button type="button" className="btn btn-danger" disabled={busy || !reason.trim()} onClick={() => act(() => reject({ variables: { input: { framework: frameworkKey, ref: refId, evidenceId, reason: reason.trim() } } }), 'rejected')}>
        Reject
      </button>
      {message ? <span role="status">{message}</span> : null}
    </div>
  );
}
