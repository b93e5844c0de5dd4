import type { ReactNode } from 'react';
import { errorText } from '../api';
import { REACH_INFO, STATUS_INFO, type Reach, type Status } from '../status';

export function StatusBadge({ status }: { status: Status }) {
  const s = STATUS_INFO[status];
  return (
    <span className="badge" style={{ color: s.fg, background: s.bg }} title={s.hint} data-status={status}>
      {s.label}
    </span>
  );
}

/** FULL / PARTIAL / NONE in words, coloured like the status it leads to. */
export function ReachBadge({ reach }: { reach: Reach }) {
  const s = STATUS_INFO[REACH_INFO[reach].like];
  return (
    <span className="badge" style={{ color: s.fg, background: s.bg }} data-reach={reach}>
      {REACH_INFO[reach].label}
    </span>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  return (
    <div className="error" role="alert">
      {errorText(error)}
    </div>
  );
}

export function Card({ title, children, actions, id }: { title: ReactNode; children: ReactNode; actions?: ReactNode; id?: string }) {
  return (
    <section className="card" aria-labelledby={id}>
      <header className="card-head">
        <h2 id={id}>{title}</h2>
        {actions ? <div className="card-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export function Button({ onClick, children, kind = 'secondary', disabled, label }: { onClick: () => void; children: ReactNode; kind?: 'primary' | 'secondary' | 'danger'; disabled?: boolean; label?: string }) {
  return (
    <button type="button" className={`btn btn-${kind}`} onClick={onClick} disabled={disabled} aria-label={label}>
      {children}
    </button>
  );
}

/** A requirement or group as "ref title", the ref in the code face. */
export function RefTitle({ node }: { node: { ref: string; title: string } }) {
  return (
    <>
      <span className="ref">{node.ref}</span> {node.title}
    </>
  );
}

/** A table's column headers. */
export function THead({ cols }: { cols: readonly ReactNode[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c, i) => (
          <th key={i} scope="col">
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** A table with its column headers in a scrolling wrapper, or a sentence saying why it has no rows. */
export function TableOr({ className, cols, rows, empty }: { className: string; cols: readonly ReactNode[]; rows: ReactNode[]; empty: ReactNode }) {
  if (!rows.length) return <p className="muted">{empty}</p>;
  return (
    <div className="table-wrap">
      <table className={className}>
        <THead cols={cols} />
        <tbody>{rows}</tbody>
      </table>
    </div>
  );
}
