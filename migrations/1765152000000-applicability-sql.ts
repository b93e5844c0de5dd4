import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * Inside the functions an evaluation is {"value", "facts"} as hub_appl_derived returns it, except that the facts
 * may be unsorted and repeated until they leave: sorting once at the end gives the same set, far cheaper.
 *
 * Speed comes from running few PL/pgSQL statements and calls. Atoms (a fact test, a derived fact) are plain SQL
 * functions that PostgreSQL inlines into the calling expression, so they cost no call; only all, any and a not
 * above them call hub_appl_combine. PostgreSQL inlines an IMMUTABLE SQL function only if its body is immutable,
 * so those are built from immutable operators and constants (jsonb_build_object is STABLE: it may call any
 * type's output function). Literals in PL/pgSQL are typed ('[]'::jsonb): an untyped one is parsed on every call.
 *
 * No privileges to grant: the functions read no table, run as their caller (no SECURITY DEFINER) and keep the
 * default EXECUTE for PUBLIC, so hub_grant_application_role (1764892800000-least-privilege.ts, which revokes
 * and grants only its SECURITY DEFINER functions) needs no change for the application role to call them.
 */

/** Converts a JSON array of names to text[]: jsonb_populate_record is the one way without running a query. */
const FACTS_TYPE = `CREATE TYPE hub_appl_facts AS (facts text[])`;

/**
 * A list of fact names as the rules return it: distinct, in JavaScript's default order. A tsvector keeps its
 * lexemes distinct and in byte order (UTF-8 byte order is code point order, the same as UTF-16 code units for
 * every name outside the supplementary planes), so it sorts without running a query, three times faster than
 * SELECT DISTINCT ... ORDER BY ... COLLATE "C". Its limits, far from any fact name: not empty, under 2 KB.
 * STABLE only because jsonb_populate_record and to_jsonb are (see above); declared so, it is inlined.
 */
const SORTED_FN = `
CREATE FUNCTION hub_appl_sorted(facts jsonb) RETURNS jsonb LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_array_length(facts) < 2 THEN facts
    ELSE to_jsonb(tsvector_to_array(array_to_tsvector((jsonb_populate_record(NULL::hub_appl_facts, jsonb_build_object('facts', facts))).facts)))
  END
$$`;

/** An evaluation without facts yet, for a known truth value (constants: far cheaper than building objects). */
const TRUTH_FN = `
CREATE FUNCTION hub_appl_truth(holds boolean) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN holds THEN '{"value": "TRUE", "facts": []}'::jsonb ELSE '{"value": "FALSE", "facts": []}'::jsonb END
$$`;

/** Whether the known value v passes the fact test e (eq, in, before or onOrAfter). */
const HOLDS_FN = `
CREATE FUNCTION hub_appl_holds(e jsonb, v jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(CASE
    WHEN e ? 'eq' THEN v = e -> 'eq'
    WHEN e ? 'in' THEN (e -> 'in') @> ('[]' || v)
    -- A null date (not placed) is neither before nor on/after any date.
    WHEN e ? 'before' THEN jsonb_typeof(v) = 'string' AND (v #>> '{}') COLLATE "C" < (e ->> 'before')
    ELSE jsonb_typeof(v) = 'string' AND (v #>> '{}') COLLATE "C" >= (e ->> 'onOrAfter')
  END, false)
$$`;

/**
 * An atom: a derived fact as \`derived\` holds it (NULL when missing), or a fact test on the answer, else on the
 * definition's default, else UNKNOWN.
 */
const ATOM_FN = `
CREATE FUNCTION hub_appl_atom(a jsonb, fact_defs jsonb, derived jsonb, facts jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN a ? 'derived' THEN derived -> (a ->> 'derived')
    ELSE jsonb_insert(CASE
        WHEN facts ? (a ->> 'fact') THEN hub_appl_truth(hub_appl_holds(a, facts -> (a ->> 'fact')))
        WHEN (fact_defs -> (a ->> 'fact')) ? 'default' THEN hub_appl_truth(hub_appl_holds(a, fact_defs -> (a ->> 'fact') -> 'default'))
        ELSE '{"value": "UNKNOWN", "facts": []}'::jsonb END, '{facts,0}', a -> 'fact')
  END
$$`;

/**
 * Kleene all (dominant FALSE) or any (dominant TRUE) of the expressions in kids, explained as the rules' combine()
 * does: the dominant children's facts, else the UNKNOWN children's, else every child's. Dominant 'NOT': kids
 * holds one expression, negated. NULL when \`derived\` lacks a derived fact it needs.
 */
const COMBINE_FN = `
CREATE FUNCTION hub_appl_combine(kids jsonb, dominant text, fact_defs jsonb, derived jsonb, facts jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  negate boolean := dominant = 'NOT';
  c jsonb; r jsonb; v text; neg boolean;
  has_dominant boolean := false; has_unknown boolean := false;
  dominant_facts jsonb := '[]'::jsonb; unknown_facts jsonb := '[]'::jsonb; all_facts jsonb := '[]'::jsonb;
BEGIN
  -- not x is x (as the all of one child), negated at the end.
  IF negate THEN dominant := 'FALSE'; END IF;
  FOR i IN 0 .. jsonb_array_length(kids) - 1 LOOP
    c := kids -> i;
    -- One not is undone here, on the value: the facts stay.
    neg := c ? 'not' AND NOT c ?| '{all,any}';
    IF neg THEN c := c -> 'not'; END IF;
    -- A statement per form: plpgsql evaluates an expression the fast way only while no outer call of this
    -- function is inside that same expression, and all and any alternate as they nest.
    IF c ? 'all' THEN
      r := hub_appl_combine(c -> 'all', 'FALSE', fact_defs, derived, facts);
    ELSIF c ? 'any' THEN
      r := hub_appl_combine(c -> 'any', 'TRUE', fact_defs, derived, facts);
    ELSIF c ? 'not' THEN
      r := hub_appl_combine('[]' || (c -> 'not'), 'NOT', fact_defs, derived, facts);
    ELSE
      r := hub_appl_atom(c, fact_defs, derived, facts);
    END IF;
    v := r ->> 'value';
    IF neg THEN v := CASE v WHEN 'TRUE' THEN 'FALSE' WHEN 'FALSE' THEN 'TRUE' ELSE v END; END IF;
    IF v IS NULL THEN RETURN NULL; END IF;
    -- Facts are collected only while they can still be the answer.
    IF v = dominant THEN
      has_dominant := true;
      dominant_facts := dominant_facts || (r -> 'facts');
    ELSIF has_dominant THEN
      CONTINUE;
    ELSIF v = 'UNKNOWN' THEN
      has_unknown := true;
      unknown_facts := unknown_facts || (r -> 'facts');
    ELSIF NOT has_unknown THEN
      all_facts := all_facts || (r -> 'facts');
    END IF;
  END LOOP;
  IF has_dominant THEN RETURN jsonb_set(hub_appl_truth((dominant = 'TRUE') <> negate), '{facts}', dominant_facts); END IF;
  IF has_unknown THEN RETURN jsonb_set('{"value": "UNKNOWN"}'::jsonb, '{facts}', unknown_facts); END IF;
  RETURN jsonb_set(hub_appl_truth((dominant = 'FALSE') <> negate), '{facts}', all_facts);
END $$`;

/** Any expression, in the order the rules test its form: all, any, not, then the atoms. */
const EXPR_FN = `
CREATE FUNCTION hub_appl_expr(e jsonb, fact_defs jsonb, derived jsonb, facts jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN e ? 'all' THEN hub_appl_combine(e -> 'all', 'FALSE', fact_defs, derived, facts)
    WHEN e ? 'any' THEN hub_appl_combine(e -> 'any', 'TRUE', fact_defs, derived, facts)
    WHEN e ? 'not' THEN hub_appl_combine('[]' || (e -> 'not'), 'NOT', fact_defs, derived, facts)
    ELSE hub_appl_atom(e, fact_defs, derived, facts)
  END
$$`;

/** evaluate(): {"value", "facts"} of one expression, \`derived\` being hub_appl_derived's answer for the system. */
const EVAL_FN = `
CREATE FUNCTION hub_appl_eval(expr jsonb, fact_defs jsonb, derived jsonb, facts jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE r jsonb := hub_appl_expr(expr, fact_defs, derived, facts);
BEGIN
  IF r IS NULL THEN RAISE EXCEPTION 'the expression needs a derived fact missing from derived' USING ERRCODE = '22023'; END IF;
  RETURN jsonb_build_object('value', r -> 'value', 'facts', hub_appl_sorted(r -> 'facts'));
END $$`;

/** valueFits() of the rules: whether v is a value of the fact definition def. */
const FITS_FN = `
CREATE FUNCTION hub_appl_fits(def jsonb, v jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE def ->> 'type'
    WHEN 'boolean' THEN jsonb_typeof(v) = 'boolean'
    WHEN 'enum' THEN jsonb_typeof(v) = 'string' AND coalesce(def -> 'values', '[]') @> ('[]' || v)
    WHEN 'string' THEN jsonb_typeof(v) = 'string'
    -- isDate(): YYYY-MM-DD that Date.parse accepts, which takes any day 01-31 in any month.
    WHEN 'date' THEN jsonb_typeof(v) = 'null'
      OR (jsonb_typeof(v) = 'string' AND (v #>> '{}') ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$')
    ELSE false
  END
$$`;

/**
 * Every derived fact of the table for one system, each evaluated once: name -> {"value", "facts"}. Checks the
 * answers first as checkSystemFacts() does, with its messages (SQLSTATE 22023).
 */
const DERIVED_FN = `
CREATE FUNCTION hub_appl_derived(fact_defs jsonb, derived_defs jsonb, facts jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  out jsonb := '{}'::jsonb; pending text[]; waiting text[]; n text; e jsonb; r jsonb; bad text;
BEGIN
  -- checkSystemFacts(): every answer a fact of the table, of its type.
  SELECT k INTO bad FROM jsonb_each(facts) AS x(k, v) WHERE NOT coalesce(hub_appl_fits(fact_defs -> k, v), false) LIMIT 1;
  IF bad IS NOT NULL THEN
    IF NOT fact_defs ? bad THEN RAISE EXCEPTION 'unknown fact "%"', bad USING ERRCODE = '22023'; END IF;
    RAISE EXCEPTION 'fact "%": % is not a % value', bad, facts -> bad, fact_defs -> bad ->> 'type' USING ERRCODE = '22023';
  END IF;
  -- A pass evaluates every derived fact whose own derived facts are known (the others give NULL and wait for the
  -- next); those referring to fewer derived facts first, so that most are known on the first pass.
  pending := ARRAY(SELECT key FROM jsonb_each(derived_defs) ORDER BY jsonb_array_length(jsonb_path_query_array(value -> 'expr', 'lax $.**.derived')));
  WHILE cardinality(pending) > 0 LOOP
    waiting := '{}'::text[];
    FOREACH n IN ARRAY pending LOOP
      e := derived_defs -> n -> 'expr';
      r := hub_appl_expr(e, fact_defs, out, facts);
      IF r IS NULL THEN
        waiting := waiting || n;
      ELSE
        out := jsonb_set(out, ARRAY[n], jsonb_set(r, '{facts}', hub_appl_sorted(r -> 'facts')));
      END IF;
    END LOOP;
    IF cardinality(waiting) = cardinality(pending) THEN
      RAISE EXCEPTION 'derived facts refer to unknown derived facts or form a cycle through %', array_to_string(waiting, ', ') USING ERRCODE = '22023';
    END IF;
    pending := waiting;
  END LOOP;
  RETURN out;
END $$`;

/** classifyRecord(): the Classification of one record for a system (roles, answers, derived facts) on as_of. */
const CLASSIFY_FN = `
CREATE FUNCTION hub_appl_classify(record jsonb, fact_defs jsonb, derived jsonb, facts jsonb, roles text[], as_of date) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  e jsonb; cond jsonb; c text; r jsonb; v text; af jsonb; seen jsonb := '[]'::jsonb;
  day text; date_known boolean; date_facts jsonb;
BEGIN
  IF NOT coalesce((record -> 'actors') ?| roles, false) THEN RETURN '{"status": "ABSENT", "reason": "ROLE", "facts": []}'::jsonb; END IF;
  e := record -> 'condition';
  cond := hub_appl_expr(e, fact_defs, derived, facts);
  c := cond ->> 'value';
  IF c = 'FALSE' THEN RETURN jsonb_build_object('status', 'ABSENT', 'reason', 'EXCLUDED', 'facts', hub_appl_sorted(cond -> 'facts')); END IF;
  IF c IS NULL THEN RAISE EXCEPTION 'record %: a derived fact is missing from derived', record ->> 'ref' USING ERRCODE = '22023'; END IF;
  af := record -> 'appliesFrom';
  IF jsonb_typeof(af) = 'string' THEN
    day := af #>> '{}';
    date_known := true;
    date_facts := '[]'::jsonb;
  ELSE
    FOR i IN 0 .. jsonb_array_length(af) - 1 LOOP
      e := af -> i -> 'when';
      IF e IS NULL OR e = 'null' THEN
        day := af -> i ->> 'from'; date_known := true; date_facts := seen;
        EXIT;
      END IF;
      r := hub_appl_expr(e, fact_defs, derived, facts);
      v := r ->> 'value';
      -- An earlier entry that may or may not apply leaves the date open, whatever the later entries say.
      IF v = 'UNKNOWN' THEN
        date_known := false; date_facts := r -> 'facts';
        EXIT;
      END IF;
      IF v IS NULL THEN RAISE EXCEPTION 'record %: a derived fact is missing from derived', record ->> 'ref' USING ERRCODE = '22023'; END IF;
      seen := seen || (r -> 'facts');
      IF v = 'TRUE' THEN
        day := af -> i ->> 'from'; date_known := true; date_facts := seen;
        EXIT;
      END IF;
    END LOOP;
    IF date_known IS NULL THEN RAISE EXCEPTION 'record %: appliesFrom list without an entry that applies', record ->> 'ref' USING ERRCODE = '22023'; END IF;
  END IF;
  IF c = 'UNKNOWN' OR NOT date_known THEN
    RETURN jsonb_build_object('status', 'CONDITIONAL', 'from', CASE WHEN date_known THEN day END,
      'unknownFacts', hub_appl_sorted(CASE WHEN c = 'UNKNOWN' THEN cond -> 'facts' ELSE '[]' END || CASE WHEN date_known THEN '[]' ELSE date_facts END));
  END IF;
  -- As the rules compare: 'YYYY-MM-DD' strings (a format without words, so to_char is as immutable as the rest).
  RETURN jsonb_build_object('status', CASE WHEN to_char(as_of, 'YYYY-MM-DD') >= day COLLATE "C" THEN 'BINDING' ELSE 'NOT_YET' END,
    'from', day, 'facts', hub_appl_sorted((cond -> 'facts') || date_facts));
END $$`;

/**
 * The SQL twin of src/modules/ai-system/applicability.rules.ts (the data: seeds/eu-ai-act/applicability.json),
 * giving the same answers, explanations included: hub_appl_derived(fact_defs, derived_defs, facts),
 * hub_appl_eval(expr, fact_defs, derived, facts) and hub_appl_classify(record, fact_defs, derived, facts, roles,
 * as_of). Callers compute hub_appl_derived once per system and pass it to every record; the functions are STRICT
 * (a NULL argument gives NULL). test/integration/applicability-sql.test.ts holds both sides equal.
 */
export class ApplicabilitySql1765152000000 implements MigrationInterface {
  name = 'ApplicabilitySql1765152000000';

  public async up(q: QueryRunner): Promise<void> {
    // hub_appl_combine (plpgsql, resolved when it runs) calls hub_appl_expr, which is created after it.
    for (const sql of [FACTS_TYPE, SORTED_FN, TRUTH_FN, HOLDS_FN, ATOM_FN, COMBINE_FN, EXPR_FN, EVAL_FN, FITS_FN, DERIVED_FN, CLASSIFY_FN]) {
      await q.query(sql);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION hub_appl_classify(jsonb, jsonb, jsonb, jsonb, text[], date)`);
    await q.query(`DROP FUNCTION hub_appl_derived(jsonb, jsonb, jsonb)`);
    await q.query(`DROP FUNCTION hub_appl_fits(jsonb, jsonb)`);
    await q.query(`DROP FUNCTION hub_appl_eval(jsonb, jsonb, jsonb, jsonb)`);
    await q.query(`DROP FUNCTION hub_appl_expr(jsonb, jsonb, jsonb, jsonb)`);
    await q.query(`DROP FUNCTION hub_appl_combine(jsonb, text, jsonb, jsonb, jsonb)`);
    await q.query(`DROP FUNCTION hub_appl_atom(jsonb, jsonb, jsonb, jsonb)`);
    await q.query(`DROP FUNCTION hub_appl_holds(jsonb, jsonb)`);
    await q.query(`DROP FUNCTION hub_appl_truth(boolean)`);
    await q.query(`DROP FUNCTION hub_appl_sorted(jsonb)`);
    await q.query(`DROP TYPE hub_appl_facts`);
  }
}
