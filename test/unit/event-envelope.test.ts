import { envelopeOf } from '../../src/modules/events/event-envelope';
import type { HubEventRow } from '../../src/modules/events/event-runtime';

const row = (data: Record<string, unknown>): HubEventRow => ({
  id: '01900000-0000-7000-8000-000000000001', organization_id: 'o', type: 'evidence.linked', key: 'evidence:e', framework_id: null,
  requirement_id: null, evidence_id: 'e', ai_system_id: null, data, occurred_at: new Date('2026-03-01T00:00:00Z'), position: '7', published_at: null,
} as unknown as HubEventRow);

describe('envelopeOf', () => {
  it('turns stored link columns into one object per link, in the columns\' order, with the evidence on each', () => {
    const e = envelopeOf(row({
      evidenceId: 'e',
      linkColumns: {
        id: ['l1', 'l2'], requirementId: ['r1', 'r2'], requirementRef: ['5.1', 'A.5.1'], frameworkKey: ['iso27001', 'iso42001'],
        coverage: ['FULL', 'PARTIAL'], origin: ['DIRECT', 'DIRECT'], linkedAt: ['2026-03-01T00:00:00+00:00', '2026-03-01T00:00:00+00:00'], unlinkedAt: [null, null],
      },
    }));
    expect(e.data).toEqual({
      evidenceId: 'e',
      links: [
        { id: 'l1', evidenceId: 'e', requirementId: 'r1', requirementRef: '5.1', frameworkKey: 'iso27001', coverage: 'FULL', origin: 'DIRECT', linkedAt: '2026-03-01T00:00:00+00:00', unlinkedAt: null },
        { id: 'l2', evidenceId: 'e', requirementId: 'r2', requirementRef: 'A.5.1', frameworkKey: 'iso42001', coverage: 'PARTIAL', origin: 'DIRECT', linkedAt: '2026-03-01T00:00:00+00:00', unlinkedAt: null },
      ],
    });
    expect([e.position, e.occurredAt]).toEqual([7, '2026-03-01T00:00:00.000Z']);
  });

  it('passes links written as objects (before the columns) and other data through unchanged', () => {
    const links = [{ id: 'l1', evidenceId: 'e', requirementId: 'r1' }];
    expect(envelopeOf(row({ evidenceId: 'e', links })).data).toEqual({ evidenceId: 'e', links });
    expect(envelopeOf(row({ evidence: { id: 'e' } })).data).toEqual({ evidence: { id: 'e' } });
  });
});
