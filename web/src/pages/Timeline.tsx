import { Link } from 'wouter';
import { StatusBadge } from '../components/ui';
import type { Status } from '../status';

export interface Duty {
  applicability: string;
  bindingFrom: string | null;
  status: string;
  requirement: { id: string; ref: string; title: string };
}

const DAY = 86_400_000;
const time = (d: string) => Date.parse(`${d}T00:00:00Z`);

/**
 * EU AI Act duties on a horizontal date axis: an ordered list of dates, earliest first, each with its
 * duties. The axis only places the dates for the eye (numbered markers, and today); the list carries
 * everything, so a screen reader reads dates and duties in order and the keyboard reaches every link.
 */
export function Timeline({ duties, today }: { duties: Duty[]; today: string }) {
  const byDate = new Map<string, Duty[]>();
  for (const d of duties) byDate.set(d.bindingFrom!, [...(byDate.get(d.bindingFrom!) ?? []), d]);
  const dates = [...byDate.keys()].sort();
  const lo = Math.min(time(dates[0]), time(today));
  const hi = Math.max(time(dates[dates.length - 1]), time(today));
  // A little room at both ends so the first and last markers are not cut.
  const span = Math.max(hi - lo, 30 * DAY);
  const at = (d: string) => `${(4 + (92 * (time(d) - lo)) / span).toFixed(2)}%`;
  return (
    <div className="timeline" data-testid="timeline">
      <div className="axis" aria-hidden="true">
        <span className="axis-line" />
        <span className="axis-today" style={{ left: at(today) }}>
          today
        </span>
        {dates.map((d, i) => (
          <span key={d} className={time(d) <= time(today) ? 'axis-mark past' : 'axis-mark future'} style={{ left: at(d) }} title={d}>
            {i + 1}
          </span>
        ))}
        <span className="axis-end start">{dates[0] < today ? dates[0].slice(0, 4) : today.slice(0, 4)}</span>
        <span className="axis-end end">{dates[dates.length - 1] > today ? dates[dates.length - 1].slice(0, 4) : today.slice(0, 4)}</span>
      </div>
      <ol className="timeline-dates">
        {dates.map((d, i) => {
          const past = d <= today;
          return (
            <li key={d} data-date={d} className={past ? 'past' : 'future'}>
              <h3>
                <span className="axis-mark inline" aria-hidden="true">
                  {i + 1}
                </span>{' '}
                {past ? 'Binding since' : 'Binds from'} <time dateTime={d}>{d}</time> <span className="muted">({byDate.get(d)!.length})</span>
              </h3>
              <ul>
                {byDate.get(d)!.map((o) => (
                  <li key={o.requirement.id} data-ref={o.requirement.ref} data-applicability={o.applicability}>
                    <Link href={`/frameworks/eu-ai-act/requirements/${encodeURIComponent(o.requirement.ref)}`} className="ref">
                      {o.requirement.ref}
                    </Link>{' '}
                    {o.requirement.title} <StatusBadge status={o.status as Status} />
                  </li>
                ))}
              </ul>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
