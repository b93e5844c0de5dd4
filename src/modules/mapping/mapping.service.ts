import { DataSource, In, IsNull, Repository } from 'typeorm';
import { MappingSource } from './mapping-source.entity';
import { MappingEdge, MappingPath, MappingRow } from './mapping-edge.type';
import { MappingDirection, Relationship } from './mapping.enums';
import { Hop, enumeratePaths, isTraversable, readFrom } from './mapping-path.rules';
import { MappingMatrix, MappingMatrixCell, MappingMatrixRow, RelationshipCounts } from './mapping-matrix.type';
import type { Framework } from '../framework/framework.entity';
import { LIGHT_COLUMNS, RequirementService, refKey } from '../framework/requirement.service';
import { Requirement } from '../framework/requirement.entity';
import { inTransaction } from '../../database/transaction';
import { hydrate } from '../../database/hydrate';
import { prepared } from '../../database/prepared';
import { Keyset, keysetPage, keysetSql } from '../../graphql/connection.type';
import { ErrorCode, HubError, badInput } from '../../graphql/errors';
import { DEFAULT_GRAPH_ID, MappingGraph, MappingGraphService } from './mapping-graph.service';
import { Qualifier, parseQualifier, relationshipInForce } from './mapping-qualifier.rules';

/** OSCAL 1.2 qualifier-item vocabularies. */
const QUALIFIER_SUBJECTS = ['source', 'target', 'both'];
const QUALIFIER_PREDICATES = ['has-requirement', 'has-incompatibility'];
const QUALIFIER_CATEGORIES = ['restricted', 'addressable', 'blocked'];
import { CreateMappingSetInput, MAX_MAPPINGS_PER_SET } from './mapping-set.input';
import { sha256 } from '../catalog/catalog.transform';
import { uriProblem } from '../../graphql/input-bounds';

/** Inverse reading in SQL; must agree with inverse() in mapping-path.rules.ts (tested). */
const INVERSE_SQL = `CASE m.relationship WHEN 'SUBSET_OF' THEN 'SUPERSET_OF' WHEN 'SUPERSET_OF' THEN 'SUBSET_OF' ELSE m.relationship END`;

/** relationshipInForce() in SQL for mapping alias m, given a text[] of condition keys; must agree with it (tested through mappingMatrix). */
const IN_FORCE_SQL = (conditions: string) => `coalesce((
    SELECT q->>'relationship' FROM jsonb_array_elements(m.qualifiers) WITH ORDINALITY AS x(q, n)
    WHERE q->>'when' = ANY(${conditions}) OR (q->>'when') || ':' || (q->>'process') = ANY(${conditions})
    ORDER BY x.n LIMIT 1), m.relationship)`;

/**
 * Which graph's mappings to read: a graph already looked up, or the organization's current one, looked up
 * inside the same statement (so reading mappings costs no statement of its own).
 */
export type GraphRef = MappingGraph | { current: string };

/** A CTE g (source_ids, conditions) of the graph, and the parameter it takes ($1). */
function graphCte(ref: GraphRef, name = 'g'): { cte: string; param: unknown } {
  if ('current' in ref) {
    return {
      cte: `${name} AS (SELECT source_ids, conditions FROM mapping_graph
                 WHERE id = '${DEFAULT_GRAPH_ID}' OR (organization_id = $1::uuid AND valid_from <= now() AND (valid_to IS NULL OR valid_to > now()))
                 ORDER BY organization_id NULLS LAST LIMIT 1)`,
      param: ref.current,
    };
  }
  return { cte: `${name} AS (SELECT $1::uuid[] AS source_ids, $G::text[] AS conditions)`, param: ref.sourceIds };
}

/**
 * The framework and position of one end of a mapping, looked up by primary key per row. OFFSET 0 keeps it a
 * subquery of its own, and the framework's key is a scalar subquery: joined flat, the two requirement and
 * two framework tables made a five-way join whose planning (under row-level security) cost more than
 * running it, and hashed every requirement to find a few hundred.
 */
const END_OF_MAPPING = (id: string, light: boolean) =>
  `SELECT r.framework_id, r.position, (SELECT f.key FROM framework f WHERE f.id = r.framework_id) AS key${light ? `, ${END_LIGHT_COLUMNS.map((c) => `r.${c}`).join(', ')}` : ''} FROM requirement r WHERE r.id = ${id} OFFSET 0`;

/** The light columns of a requirement (LIGHT_COLUMNS) an end adds to what it reads anyway, for edgesFor's `counterparts`. */
const END_LIGHT_COLUMNS = LIGHT_COLUMNS.filter((c) => c !== 'id' && c !== 'framework_id' && c !== 'position');

/**
 * The end of each row that is not one of the requirements asked for ($2), as a light requirement (columns
 * prefixed `c_`, hydrate's alias); the source end when both were asked for is the caller's own. Which end
 * that is (x.from_source) is asked once per row, of a hashed set: `= ANY($2)` compares with every element
 * in turn once the statement runs on a generic plan (prepared), which for a page of 138 requirements cost
 * about as much as the rest of the statement.
 */
const COUNTERPART_SELECT = [
  `CASE WHEN x.from_source THEN m.target_requirement_id ELSE m.source_requirement_id END AS c_id`,
  ...['framework_id', 'position', ...END_LIGHT_COLUMNS].map((c) => `CASE WHEN x.from_source THEN t.${c} ELSE s.${c} END AS c_${c}`),
].join(', ');

/** The only code that queries the mapping and mapping_source tables. */
export class MappingService {
  private readonly sources: Repository<MappingSource>;

  constructor(
    private readonly ds: DataSource,
    private readonly requirements: RequirementService,
    private readonly graphs: MappingGraphService,
  ) {
    this.sources = ds.getRepository(MappingSource);
  }

  /**
   * Stores an organization's own mapping set after checking every row (all problems reported at once,
   * nothing written if any), then rebuilds that organization's closure in the same transaction.
   */
  async createSet(org: string, input: CreateMappingSetInput, actor: string): Promise<{ source: MappingSource; count: number }> {
    return (await this.createSets(org, [input], (_i, field) => field, false, actor))[0];
  }

  /**
   * Several sets at once, all or nothing: every set checked first, then one transaction and one
   * closure rebuild. `field` names a problem's place (createSet: the input field; imports: the line).
   */
  async createSets(
    org: string,
    inputs: readonly CreateMappingSetInput[],
    field: (set: number, field: string, row: number | null) => string,
    dryRun = false,
    actor = 'organization',
  ): Promise<{ source: MappingSource; count: number }[]> {
    const problems: { field: string; message: string }[] = [];
    const keys = new Set<string>();
    const pairs = inputs.flatMap((input) => [
      ...input.mappings.map((m) => ({ framework: input.sourceFramework, ref: m.sourceRef })),
      ...input.mappings.map((m) => ({ framework: input.targetFramework, ref: m.targetRef })),
    ]);
    const resolved = await this.requirements.resolveRefs(pairs);
    inputs.forEach((input, n) => {
      const key = input.key?.trim() ?? '';
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(key)) problems.push({ field: field(n, 'key', null), message: 'key must be 1-63 lower-case letters, digits or dashes' });
      if (keys.has(key)) problems.push({ field: field(n, 'key', null), message: `key "${key}" is used twice` });
      keys.add(key);
      if (!input.name?.trim()) problems.push({ field: field(n, 'name', null), message: 'name must not be empty' });
      const badUrl = input.url ? uriProblem(field(n, 'url', null), input.url) : null;
      if (badUrl) problems.push({ field: field(n, 'url', null), message: badUrl });
      if (!input.mappings.length || input.mappings.length > MAX_MAPPINGS_PER_SET) {
        problems.push({ field: field(n, 'mappings', null), message: `mappings must hold 1 to ${MAX_MAPPINGS_PER_SET} rows, got ${input.mappings.length}` });
      }
      const seen = new Map<string, number>();
      input.mappings.forEach((m, i) => {
        const s = resolved.get(refKey(input.sourceFramework, m.sourceRef));
        const t = resolved.get(refKey(input.targetFramework, m.targetRef));
        if (!s) problems.push({ field: field(n, `mappings[${i}].sourceRef`, i), message: `unknown requirement "${m.sourceRef}" in framework "${input.sourceFramework}"` });
        if (!t) problems.push({ field: field(n, `mappings[${i}].targetRef`, i), message: `unknown requirement "${m.targetRef}" in framework "${input.targetFramework}"` });
        if (m.strength !== null && m.strength !== undefined && !(Number.isInteger(m.strength) && m.strength >= 1 && m.strength <= 10)) {
          problems.push({ field: field(n, `mappings[${i}].strength`, i), message: 'strength must be an integer from 1 to 10' });
        }
        if (s && t && s.id === t.id) problems.push({ field: field(n, `mappings[${i}]`, i), message: 'a requirement cannot map to itself' });
        (m.qualifiers ?? []).forEach((q, j) => {
          const at = field(n, `mappings[${i}].qualifiers[${j}]`, i);
          if (!/^[A-Za-z][A-Za-z0-9]{0,62}$/.test(q.when ?? '')) problems.push({ field: at, message: 'when must name a condition: a letter, then letters or digits (at most 63)' });
          if (q.strength !== null && q.strength !== undefined && !(Number.isInteger(q.strength) && q.strength >= 1 && q.strength <= 10)) problems.push({ field: at, message: 'strength must be an integer from 1 to 10' });
          for (const [k, allowed] of [['subject', QUALIFIER_SUBJECTS], ['predicate', QUALIFIER_PREDICATES], ['category', QUALIFIER_CATEGORIES]] as const) {
            const v = q[k];
            if (v && !allowed.includes(v)) problems.push({ field: at, message: `${k} must be one of ${allowed.join(', ')}` });
          }
          if ((q.description?.length ?? 0) > 2000 || (q.process?.length ?? 0) > 100) problems.push({ field: at, message: 'description at most 2000 and process at most 100 characters' });
        });
        const pair = `${m.sourceRef}\u0000${m.targetRef}`;
        if (seen.has(pair)) problems.push({ field: field(n, `mappings[${i}]`, i), message: `the mapping ${m.sourceRef} -> ${m.targetRef} repeats an earlier one (${field(n, `mappings[${seen.get(pair)}]`, seen.get(pair)!)})` });
        else seen.set(pair, i);
      });
    });
    if (problems.length) {
      throw badInput(problems[0].field, problems.map((p) => `${p.field}: ${p.message}`).join('; ').slice(0, 2000), { problems });
    }

    return inTransaction(this.ds, async (em) => {
      // A shared set's key is taken too: otherwise two sets answer to one key in the organization's view.
      const taken: { key: string; shared: boolean }[] = await em.query(
        `SELECT key, organization_id IS NULL AS shared FROM mapping_source WHERE (organization_id = $1 OR organization_id IS NULL) AND key = ANY($2::text[]) ORDER BY key`,
        [org, [...keys]],
      );
      if (taken.length) {
        throw new HubError(ErrorCode.CONFLICT, `A ${taken[0].shared ? 'shared ' : ''}mapping set with key "${taken[0].key}" already exists`, { field: 'key' });
      }
      if (dryRun) return [];
      const out: { source: MappingSource; count: number }[] = [];
      for (const input of inputs) {
        const sourceFw = resolved.get(refKey(input.sourceFramework, input.mappings[0].sourceRef))!.frameworkId;
        const targetFw = resolved.get(refKey(input.targetFramework, input.mappings[0].targetRef))!.frameworkId;
        const [{ id }]: { id: string }[] = await em.query(
          `INSERT INTO mapping_source (organization_id, key, name, publisher, url, licence_note, method, method_note, status,
                                       source_framework_id, target_framework_id, content_sha256)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
          [org, input.key.trim(), input.name.trim(), input.publisher?.trim() || 'organization', input.url ?? null, input.licenceNote ?? null,
            input.method, input.methodNote ?? null, input.status, sourceFw, targetFw, sha256(JSON.stringify(input.mappings))],
        );
        const rows = input.mappings.map((m) => ({
          s: resolved.get(refKey(input.sourceFramework, m.sourceRef))!.id,
          t: resolved.get(refKey(input.targetFramework, m.targetRef))!.id,
          relationship: m.relationship,
          strength: m.strength ?? null,
          rationale: m.rationale ?? null,
          note: m.note?.trim() || null,
          qualifiers: (m.qualifiers ?? []).map((q) => parseQualifier(q as unknown as Record<string, unknown>)),
        }));
        await em.query(
          `INSERT INTO mapping (mapping_source_id, source_requirement_id, target_requirement_id, relationship, strength, rationale, note, qualifiers)
           SELECT $1, x.s, x.t, x.relationship, x.strength, x.rationale, x.note, x.qualifiers
           FROM jsonb_to_recordset($2::jsonb) AS x(s uuid, t uuid, relationship text, strength smallint, rationale text, note text, qualifiers jsonb)`,
          [id, JSON.stringify(rows)],
        );
        out.push({ source: await em.getRepository(MappingSource).findOneByOrFail({ id }), count: rows.length });
      }
      await this.graphs.refresh(em, org, `mapping set${out.length > 1 ? 's' : ''} ${out.map((o) => o.source.key).join(', ')} created`, actor);
      return out;
    });
  }

  /** Shared sets and the organization's own; another organization's sets behave as if they did not exist. */
  async sourcesByIds(org: string, ids: readonly string[]): Promise<Map<string, MappingSource>> {
    const rows = ids.length
      ? await this.sources.find({ where: [{ id: In([...ids]), organizationId: IsNull() }, { id: In([...ids]), organizationId: org }] })
      : [];
    return new Map(rows.map((s) => [s.id, s]));
  }

  async listSources(org: string): Promise<MappingSource[]> {
    return this.sources.find({ where: [{ organizationId: IsNull() }, { organizationId: org }], order: { key: 'ASC', version: 'ASC', revision: 'ASC', createdAt: 'ASC' } });
  }

  /** A keyset page of the shared sets and the organization's own, in listSources order (key, version, revision, then id). */
  async sourcesPage(org: string, window: Keyset<[string, number, number, string]>) {
    const params: unknown[] = [org];
    const where = ['(m.organization_id IS NULL OR m.organization_id = $1)'];
    const ks = keysetSql(window, ['m.key', 'm.version', 'm.revision', 'm.id'], 'ASC', (k) => {
      params.push(...k);
      const n = params.length;
      return [`$${n - 3}::text`, `$${n - 2}::int`, `$${n - 1}::int`, `$${n}::uuid`];
    });
    params.push(ks.limit);
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT m.* FROM mapping_source m WHERE ${[...where, ...ks.where].join(' AND ')} ORDER BY ${ks.orderBy} LIMIT $${params.length}`,
      params,
    );
    return {
      ...keysetPage(rows.map((r) => hydrate(this.ds, MappingSource, r)), window),
      count: async () => (await this.ds.query(`SELECT count(*)::int AS n FROM mapping_source m WHERE ${where[0]}`, [org]))[0].n as number,
    };
  }

  async countBySources(ids: readonly string[]): Promise<Map<string, number>> {
    const rows: { id: string; n: number }[] = ids.length
      ? await this.ds.query(`SELECT mapping_source_id AS id, count(*)::int AS n FROM mapping WHERE mapping_source_id = ANY($1::uuid[]) GROUP BY 1`, [[...ids]])
      : [];
    return new Map(ids.map((id) => [id, rows.find((r) => r.id === id)?.n ?? 0]));
  }

  /**
   * Every mapping of the graph touching each requirement, both stored directions, in counterpart document order.
   * `counterparts`, when given, receives the ends that are not among the requirements asked for, as light
   * requirements (LIGHT_COLUMNS, read from the rows the statement reads anyway for their framework and
   * position), once each: a caller that has the requirements it asked for and wants their counterparts needs
   * no statement of its own for them (graphql/lookahead.ts).
   */
  async edgesFor(graph: GraphRef, requirementIds: readonly string[], counterparts?: (requirement: Requirement) => void): Promise<Map<string, MappingRow[]>> {
    const out = new Map<string, MappingRow[]>(requirementIds.map((id) => [id, []]));
    if (!requirementIds.length) return out;
    // The ids through a subquery: PostgreSQL then plans for an array it does not see, the same plan for one
    // requirement as for a page, and so keeps the prepared statement's plan instead of planning each call for
    // the values (for one id, planning took about three times what running does).
    const ids = `ANY((SELECT $2::uuid[])::uuid[])`;
    const rows = await this.rows(`(m.source_requirement_id = ${ids} OR m.target_requirement_id = ${ids})`, graph, requirementIds, counterparts);
    for (const row of rows) {
      out.get(row.sourceRequirementId)?.push(row);
      out.get(row.targetRequirementId)?.push(row);
    }
    for (const [id, list] of out) {
      list.sort((a, b) => counterpartKey(a, id).localeCompare(counterpartKey(b, id)));
    }
    return out;
  }

  /** Mapping rows by id (for paths stored in the closure), read with the graph's conditions; rows outside the graph are absent. */
  async rowsByIds(graph: GraphRef, ids: readonly string[]): Promise<Map<string, MappingRow>> {
    if (!ids.length) return new Map();
    const rows = await this.rows(`m.id = ANY($2::uuid[])`, graph, ids);
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** `counterparts` only where $2 holds requirement ids (edgesFor), whose counterparts it then reads. */
  private async rows(where: string, graph: GraphRef, ids: readonly string[], counterparts?: (requirement: Requirement) => void): Promise<MappingRow[]> {
    const g = graphCte(graph);
    const params = 'current' in graph ? [g.param, [...ids]] : [g.param, [...ids], graph.conditions];
    const raw: Record<string, unknown>[] = await this.ds.query(
      prepared(`WITH ${g.cte.replace('$G', '$3')}
       SELECT (SELECT array_to_json(conditions) FROM g)::text AS graph_conditions, m.id, m.mapping_source_id, m.source_requirement_id, m.target_requirement_id, m.relationship, m.strength,
              m.rationale, m.note, m.attributes, m.qualifiers,
              s.framework_id AS source_framework_id, t.framework_id AS target_framework_id,
              s.key AS source_framework_key, t.key AS target_framework_key,
              s.position AS source_position, t.position AS target_position${counterparts ? `, ${COUNTERPART_SELECT}` : ''}
       FROM mapping m
       CROSS JOIN LATERAL (${END_OF_MAPPING('m.source_requirement_id', !!counterparts)}) s
       CROSS JOIN LATERAL (${END_OF_MAPPING('m.target_requirement_id', !!counterparts)}) t${counterparts ? `
       CROSS JOIN LATERAL (SELECT m.source_requirement_id IN (SELECT unnest($2::uuid[])) AS from_source OFFSET 0) x` : ''}
       WHERE m.mapping_source_id = ANY((SELECT source_ids FROM g)::uuid[]) AND ${where}`),
      params,
    );
    if (counterparts) {
      const seen = new Set<string>();
      for (const r of raw) {
        if (seen.has(r.c_id as string)) continue;
        seen.add(r.c_id as string);
        counterparts(hydrate(this.ds, Requirement, r, 'c_'));
      }
    }
    // The graph's conditions are the same on every row: read once.
    let conditionsText: unknown;
    let conditions = new Set<string>();
    return raw.map((r) => {
      if (r.graph_conditions !== conditionsText) {
        conditionsText = r.graph_conditions;
        conditions = new Set(conditionsText === null ? [] : (JSON.parse(conditionsText as string) as string[]));
      }
      const stored = { relationship: r.relationship as Relationship, strength: r.strength === null ? null : Number(r.strength), qualifiers: r.qualifiers as Qualifier[] };
      const inForce = relationshipInForce(stored, conditions);
      return {
      id: r.id as string,
      mappingSourceId: r.mapping_source_id as string,
      sourceRequirementId: r.source_requirement_id as string,
      targetRequirementId: r.target_requirement_id as string,
      sourceFrameworkId: r.source_framework_id as string,
      targetFrameworkId: r.target_framework_id as string,
      sourceFrameworkKey: r.source_framework_key as string,
      targetFrameworkKey: r.target_framework_key as string,
      sourcePosition: Number(r.source_position),
      targetPosition: Number(r.target_position),
      relationship: inForce.relationship,
      strength: inForce.strength,
      storedRelationship: stored.relationship,
      storedStrength: stored.strength,
      qualifiers: stored.qualifiers,
      qualifier: inForce.qualifier,
      rationale: r.rationale as MappingRow['rationale'],
      note: r.note as string | null,
      attributes: r.attributes as Record<string, unknown>,
      };
    });
  }

  /**
   * Paths from one requirement to any requirement of the target framework, breadth first. Edges are
   * loaded one level at a time (at most maxDepth statements), then enumerated by the pure rules.
   */
  async findPaths(graph: GraphRef, startId: string, target: Framework, maxDepth: number): Promise<{ paths: MappingPath[]; truncated: boolean }> {
    const adjacency = new Map<string, Hop[]>();
    const rowsById = new Map<string, MappingRow>();
    const frameworkOf = new Map<string, string>();
    let frontier = [startId];
    for (let depth = 1; depth <= maxDepth && frontier.length; depth++) {
      const edges = await this.edgesFor(graph, frontier);
      const next = new Set<string>();
      for (const [from, rows] of edges) {
        const hops: Hop[] = [];
        for (const row of rows) {
          rowsById.set(row.id, row);
          const outgoing = row.sourceRequirementId === from;
          const to = outgoing ? row.targetRequirementId : row.sourceRequirementId;
          const relationship = readFrom(row.relationship, outgoing ? MappingDirection.OUTGOING : MappingDirection.INCOMING);
          if (!isTraversable(relationship)) continue;
          frameworkOf.set(to, outgoing ? row.targetFrameworkId : row.sourceFrameworkId);
          hops.push({ mappingId: row.id, from, to, relationship, strength: row.strength });
          // Target-framework requirements end a path, so their own edges are never needed.
          if (frameworkOf.get(to) !== target.id && to !== startId) next.add(to);
        }
        adjacency.set(from, hops);
      }
      frontier = [...next].filter((id) => !adjacency.has(id));
    }
    const result = enumeratePaths({
      start: startId,
      adjacency,
      isTarget: (id) => frameworkOf.get(id) === target.id,
      maxDepth,
    });
    const paths = result.paths.map((c) => {
      const p = new MappingPath();
      p.coverage = c.coverage;
      p.minStrength = c.minStrength;
      p.length = c.hops.length;
      p.targetId = c.target;
      p.hops = c.hops.map((h) => MappingEdge.from(rowsById.get(h.mappingId)!, h.from));
      return p;
    });
    return { paths, truncated: result.truncated };
  }

  /**
   * The rows of some set versions (visible to the organization) with what mappingConsistency needs: both
   * ends' framework key, version and ref, and whether the latest version of that framework (the one
   * released last) still has a requirement with the ref.
   */
  async consistencyRows(sourceIds: readonly string[]): Promise<Record<string, unknown>[]> {
    return this.ds.query(
      `WITH latest AS (
         SELECT DISTINCT ON (key) id, key, version FROM framework ORDER BY key, released_on DESC NULLS LAST, created_at DESC
       )
       SELECT m.id, ms.id AS set_id, ms.key AS set_key, ms.version AS set_version, m.relationship, m.strength, m.qualifiers,
              s.id AS s, sf.key AS sf, sf.version AS s_version, s.ref AS s_ref, ls.version AS s_latest,
              EXISTS (SELECT 1 FROM requirement x WHERE x.framework_id = ls.id AND x.ref = s.ref) AS s_in_latest,
              t.id AS t, tf.key AS tf, tf.version AS t_version, t.ref AS t_ref, lt.version AS t_latest,
              EXISTS (SELECT 1 FROM requirement x WHERE x.framework_id = lt.id AND x.ref = t.ref) AS t_in_latest
       FROM mapping m
       JOIN mapping_source ms ON ms.id = m.mapping_source_id
       JOIN requirement s ON s.id = m.source_requirement_id JOIN framework sf ON sf.id = s.framework_id JOIN latest ls ON ls.key = sf.key
       JOIN requirement t ON t.id = m.target_requirement_id JOIN framework tf ON tf.id = t.framework_id JOIN latest lt ON lt.key = tf.key
       WHERE m.mapping_source_id = ANY($1::uuid[])`,
      [[...sourceIds]],
    );
  }

  /** Counts per (source top-level group x target top-level group x relationship), read from the source side. */
  async matrix(graph: GraphRef, source: Framework, target: Framework): Promise<MappingMatrix> {
    const g = graphCte(graph, 'gr');
    const params = [g.param, source.id, target.id, ...('current' in graph ? [] : [graph.conditions])];
    const cte = g.cte.replace('$G', '$4');
    const inForce = IN_FORCE_SQL('(SELECT conditions FROM gr)::text[]');
    const inGraph = `m.mapping_source_id = ANY((SELECT source_ids FROM gr)::uuid[])`;
    const cellsRaw: { a_group: string; b_group: string; rel: Relationship; n: number; sources: string[] }[] = await this.ds.query(
      `WITH ${cte}, gm AS (
         SELECT m.id, m.mapping_source_id, m.source_requirement_id, m.target_requirement_id, ${inForce} AS relationship
         FROM mapping m WHERE ${inGraph}
       ), e AS (
         SELECT m.mapping_source_id, a.ancestor_ids, a.id AS a_id, b.ancestor_ids AS b_anc, b.id AS b_id, m.relationship AS rel
         FROM gm m
         JOIN requirement a ON a.id = m.source_requirement_id
         JOIN requirement b ON b.id = m.target_requirement_id
         WHERE a.framework_id = $2 AND b.framework_id = $3
         UNION ALL
         SELECT m.mapping_source_id, a.ancestor_ids, a.id, b.ancestor_ids, b.id, ${INVERSE_SQL}
         FROM gm m
         JOIN requirement a ON a.id = m.target_requirement_id
         JOIN requirement b ON b.id = m.source_requirement_id
         WHERE a.framework_id = $2 AND b.framework_id = $3
       )
       SELECT coalesce(e.ancestor_ids[1], e.a_id) AS a_group, coalesce(e.b_anc[1], e.b_id) AS b_group, e.rel,
              count(*)::int AS n, array_agg(DISTINCT e.mapping_source_id) AS sources
       FROM e
       JOIN requirement ag ON ag.id = coalesce(e.ancestor_ids[1], e.a_id)
       JOIN requirement bg ON bg.id = coalesce(e.b_anc[1], e.b_id)
       GROUP BY 1, 2, 3, ag.position, bg.position
       ORDER BY ag.position, bg.position, e.rel`,
      params,
    );
    const rowsRaw: { group_id: string; assessable: number; mapped: number }[] = await this.ds.query(
      `WITH ${cte}
       SELECT g.id AS group_id,
              count(r.id) FILTER (WHERE r.assessable)::int AS assessable,
              count(r.id) FILTER (WHERE r.assessable AND EXISTS (
                SELECT 1 FROM mapping m
                JOIN requirement o ON o.id = CASE WHEN m.source_requirement_id = r.id THEN m.target_requirement_id ELSE m.source_requirement_id END
                WHERE (m.source_requirement_id = r.id OR m.target_requirement_id = r.id)
                  AND ${inGraph} AND o.framework_id = $3 AND ${inForce} <> 'NO_RELATIONSHIP'))::int AS mapped
       FROM requirement g
       LEFT JOIN requirement r ON r.framework_id = g.framework_id AND (r.id = g.id OR r.ancestor_ids[1] = g.id)
       WHERE g.framework_id = $2 AND g.parent_id IS NULL
       GROUP BY g.id, g.position
       ORDER BY g.position`,
      params,
    );

    const matrix = new MappingMatrix();
    matrix.source = source;
    matrix.target = target;
    matrix.totals = new RelationshipCounts();
    const cells = new Map<string, MappingMatrixCell>();
    const byGroup = new Map<string, RelationshipCounts>();
    const sourceIds = new Set<string>();
    for (const c of cellsRaw) {
      const key = `${c.a_group}|${c.b_group}`;
      let cell = cells.get(key);
      if (!cell) {
        cell = Object.assign(new MappingMatrixCell(), { sourceGroupId: c.a_group, targetGroupId: c.b_group, counts: new RelationshipCounts() });
        cells.set(key, cell);
      }
      cell.counts.add(c.rel, c.n);
      matrix.totals.add(c.rel, c.n);
      const g = byGroup.get(c.a_group) ?? new RelationshipCounts();
      g.add(c.rel, c.n);
      byGroup.set(c.a_group, g);
      for (const s of c.sources) sourceIds.add(s);
    }
    matrix.cells = [...cells.values()];
    matrix.rows = rowsRaw.map((r) =>
      Object.assign(new MappingMatrixRow(), {
        groupId: r.group_id,
        assessableRequirements: r.assessable,
        mappedRequirements: r.mapped,
        counts: byGroup.get(r.group_id) ?? new RelationshipCounts(),
      }),
    );
    matrix.mappingSourceIds = [...sourceIds].sort();
    return matrix;
  }
}

function counterpartKey(row: MappingRow, seenFrom: string): string {
  const outgoing = row.sourceRequirementId === seenFrom;
  const fw = outgoing ? row.targetFrameworkKey : row.sourceFrameworkKey;
  const pos = outgoing ? row.targetPosition : row.sourcePosition;
  return `${fw}\u0000${String(pos).padStart(10, '0')}`;
}
