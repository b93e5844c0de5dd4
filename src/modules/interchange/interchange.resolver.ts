import { Arg, Authorized, Ctx, Field, InputType, Int, Mutation, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { DateTime } from '../../graphql/scalars';
import type { HubContext } from '../../graphql/context';
import { badInput } from '../../graphql/errors';
import { EDIT, REPORT } from '../auth/role';
import { Framework } from '../framework/framework.entity';
import { MappingMethod, MappingStatus } from '../mapping/mapping.enums';
import { MappingSetHeader } from '../mapping/mapping-set.input';
import { DEFAULT_COVERAGE_DEPTH } from '../coverage/coverage.args';
import { FrameworkImportFormat, MappingImportFormat } from './interchange.service';

export enum OscalExportKind {
  CATALOG = 'CATALOG',
  MAPPING = 'MAPPING',
  ASSESSMENT_RESULTS = 'ASSESSMENT_RESULTS',
}
registerEnumType(OscalExportKind, {
  name: 'OscalExportKind',
  description: 'Which OSCAL 1.2 document to export.',
  valuesConfig: {
    CATALOG: { description: 'A framework as an OSCAL catalog (argument framework).' },
    MAPPING: { description: 'The mapping sets between two frameworks as an OSCAL mapping-collection (arguments source, target).' },
    ASSESSMENT_RESULTS: { description: 'The organization\'s coverage of a framework as OSCAL assessment results (arguments framework, asOf).' },
  },
});
registerEnumType(FrameworkImportFormat, {
  name: 'FrameworkImportFormat',
  description: 'Format of an imported framework.',
  valuesConfig: {
    OSCAL_CATALOG: { description: 'An OSCAL 1.x catalog, JSON; checked against the OSCAL 1.2.2 schema.' },
    OSCAL_PROFILE: { description: 'An OSCAL 1.x profile, JSON, resolved against a framework the hub holds (imports by href ending in <key>.json; include-all, include-controls, exclude-controls; modify is refused).' },
    CSV: { description: 'CSV with the header ref,title,parent_ref,kind,assessable,description (ref and title required).' },
  },
});
registerEnumType(MappingImportFormat, {
  name: 'MappingImportFormat',
  description: 'Format of imported mappings.',
  valuesConfig: {
    OSCAL_MAPPING: { description: 'An OSCAL 1.2 mapping-collection, JSON; checked against the OSCAL 1.2.2 schema.' },
    CSV: { description: 'CSV with the header source_framework,source_ref,relationship,target_framework,target_ref,strength,rationale,note.' },
  },
});

@InputType({ description: 'An organization\'s own framework: an internal control set, a customer\'s schedule, another catalog.' })
export class ImportFrameworkInput {
  @Field(() => FrameworkImportFormat, { description: 'Format of `document`.' })
  format: FrameworkImportFormat;

  @Field({ description: 'The document itself: OSCAL catalog JSON, or CSV text with a header line.' })
  document: string;

  @Field({ description: 'Key: lower-case letters, digits and dashes; not a shared framework\'s key.' })
  key: string;

  @Field({ description: 'Version. The same version and document again changes nothing; a changed document needs a new version.' })
  version: string;

  @Field({ description: 'Name shown for the framework.' })
  name: string;

  @Field({ defaultValue: false, description: 'Check and report what would be created, write nothing.' })
  dryRun: boolean;
}

@ObjectType({ description: 'A requirement as read from an imported document.' })
export class ImportedRequirementRow {
  @Field({ description: 'Ref: the OSCAL label (the plain one where a catalog gives several, e.g. AC-1 over zero-padded AC-01), else the control or group id; the CSV ref column.' })
  ref: string;

  @Field({ description: 'Title.' })
  title: string;

  @Field({ description: 'Kind (control, group, clause, ...).' })
  kind: string;

  @Field({ description: 'Whether coverage is assessed on it.' })
  assessable: boolean;

  @Field(() => String, { nullable: true, description: 'Ref of the parent; null at the top.' })
  parentRef: string | null;
}

@ObjectType({ description: 'What importFramework did, or (dryRun) would do.' })
export class ImportFrameworkPayload {
  @Field(() => Framework, { nullable: true, description: 'The framework; null on a dry run of a new version.' })
  framework: Framework | null;

  @Field({ description: 'True when this call created the framework.' })
  created: boolean;

  @Field({ description: 'True when the same key, version and document were imported before: nothing changed.' })
  unchanged: boolean;

  @Field({ description: 'True when nothing was written on purpose.' })
  dryRun: boolean;

  @Field(() => Int, { description: 'Requirements in the document.' })
  requirementCount: number;

  @Field(() => Int, { description: 'Of them, assessable.' })
  assessableCount: number;

  @Field(() => [ImportedRequirementRow], { description: 'The requirements, in document order.' })
  requirements: ImportedRequirementRow[];
}

@InputType({ description: 'Provenance of imported mappings: who made them, how, how mature. With several framework pairs the sets are keyed key-<source>-to-<target>.' })
export class MappingProvenanceInput extends MappingSetHeader {
  @Field(() => MappingMethod, { nullable: true, description: 'How it was produced; OSCAL documents give their own, else HUMAN.' })
  method?: MappingMethod | null;

  @Field(() => MappingStatus, { nullable: true, description: 'Maturity; OSCAL documents give their own, else DRAFT.' })
  status?: MappingStatus | null;
}

@InputType({ description: 'Mappings between frameworks the organization can see.' })
export class ImportMappingsInput {
  @Field(() => MappingImportFormat, { description: 'Format of `document`.' })
  format: MappingImportFormat;

  @Field({ description: 'The document itself.' })
  document: string;

  @Field(() => MappingProvenanceInput, { description: 'Provenance of the sets created.' })
  provenance: MappingProvenanceInput;

  @Field({ defaultValue: false, description: 'Check and report what would be created, write nothing.' })
  dryRun: boolean;
}

@ObjectType({ description: 'One mapping set importMappings created (or would create).' })
export class ImportedMappingSet {
  @Field({ description: 'Key of the mapping set.' })
  key: string;

  @Field({ description: 'Key of its source framework.' })
  sourceFramework: string;

  @Field({ description: 'Key of its target framework.' })
  targetFramework: string;

  @Field(() => Int, { description: 'Mappings in it.' })
  mappingCount: number;
}

@ObjectType({ description: 'What importMappings did, or (dryRun) would do.' })
export class ImportMappingsPayload {
  @Field({ description: 'True when nothing was written on purpose.' })
  dryRun: boolean;

  @Field(() => Int, { description: 'Mappings in all sets.' })
  mappingCount: number;

  @Field(() => [ImportedMappingSet], { description: 'One set per (source, target) framework pair of the document.' })
  sets: ImportedMappingSet[];
}

@Resolver()
export class InterchangeResolver {
  @Authorized(...EDIT)
  @Mutation(() => ImportFrameworkPayload, {
    description: 'Imports an organization\'s own framework (OSCAL catalog or CSV), private to it. Every problem of the document is reported (BAD_USER_INPUT, extensions.problems with path or line) and nothing is written if there is any.',
  })
  async importFramework(@Ctx() ctx: HubContext, @Arg('input', () => ImportFrameworkInput, { description: 'The document.' }) input: ImportFrameworkInput): Promise<ImportFrameworkPayload> {
    const r = await ctx.services.interchange.importFramework(ctx.organizationId, input);
    return Object.assign(new ImportFrameworkPayload(), {
      framework: r.framework,
      created: r.created,
      unchanged: !r.created && r.framework !== null,
      dryRun: input.dryRun,
      requirementCount: r.rows.length,
      assessableCount: r.rows.filter((x) => x.assessable).length,
      requirements: r.rows.map((x) => Object.assign(new ImportedRequirementRow(), { ref: x.ref, title: x.title, kind: x.kind, assessable: x.assessable, parentRef: x.parentRef })),
    });
  }

  @Authorized(...EDIT)
  @Mutation(() => ImportMappingsPayload, {
    description: 'Imports mappings (OSCAL mapping collection or CSV) as the organization\'s own mapping sets, one per framework pair; coverage follows them at once. All or nothing.',
  })
  async importMappings(@Ctx() ctx: HubContext, @Arg('input', () => ImportMappingsInput, { description: 'The document and its provenance.' }) input: ImportMappingsInput): Promise<ImportMappingsPayload> {
    const r = await ctx.services.interchange.importMappings(ctx.organizationId, input);
    const sets = r.sets.map((s) => Object.assign(new ImportedMappingSet(), { key: s.key, sourceFramework: s.sourceFramework, targetFramework: s.targetFramework, mappingCount: s.mappings.length }));
    return Object.assign(new ImportMappingsPayload(), { dryRun: input.dryRun, mappingCount: sets.reduce((a, s) => a + s.mappingCount, 0), sets });
  }

  @Authorized(...REPORT)
  @Query(() => GraphQLJSONObject, {
    description: 'An OSCAL 1.2 document as JSON: CATALOG (framework), MAPPING (source, target) or ASSESSMENT_RESULTS (framework, asOf). The same documents as GET /export/oscal/...',
  })
  async exportOscal(
    @Ctx() ctx: HubContext,
    @Arg('kind', () => OscalExportKind, { description: 'Which document.' }) kind: OscalExportKind,
    @Arg('framework', () => String, { nullable: true, description: 'Framework key (CATALOG, ASSESSMENT_RESULTS).' }) framework: string | null,
    @Arg('source', () => String, { nullable: true, description: 'Source framework key (MAPPING).' }) source: string | null,
    @Arg('target', () => String, { nullable: true, description: 'Target framework key (MAPPING).' }) target: string | null,
    @Arg('asOf', () => DateTime, { nullable: true, description: 'Point in time of the assessment results; now when omitted.' }) asOf: Date | null,
  ): Promise<Record<string, unknown>> {
    const x = ctx.services.interchange;
    if (kind === OscalExportKind.MAPPING) {
      if (!source) throw badInput('source', 'source is required for MAPPING');
      if (!target) throw badInput('target', 'target is required for MAPPING');
      return x.exportMappings(ctx.organizationId, source, target);
    }
    if (!framework) throw badInput('framework', `framework is required for ${kind}`);
    if (kind === OscalExportKind.CATALOG) return x.exportCatalog(framework);
    return x.exportAssessmentResults(
      { organizationId: ctx.organizationId, asOf: asOf ?? new Date(), maxDepth: DEFAULT_COVERAGE_DEPTH, graph: await ctx.graph(asOf ?? undefined) },
      framework,
    );
  }
}
