import { ControlGraph1764201600000 } from './1764201600000-control-graph';
import { EvidenceCoverage1764288000000 } from './1764288000000-evidence-coverage';
import { AiManagementSystem1764374400000 } from './1764374400000-ai-management-system';
import { Trust1764460800000 } from './1764460800000-trust';
import { RowLevelSecurity1764547200000 } from './1764547200000-row-level-security';
import { AuditImages1764633600000 } from './1764633600000-audit-images';
import { EvidenceRollup1764720000000 } from './1764720000000-evidence-rollup';
import { Interchange1764806400000 } from './1764806400000-interchange';
import { LeastPrivilege1764892800000 } from './1764892800000-least-privilege';
import { TextLimits1764979200000 } from './1764979200000-text-limits';
import { ApplicabilitySql1765152000000 } from './1765152000000-applicability-sql';
import { EuAiActFacts1765238400000 } from './1765238400000-eu-ai-act-facts';
import { MappingVersions1765324800000 } from './1765324800000-mapping-versions';
import { TimeOrderedIds1765411200000 } from './1765411200000-time-ordered-ids';
import { Events1765497600000 } from './1765497600000-events';
import { Webhooks1765584000000 } from './1765584000000-webhooks';
import { DutyEvents1765756800000 } from './1765756800000-duty-events';
import { EventWritePath1765670400000 } from './1765670400000-event-write-path';
import { CitusKeys1765843200000 } from './1765843200000-citus-keys';
import { SharedState1765929600000 } from './1765929600000-shared-state';
import { RequestGate1766016000000 } from './1766016000000-request-gate';
import { SoaImport1766102400000 } from './1766102400000-soa-import';

/** Every migration, in order. Listed explicitly so ts-jest and the built server load the same set. */
export const migrations = [ControlGraph1764201600000, EvidenceCoverage1764288000000, AiManagementSystem1764374400000, Trust1764460800000, RowLevelSecurity1764547200000, AuditImages1764633600000, EvidenceRollup1764720000000, Interchange1764806400000, LeastPrivilege1764892800000, TextLimits1764979200000, ApplicabilitySql1765152000000, EuAiActFacts1765238400000, MappingVersions1765324800000, TimeOrderedIds1765411200000, Events1765497600000, Webhooks1765584000000, EventWritePath1765670400000, DutyEvents1765756800000, CitusKeys1765843200000, SharedState1765929600000, RequestGate1766016000000, SoaImport1766102400000];
