/**
 * Per-kind rules of the simple registers: allowed statuses, the data fields each kind takes, and when a
 * record counts as evidence (RECORD_EVIDENCE in records/record-evidence.rules.ts says for what).
 */
import { RegisterKind } from './governance.entity';
import type { Problem } from '../evidence/evidence.rules';

/** Management review inputs (ISO/IEC 27001 and 42001 9.3.2), in the hub's own words. */
export const REVIEW_INPUTS = [
  'status_of_previous_actions', 'changes_in_issues', 'changes_in_interested_party_needs', 'performance_and_trends',
  'interested_party_feedback', 'risk_assessment_and_treatment', 'improvement_opportunities',
] as const;

export const TREATMENTS = ['MITIGATE', 'ACCEPT', 'TRANSFER', 'AVOID'] as const;
export const CHANGE_TYPES = ['RETRAIN', 'NEW_DATA', 'NEW_MODEL_VERSION', 'CONFIG', 'DECOMMISSION'] as const;

export const STATUSES: Record<RegisterKind, readonly string[]> = {
  [RegisterKind.MANAGEMENT_REVIEW]: ['PLANNED', 'HELD'],
  [RegisterKind.RISK]: ['OPEN', 'TREATED', 'ACCEPTED', 'CLOSED'],
  [RegisterKind.CHANGE_REQUEST]: ['REQUESTED', 'APPROVED', 'REJECTED', 'DEPLOYED'],
  [RegisterKind.POLICY]: ['DRAFT', 'APPROVED', 'RETIRED'],
  [RegisterKind.OBJECTIVE]: ['ACTIVE', 'ACHIEVED', 'MISSED', 'CANCELLED'],
  [RegisterKind.MONITORING_METRIC]: ['ACTIVE', 'RETIRED'],
  [RegisterKind.IMPROVEMENT]: ['OPEN', 'DONE'],
};

const score = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 5;

/** Checks a record's status and data; field paths are relative to the input. */
export function validateRecord(kind: RegisterKind, status: string, data: Record<string, unknown>, aiSystemId: string | null): Problem[] {
  const p: Problem[] = [];
  if (!STATUSES[kind].includes(status)) p.push({ field: 'status', message: `status of a ${kind} must be one of ${STATUSES[kind].join(', ')}` });
  const str = (k: string) => data[k] === undefined || data[k] === null || typeof data[k] === 'string' || p.push({ field: `data.${k}`, message: `data.${k} must be text` });
  switch (kind) {
    case RegisterKind.MANAGEMENT_REVIEW: {
      const inputs = data.inputsCovered ?? [];
      if (!Array.isArray(inputs) || inputs.some((i) => !(REVIEW_INPUTS as readonly string[]).includes(i as string))) {
        p.push({ field: 'data.inputsCovered', message: `data.inputsCovered must list some of ${REVIEW_INPUTS.join(', ')}` });
      }
      str('decisions');
      break;
    }
    case RegisterKind.RISK:
      for (const k of ['likelihood', 'impact']) if (data[k] !== undefined && !score(data[k])) p.push({ field: `data.${k}`, message: `data.${k} must be an integer from 1 to 5` });
      for (const k of ['residualLikelihood', 'residualImpact']) if (data[k] !== undefined && data[k] !== null && !score(data[k])) p.push({ field: `data.${k}`, message: `data.${k} must be an integer from 1 to 5` });
      if (data.treatment !== undefined && data.treatment !== null && !(TREATMENTS as readonly string[]).includes(data.treatment as string)) {
        p.push({ field: 'data.treatment', message: `data.treatment must be one of ${TREATMENTS.join(', ')}` });
      }
      str('description'); str('source');
      break;
    case RegisterKind.CHANGE_REQUEST:
      if (!aiSystemId) p.push({ field: 'aiSystemId', message: 'a change request belongs to an AI system' });
      if (!(CHANGE_TYPES as readonly string[]).includes(data.type as string)) p.push({ field: 'data.type', message: `data.type must be one of ${CHANGE_TYPES.join(', ')}` });
      if (data.reassessmentRequired !== undefined && typeof data.reassessmentRequired !== 'boolean') p.push({ field: 'data.reassessmentRequired', message: 'data.reassessmentRequired must be true or false' });
      str('impact');
      break;
    case RegisterKind.POLICY:
      str('version'); str('approvedBy'); str('uri');
      break;
    case RegisterKind.OBJECTIVE:
      str('measure'); str('unit');
      if (data.target !== undefined && typeof data.target !== 'number') p.push({ field: 'data.target', message: 'data.target must be a number' });
      break;
    case RegisterKind.MONITORING_METRIC:
      if (!aiSystemId) p.push({ field: 'aiSystemId', message: 'a monitoring metric belongs to an AI system' });
      for (const k of ['min', 'max']) if (data[k] !== undefined && data[k] !== null && typeof data[k] !== 'number') p.push({ field: `data.${k}`, message: `data.${k} must be a number` });
      if (typeof data.min === 'number' && typeof data.max === 'number' && data.min > data.max) p.push({ field: 'data.min', message: 'data.min must not exceed data.max' });
      str('unit');
      break;
    case RegisterKind.IMPROVEMENT:
      str('description'); str('source');
      break;
  }
  return p;
}

/** Whether a record counts as evidence now, and its flags (see RECORD_EVIDENCE). */
export function recordCounts(kind: RegisterKind, status: string, data: Record<string, unknown>, measurements: number): { counts: boolean; flags: string[] } {
  switch (kind) {
    case RegisterKind.MANAGEMENT_REVIEW: {
      const inputs = new Set((data.inputsCovered as string[] | undefined) ?? []);
      return { counts: status === 'HELD', flags: REVIEW_INPUTS.every((i) => inputs.has(i)) ? ['allInputs'] : [] };
    }
    case RegisterKind.RISK:
      return { counts: score(data.likelihood) && score(data.impact) && status !== 'CLOSED', flags: data.treatment ? ['treated'] : [] };
    case RegisterKind.CHANGE_REQUEST:
      return { counts: status === 'APPROVED' || status === 'DEPLOYED', flags: [] };
    case RegisterKind.POLICY:
      return { counts: status === 'APPROVED', flags: [] };
    case RegisterKind.OBJECTIVE:
      return { counts: (status === 'ACTIVE' || status === 'ACHIEVED') && measurements > 0, flags: [] };
    case RegisterKind.MONITORING_METRIC:
      return { counts: status === 'ACTIVE' && measurements > 0, flags: [] };
    case RegisterKind.IMPROVEMENT:
      return { counts: status === 'DONE', flags: [] };
  }
}

/** Derived fields a kind keeps in its data: a risk's inherent and residual scores (likelihood x impact). */
export function derivedData(kind: RegisterKind, data: Record<string, unknown>): Record<string, unknown> {
  if (kind !== RegisterKind.RISK) return data;
  const product = (a: unknown, b: unknown) => (score(a) && score(b) ? (a as number) * (b as number) : null);
  return { ...data, inherentScore: product(data.likelihood, data.impact), residualScore: product(data.residualLikelihood, data.residualImpact) };
}

/** A measurement outside the metric's [min, max] is a breach. */
export function isBreach(data: Record<string, unknown>, value: number): boolean {
  return (typeof data.min === 'number' && value < data.min) || (typeof data.max === 'number' && value > data.max);
}
