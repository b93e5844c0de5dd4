import { Arg, Authorized, Ctx, Field, ID, InputType, Int, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import type { HubContext } from '../../graphql/context';
import { badInput } from '../../graphql/errors';
import { CATALOG } from '../auth/role';
import { ConsistencyKind, ConsistencyRow, ConsistencySeverity, NodeStatus, checkConsistency } from './mapping-consistency.rules';
import { Qualifier } from './mapping-qualifier.rules';
import { Relationship } from './mapping.enums';

export enum ConsistencyConditions {
  NONE = 'NONE',
  ALL = 'ALL',
  BOTH = 'BOTH',
}

const MODES = { NONE: 'none', ALL: 'all', BOTH: 'both' } as const;

registerEnumType(ConsistencyKind, {
  name: 'ConsistencyKind',
  description: 'What kind of contradiction a finding is.',
  valuesConfig: {
    RELATIONSHIP_CONFLICT: { description: 'Two sets relate the same pair, in the same direction, differently.' },
    INVERSE_CONFLICT: { description: 'A pair and its inverse disagree once read from the same side.' },
    CYCLE_CONTRADICTION: { description: 'EQUAL rows join requirements that other rows say differ, or a chain of strict containments returns to its start.' },
    DROPPED_NODE: { description: 'A row names a requirement the latest version of its framework no longer has.' },
  },
});
registerEnumType(ConsistencySeverity, {
  name: 'ConsistencySeverity',
  description: 'How bad a finding is.',
  valuesConfig: {
    CONTRADICTION: { description: 'The rows cannot all be true.' },
    WARNING: { description: 'Worth a reviewer\'s look (strengths far apart, two requirements of one framework made equal, a dropped node).' },
  },
});
registerEnumType(ConsistencyConditions, {
  name: 'ConsistencyConditions',
  description: 'Which relationships to check: as stored, with every qualifier in force, or both.',
  valuesConfig: {
    NONE: { description: 'The stored relationships.' },
    ALL: { description: 'Every qualifier in force (each qualified row reads its first qualifier).' },
    BOTH: { description: 'Both readings; a finding only in the second says so (underConditions).' },
  },
});

@InputType({ description: 'Two frameworks whose mappings to check (either direction).' })
export class FrameworkPairInput {
  @Field({ description: 'A framework key.' })
  a: string;

  @Field({ description: 'The other framework key.' })
  b: string;
}

@ObjectType({ description: 'One contradiction or warning in the mapping graph.' })
export class ConsistencyFinding {
  @Field(() => ConsistencyKind, { description: 'What kind of finding.' }) kind: ConsistencyKind;
  @Field(() => ConsistencySeverity, { description: 'CONTRADICTION or WARNING.' }) severity: ConsistencySeverity;
  @Field({ description: 'What is wrong, naming refs, sets and versions.' }) message: string;
  @Field(() => [ID], { description: 'The mapping rows involved.' }) mappingIds: string[];
  @Field(() => [String], { description: 'The mapping sets involved.' }) setKeys: string[];
  @Field(() => [String], { description: 'The requirements involved, as "framework:ref".' }) refs: string[];
  @Field({ description: 'True when it appears only with qualifiers in force.' }) underConditions: boolean;
}

@ObjectType({ description: 'Result of mappingConsistency.' })
export class MappingConsistencyReport {
  @Field(() => Int, { description: 'Mapping rows checked.' }) rowsChecked: number;
  @Field(() => Int, { description: 'Findings of severity CONTRADICTION.' }) contradictions: number;
  @Field(() => Int, { description: 'Findings of severity WARNING.' }) warnings: number;
  @Field(() => [ConsistencyFinding], { description: 'Every finding, by kind then refs.' }) findings: ConsistencyFinding[];
}

@Resolver()
export class MappingConsistencyResolver {
  @Authorized(...CATALOG)
  @Query(() => MappingConsistencyReport, {
    description:
      'Contradictions in the mapping graph the organization reads (or in the set versions named): pairs two sets relate differently, ' +
      'pairs whose inverse disagrees, EQUAL chains that contradict other rows or containment cycles, rows on requirements a newer framework version dropped.',
  })
  async mappingConsistency(
    @Ctx() ctx: HubContext,
    @Arg('pairs', () => [FrameworkPairInput], { nullable: true, description: 'Only mappings between these framework pairs; all when omitted.' }) pairs?: FrameworkPairInput[] | null,
    @Arg('sets', () => [ID], { nullable: true, description: 'Check these set versions (any visible ones, e.g. v1 against v2) instead of the graph in force.' }) sets?: string[] | null,
    @Arg('conditions', () => ConsistencyConditions, { defaultValue: ConsistencyConditions.BOTH, description: 'Stored relationships, every qualifier in force, or both.' }) conditions?: ConsistencyConditions,
  ): Promise<MappingConsistencyReport> {
    if (sets && (!sets.length || sets.length > 50)) throw badInput('sets', 'sets must name 1 to 50 mapping set versions');
    if (pairs && (!pairs.length || pairs.length > 20)) throw badInput('pairs', 'pairs must name 1 to 20 framework pairs');
    const sourceIds = sets ?? (await ctx.graph()).sourceIds;
    const raw: Record<string, unknown>[] = await ctx.services.mapping.consistencyRows(sourceIds);
    const wanted = pairs ? new Set(pairs.flatMap((p) => [`${p.a}\u0000${p.b}`, `${p.b}\u0000${p.a}`])) : null;
    const rows: ConsistencyRow[] = raw
      .filter((r) => !wanted || wanted.has(`${r.sf}\u0000${r.tf}`))
      .map((r) => ({
        mappingId: r.id as string, setId: r.set_id as string, setKey: r.set_key as string, setVersion: Number(r.set_version),
        sourceId: r.s as string, sourceFramework: r.sf as string, sourceRef: r.s_ref as string,
        targetId: r.t as string, targetFramework: r.tf as string, targetRef: r.t_ref as string,
        relationship: r.relationship as Relationship, strength: r.strength === null ? null : Number(r.strength),
        qualifiers: (r.qualifiers as Qualifier[]).map((q) => ({ when: q.when, process: q.process, relationship: q.relationship, strength: q.strength })),
      }));
    const nodes = new Map<string, NodeStatus>();
    for (const r of raw) {
      for (const side of ['s', 't'] as const) {
        nodes.set(r[side] as string, {
          id: r[side] as string, frameworkKey: r[`${side}f`] as string, frameworkVersion: r[`${side}_version`] as string, ref: r[`${side}_ref`] as string,
          inLatest: r[`${side}_in_latest`] as boolean, latestVersion: r[`${side}_latest`] as string,
        });
      }
    }
    const findings = checkConsistency(rows, nodes, { conditions: MODES[conditions ?? ConsistencyConditions.BOTH] });
    return Object.assign(new MappingConsistencyReport(), {
      rowsChecked: rows.length,
      contradictions: findings.filter((f) => f.severity === ConsistencySeverity.CONTRADICTION).length,
      warnings: findings.filter((f) => f.severity === ConsistencySeverity.WARNING).length,
      findings: findings.map((f) => Object.assign(new ConsistencyFinding(), f)),
    });
  }
}
