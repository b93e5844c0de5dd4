import type { EntityManager } from 'typeorm';
import { EvidenceService } from '../evidence/evidence.service';
import { EvidenceKind, EvidenceStatus } from '../evidence/evidence.enums';
import type { NormalizedEvidence } from '../evidence/evidence.rules';
import { RECORD_EVIDENCE, RecordKind, recordLinks } from './record-evidence.rules';

export interface RecordState {
  kind: RecordKind;
  recordId: string;
  aiSystemId: string | null;
  title: string;
  /** Whether the record counts now (see RECORD_EVIDENCE[kind].counts). */
  counts: boolean;
  effectiveAt: Date;
  validUntil: Date | null;
  flags?: string[];
}

const ONE_YEAR_MS = 365 * 86_400_000;
export const oneYearAfter = (d: Date) => new Date(d.getTime() + ONE_YEAR_MS);
export const threeMonthsAfter = (d: Date) => {
  const x = new Date(d.getTime());
  x.setUTCMonth(x.getUTCMonth() + 3);
  return x;
};

/**
 * Keeps the evidence that stands for register records in step with them, in the caller's transaction:
 * a record that counts is accepted evidence linked per RECORD_EVIDENCE; one that stops counting has
 * its links ended (history kept), and one that never counted writes nothing.
 */
export class RecordEvidenceService {
  constructor(private readonly evidence: EvidenceService) {}

  async sync(em: EntityManager, org: string, actor: string, records: RecordState[]): Promise<void> {
    if (!records.length) return;
    const externalId = (r: RecordState) => `${r.kind}:${r.recordId}`;
    const silent = records.filter((r) => !r.counts);
    const existing = new Set<string>(
      silent.length
        ? (await em.query(`SELECT external_id FROM evidence WHERE organization_id = $1 AND source_system = 'hub' AND external_id = ANY($2::text[])`, [org, silent.map(externalId)]))
            .map((x: { external_id: string }) => x.external_id)
        : [],
    );
    const items: NormalizedEvidence[] = records
      .filter((r) => r.counts || existing.has(externalId(r)))
      .map((r) => ({
        sourceSystem: 'hub',
        externalId: externalId(r),
        title: r.title,
        description: `Register record (${r.kind}). Counts when: ${RECORD_EVIDENCE[r.kind].counts}.`,
        kind: EvidenceKind.RECORD,
        uri: `hub://${r.kind.toLowerCase().replace(/_/g, '-')}/${r.recordId}`,
        contentSha256: null,
        effectiveAt: r.effectiveAt,
        validUntil: r.validUntil && r.validUntil.getTime() > r.effectiveAt.getTime() ? r.validUntil : r.validUntil ? new Date(r.effectiveAt.getTime() + 1000) : null,
        reviewCadence: null,
        status: EvidenceStatus.ACCEPTED,
        owner: null,
        links: r.counts ? recordLinks(r.kind, new Set(r.flags ?? [])).map((l) => ({ ...l, note: null })) : [],
        aiSystemId: r.aiSystemId,
        recordType: r.kind,
        recordId: r.recordId,
      }));
    await this.evidence.upsertRecords(em, org, actor, items);
  }
}
