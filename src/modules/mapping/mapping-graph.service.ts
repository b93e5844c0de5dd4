import type { DataSource, EntityManager } from 'typeorm';
import { withQueryScope } from '../../database/query-counter';
import type { MappingClosureService } from './mapping-closure.service';

/** The row MappingVersions1765324800000 inserts: what every organization reads until it has a graph of its own. */
export const DEFAULT_GRAPH_ID = '00000000-0000-4000-8000-000000000001';

/**
 * The mapping graph a report reads: which set versions, and which organization conditions are in force.
 * The default graph (organization null) is the latest shipped version of every set with no condition;
 * an organization reads a graph of its own, one per period, from the moment it pins a version,
 * declares a condition that holds or owns a set, so that a report at asOf reads the graph then in force.
 */
export interface MappingGraph {
  id: string;
  organizationId: string | null;
  sourceIds: string[];
  conditions: string[];
  validFrom: Date;
}

export interface GraphDescriptor {
  /** Set key -> the mapping_source id the organization reads instead of the latest. */
  pins: Record<string, string>;
  /** Condition keys that hold (conditionKey). */
  conditions: string[];
}

const toGraph = (r: { id: string; organization_id: string | null; source_ids: string[]; conditions: string[]; valid_from: Date }): MappingGraph => ({
  id: r.id,
  organizationId: r.organization_id,
  sourceIds: r.source_ids,
  conditions: r.conditions,
  validFrom: r.valid_from,
});

export class MappingGraphService {
  constructor(
    private readonly ds: DataSource,
    private readonly closure: MappingClosureService,
  ) {}

  /** The graph an organization reads at asOf: one statement. */
  async at(organizationId: string, asOf: Date, em: EntityManager = this.ds.manager): Promise<MappingGraph> {
    const rows = await em.query(
      `SELECT id, organization_id, source_ids, conditions, valid_from FROM mapping_graph
       WHERE id = $3 OR (organization_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2))
       ORDER BY organization_id NULLS LAST LIMIT 1`,
      [organizationId, asOf.toISOString(), DEFAULT_GRAPH_ID],
    );
    return toGraph(rows[0]);
  }

  async byIds(ids: readonly string[], em: EntityManager = this.ds.manager): Promise<Map<string, MappingGraph>> {
    const rows = await em.query(`SELECT id, organization_id, source_ids, conditions, valid_from FROM mapping_graph WHERE id = ANY($1::uuid[])`, [[...ids]]);
    return new Map(rows.map((r: Parameters<typeof toGraph>[0]) => [r.id, toGraph(r)]));
  }

  /**
   * The set versions a descriptor names: per key, the pinned version, else the latest that is not
   * SUPERSEDED (highest version; at equal version the organization's overlay, then its latest revision).
   */
  async resolveSources(em: EntityManager, organizationId: string | null, pins: Record<string, string>): Promise<string[]> {
    const rows: { id: string }[] = await em.query(
      `WITH pinned AS (SELECT key, value::uuid AS id FROM jsonb_each_text($2::jsonb))
       SELECT id FROM (
         SELECT DISTINCT ON (s.key) s.id FROM mapping_source s
         WHERE (s.organization_id IS NULL OR s.organization_id = $1) AND s.status <> 'SUPERSEDED'
           AND NOT EXISTS (SELECT 1 FROM pinned p WHERE p.key = s.key)
         ORDER BY s.key, s.version DESC, (s.organization_id IS NOT NULL) DESC, s.revision DESC
       ) latest
       UNION
       SELECT s.id FROM pinned p JOIN mapping_source s ON s.id = p.id AND (s.organization_id IS NULL OR s.organization_id = $1)
       ORDER BY 1`,
      [organizationId, JSON.stringify(pins)],
    );
    return rows.map((r) => r.id);
  }

  /** What the organization has declared and pinned now, and whether it owns sets. */
  async descriptorOf(em: EntityManager, organizationId: string): Promise<{ descriptor: GraphDescriptor; ownsSets: boolean }> {
    const [row]: { pins: Record<string, string> | null; conditions: string[] | null; owns: boolean }[] = await em.query(
      `SELECT (SELECT jsonb_object_agg(key, mapping_source_id ORDER BY key) FROM mapping_set_pin WHERE organization_id = $1) AS pins,
              (SELECT array_agg(CASE WHEN parameter = '' THEN condition ELSE condition || ':' || parameter END ORDER BY condition, parameter)
                 FROM organization_condition WHERE organization_id = $1 AND valid_to IS NULL AND holds) AS conditions,
              EXISTS (SELECT 1 FROM mapping_source WHERE organization_id = $1) AS owns`,
      [organizationId],
    );
    return { descriptor: { pins: row.pins ?? {}, conditions: row.conditions ?? [] }, ownsSets: row.owns };
  }

  /**
   * After a change to what an organization reads (a condition, a pin, a set of its own): closes its
   * current graph and opens the next one from `at`, built in the same transaction. An organization
   * with nothing of its own goes back to the default graph.
   */
  async refresh(em: EntityManager, organizationId: string, reason: string, actor: string, at: Date = new Date()): Promise<MappingGraph> {
    const { descriptor, ownsSets } = await this.descriptorOf(em, organizationId);
    await em.query(`UPDATE mapping_graph SET valid_to = $2 WHERE organization_id = $1 AND valid_to IS NULL`, [organizationId, at.toISOString()]);
    if (!ownsSets && !Object.keys(descriptor.pins).length && !descriptor.conditions.length) {
      return this.at(organizationId, at, em);
    }
    const sourceIds = await this.resolveSources(em, organizationId, descriptor.pins);
    const [row] = await em.query(
      `INSERT INTO mapping_graph (organization_id, descriptor, source_ids, conditions, valid_from, reason, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, organization_id, source_ids, conditions, valid_from`,
      [organizationId, JSON.stringify(descriptor), sourceIds, descriptor.conditions, at.toISOString(), reason, actor],
    );
    const graph = toGraph(row);
    await this.build(em, graph);
    return graph;
  }

  /**
   * Writes the closure of one graph and records its size. An organization's new graph is then made known to
   * the planner (hub_analyze_mapping_closure, as the table's owner): until statistics include its rows, a
   * report estimates a handful and plans a nested loop that costs it 60 times more. The seeder analyzes once
   * after rebuilding every graph.
   */
  async build(em: EntityManager, graph: MappingGraph, analyze = graph.organizationId !== null): Promise<number> {
    const n = await this.closure.rebuild(graph, em);
    await em.query(`UPDATE mapping_graph SET built_at = now(), closure_rows = $2 WHERE id = $1`, [graph.id, n]);
    if (analyze) await em.query(`SELECT hub_analyze_mapping_closure()`);
    return n;
  }

  /**
   * Seeder: re-resolves every graph's set versions from its descriptor (a new shipped version reaches
   * everyone who did not pin) and rebuilds its closure. Organization graphs are rebuilt scoped to their
   * organization, which row-level security requires.
   */
  async rebuildAll(em: EntityManager): Promise<number> {
    const sources = await this.resolveSources(em, null, {});
    await em.query(`UPDATE mapping_graph SET source_ids = $2 WHERE id = $1`, [DEFAULT_GRAPH_ID, sources]);
    const n = await this.build(em, { id: DEFAULT_GRAPH_ID, organizationId: null, sourceIds: sources, conditions: [], validFrom: new Date(0) });
    const orgs: { id: string }[] = await em.query(`SELECT id FROM organization ORDER BY id`);
    for (const o of orgs) {
      await withQueryScope({ statements: 0, organizationId: o.id }, async () => {
        const graphs: { id: string; descriptor: GraphDescriptor; valid_from: Date }[] = await em.query(
          `SELECT id, descriptor, valid_from FROM mapping_graph WHERE organization_id = $1 ORDER BY valid_from`,
          [o.id],
        );
        for (const g of graphs) {
          const ids = await this.resolveSources(em, o.id, g.descriptor.pins ?? {});
          await em.query(`UPDATE mapping_graph SET source_ids = $2, conditions = $3 WHERE id = $1`, [g.id, ids, g.descriptor.conditions ?? []]);
          await this.build(em, { id: g.id, organizationId: o.id, sourceIds: ids, conditions: g.descriptor.conditions ?? [], validFrom: g.valid_from }, false);
        }
      });
    }
    return n;
  }
}
