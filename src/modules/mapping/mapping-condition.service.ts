import type { DataSource, EntityManager } from 'typeorm';
import { inTransaction } from '../../database/transaction';
import { badInput, notFound } from '../../graphql/errors';
import type { MappingGraph, MappingGraphService } from './mapping-graph.service';

/** A condition that mapping qualifiers name, as the set that defines it describes it (its metadata.qualifiers). */
export interface ConditionDefinition {
  name: string;
  definition: string | null;
  /** The parameter's name (e.g. "process") and allowed values; none when the condition takes no parameter. */
  parameterName: string | null;
  parameterValues: string[];
  definedBy: string[];
}

/** One period of an organization's declaration. parameter null: every value of the parameter. */
export interface ConditionDeclaration {
  id: string;
  condition: string;
  parameter: string | null;
  holds: boolean;
  note: string | null;
  validFrom: Date;
  validTo: Date | null;
  declaredBy: string;
  endedBy: string | null;
}

const toDeclaration = (r: Record<string, unknown>): ConditionDeclaration => ({
  id: r.id as string,
  condition: r.condition as string,
  parameter: (r.parameter as string) || null,
  holds: r.holds as boolean,
  note: r.note as string | null,
  validFrom: r.valid_from as Date,
  validTo: r.valid_to as Date | null,
  declaredBy: r.declared_by as string,
  endedBy: r.ended_by as string | null,
});

/** Organization conditions (declared, withdrawn, with history) and pinned set versions: what decides an organization's mapping graph. */
export class MappingConditionService {
  constructor(
    private readonly ds: DataSource,
    private readonly graphs: MappingGraphService,
  ) {}

  /** The conditions the visible sets' qualifiers name, merged by name. */
  async definitions(): Promise<ConditionDefinition[]> {
    const rows: { id: string; q: Record<string, { definition?: string; parameters?: Record<string, { values?: string[] }> }> }[] = await this.ds.query(
      `SELECT id, metadata->'qualifiers' AS q FROM mapping_source WHERE jsonb_typeof(metadata->'qualifiers') = 'object' ORDER BY key, version, revision`,
    );
    const out = new Map<string, ConditionDefinition>();
    for (const r of rows) {
      for (const [name, def] of Object.entries(r.q)) {
        const [param] = Object.entries(def.parameters ?? {});
        const found = out.get(name) ?? { name, definition: null, parameterName: null, parameterValues: [], definedBy: [] };
        found.definition = def.definition ?? found.definition;
        if (param) {
          found.parameterName = param[0];
          found.parameterValues = [...new Set([...found.parameterValues, ...(param[1].values ?? [])])].sort();
        }
        found.definedBy.push(r.id);
        out.set(name, found);
      }
    }
    return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Declarations in force at asOf, or (history) every period, newest first. */
  async declarations(org: string, asOf: Date | null, history = false): Promise<ConditionDeclaration[]> {
    const rows = await this.ds.query(
      `SELECT * FROM organization_condition WHERE organization_id = $1
         AND ($3 OR (valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)))
       ORDER BY condition, parameter, valid_from DESC`,
      [org, (asOf ?? new Date()).toISOString(), history],
    );
    return rows.map(toDeclaration);
  }

  /**
   * Declares that a condition holds (or no longer holds) from now, for some parameter values or all
   * (parameters omitted). Each earlier declaration of the same (condition, value) ends now; the
   * organization's mapping graph is rebuilt in the same transaction, so reports change at once and a
   * report at an earlier asOf still reads the graph then in force.
   */
  async declare(org: string, actor: string, input: { condition: string; parameters?: string[] | null; holds: boolean; note?: string | null; effectiveFrom?: Date | null }): Promise<{ declarations: ConditionDeclaration[]; graph: MappingGraph }> {
    const known = await this.definitions();
    const def = known.find((d) => d.name === input.condition);
    if (!def) throw badInput('condition', `unknown condition "${input.condition}"; known: ${known.map((d) => d.name).join(', ') || 'none'}`);
    const params = input.parameters ?? null;
    if (params) {
      if (!def.parameterName) throw badInput('parameters', `condition "${def.name}" takes no parameter`);
      if (!params.length) throw badInput('parameters', 'parameters must name at least one value, or be omitted for every value');
      params.forEach((p, i) => {
        if (!def.parameterValues.includes(p)) throw badInput(`parameters[${i}]`, `"${p}" is not a ${def.parameterName} of ${def.name}; one of: ${def.parameterValues.join(', ')}`);
      });
    }
    if (input.note && input.note.length > 2000) throw badInput('note', 'note must be at most 2000 characters');
    const values = params ? [...new Set(params)] : [''];
    const now = new Date();
    const at = input.effectiveFrom ?? now;
    if (at > now) throw badInput('effectiveFrom', 'effectiveFrom must not be in the future');
    return inTransaction(this.ds, async (em) => {
      // A declaration may date back to when the integrated process began, but never before a change already
      // recorded for the organization: reports already given for those dates stay as they were.
      const [{ last }]: { last: Date | null }[] = await em.query(
        `SELECT greatest((SELECT max(valid_from) FROM mapping_graph WHERE organization_id = $1),
                         (SELECT max(valid_from) FROM organization_condition WHERE organization_id = $1)) AS last`,
        [org],
      );
      if (last && at < last && input.effectiveFrom) {
        throw badInput('effectiveFrom', `effectiveFrom must not be before the organization's last recorded mapping change (${last.toISOString()})`);
      }
      await em.query(
        `UPDATE organization_condition SET valid_to = $4, ended_by = $5
         WHERE organization_id = $1 AND condition = $2 AND parameter = ANY($3::text[]) AND valid_to IS NULL`,
        [org, def.name, values, at.toISOString(), actor],
      );
      const rows = await em.query(
        `INSERT INTO organization_condition (organization_id, condition, parameter, holds, note, valid_from, declared_by)
         SELECT $1, $2, p, $4, $5, $6, $7 FROM unnest($3::text[]) AS p RETURNING *`,
        [org, def.name, values, input.holds, input.note?.trim() || null, at.toISOString(), actor],
      );
      const verb = input.holds ? 'declared' : 'withdrawn';
      const graph = await this.graphs.refresh(em, org, `${def.name}${params ? ` (${values.join(', ')})` : ''} ${verb}`, actor, at);
      return { declarations: rows.map(toDeclaration), graph };
    });
  }

  /** Reads a version of a set instead of the latest (version null: back to the latest). */
  async pin(org: string, actor: string, key: string, version: number | null, revision: number | null): Promise<MappingGraph> {
    const chosen = await findSetVersion(this.ds.manager, key, version, revision ?? 0);
    const at = new Date();
    return inTransaction(this.ds, async (em) => {
      await writePin(em, org, key, chosen, actor, at);
      const label = chosen ? `${key} pinned to v${chosen.version}${chosen.revision ? `+org.${chosen.revision}` : ''}` : `${key} unpinned (latest)`;
      return this.graphs.refresh(em, org, label, actor, at);
    });
  }
}

export interface SetVersion {
  id: string;
  version: number;
  revision: number;
}

/** The visible version of a set that pinMappingSet or mappingVersionImpact names; null for "the latest". */
export async function findSetVersion(em: EntityManager, key: string, version: number | null, revision: number): Promise<SetVersion | null> {
  const versions: SetVersion[] = await em.query(`SELECT id, version, revision FROM mapping_source WHERE key = $1 ORDER BY version, revision`, [key]);
  if (!versions.length) throw notFound(`No mapping set with key "${key}"`, { field: 'key' });
  if (version === null) return null;
  const chosen = versions.find((v) => v.version === version && v.revision === revision);
  if (!chosen) {
    throw badInput('version', `mapping set "${key}" has no version ${version}${revision ? `+org.${revision}` : ''}; it has ${versions.map((v) => (v.revision ? `${v.version}+org.${v.revision}` : String(v.version))).join(', ')}`);
  }
  return chosen;
}

/** The organization reads `chosen` for the key from now on (null: the latest again). The caller refreshes its graph. */
export async function writePin(em: EntityManager, org: string, key: string, chosen: SetVersion | null, actor: string, at: Date): Promise<void> {
  if (!chosen) {
    await em.query(`DELETE FROM mapping_set_pin WHERE organization_id = $1 AND key = $2`, [org, key]);
    return;
  }
  await em.query(
    `INSERT INTO mapping_set_pin (organization_id, key, mapping_source_id, pinned_by, pinned_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (organization_id, key) DO UPDATE SET mapping_source_id = EXCLUDED.mapping_source_id, pinned_by = EXCLUDED.pinned_by, pinned_at = EXCLUDED.pinned_at`,
    [org, key, chosen.id, actor, at.toISOString()],
  );
}
