/**
 * Input bounds, in one place: the longest text every String (and ID) input may be, the instants a
 * DateTime may name, and the URI schemes the hub stores. The GraphQL check below applies them to every
 * argument and nested input field before any resolver runs; services, imports and the CSV exports use
 * the same functions; migrations/1764979200000-text-limits.ts copies the numbers into CHECK constraints.
 */
import {
  FragmentDefinitionNode, GraphQLInputType, GraphQLSchema, OperationDefinitionNode, SelectionSetNode, ValueNode,
  getNamedType, getNullableType, isInputObjectType, isListType, isNonNullType, parse, print,
} from 'graphql';

/** Earliest and latest instant accepted anywhere (inclusive). A year of headroom on both sides keeps
 *  cadence and window arithmetic (+1 year, -1 day) inside what PostgreSQL and JS ISO strings hold. */
export const EARLIEST = new Date('1000-01-01T00:00:00.000Z');
export const LATEST = new Date('8999-12-31T23:59:59.999Z');

export function dateOutOfBounds(d: Date): boolean {
  const t = d.getTime();
  return Number.isNaN(t) || t < EARLIEST.getTime() || t > LATEST.getTime();
}

export const DATE_BOUNDS_MESSAGE = `must be between ${EARLIEST.toISOString()} and ${LATEST.toISOString()}`;

/** A YYYY-MM-DD date inside the bounds, or the reason it is not. */
export function localDateProblem(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(`${value}T00:00:00.000Z`) : null;
  if (!m || !d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) return `"${value.slice(0, 50)}" is not a date (YYYY-MM-DD)`;
  return dateOutOfBounds(d) ? `${value} ${DATE_BOUNDS_MESSAGE}` : null;
}

/**
 * Longest text (in UTF-16 code units, as JS and GraphQL count) by input field or argument name; a
 * `Type.field` entry wins over the plain name. Names not listed get DEFAULT_TEXT_LIMIT.
 */
export const TEXT_LIMITS: Readonly<Record<string, number>> = {
  // keys, refs, codes, identifiers
  key: 100, ref: 100, sourceRef: 100, targetRef: 100, parentRef: 100, framework: 100, frameworks: 100, from: 100, to: 100,
  source: 100, target: 100, toFramework: 100, sourceFramework: 100, targetFramework: 100, scopeFrameworks: 100, requirements: 100,
  version: 100, sourceSystem: 100, status: 100, operation: 100, caseRef: 200, contentSha256: 64, after: 200, id: 100,
  evidenceId: 100, endpointId: 100, deliveryId: 100, afterEventId: 100, aiSystemId: 100, pointId: 100, auditId: 100, findingId: 100, recordId: 100, tokenId: 100, touchedId: 100,
  dataCategories: 100, annexIIIArea: 100, search: 200, query: 200, fact: 100, amendment: 100, ojReference: 200, 'EuFactInput.value': 100,
  // names
  name: 200, externalId: 200, owner: 200, assessor: 200, auditor: 200, reviewer: 200, publisher: 200, supplier: 200, model: 200,
  businessUnit: 200, overseerRole: 200, location: 500, programme: 200,
  // titles and short text
  title: 500, decision: 2_000, triggerCriteria: 2_000, note: 2_000, comment: 2_000, reason: 2_000, overrideReason: 2_000,
  // links
  uri: 2_000, url: 2_000, licenceNote: 2_000,
  // long text
  description: 10_000, justification: 10_000, rationale: 10_000, classificationRationale: 10_000, intendedPurpose: 10_000,
  methodNote: 10_000, rootCause: 10_000, correction: 10_000, correctiveAction: 10_000, text: 10_000,
  // whole imported documents: just under a request body (HUB_MAX_BODY_BYTES' default 5,242,880 bytes)
  document: 5_000_000,
  // where a type's field differs from the plain name (the services check these too)
  'CreateApiTokenInput.name': 100, 'CreateWebhookEndpointInput.description': 1_000, 'UpdateWebhookEndpointInput.description': 1_000, 'SetApplicabilityInput.justification': 5_000, 'ReviewEvidenceInput.comment': 5_000, 'SectionInput.text': 20_000,
  // rows of imported documents (src/modules/interchange): catalog titles and prose run longer than API input
  'ImportedRequirement.title': 1_000, 'ImportedRequirement.text': 100_000, 'ImportedRequirement.summary': 100_000,
  'ImportedMapping.sourceId': 200, 'ImportedMapping.targetId': 200,
};
export const DEFAULT_TEXT_LIMIT = 1_000;

export function textLimit(name: string, typeName?: string): number {
  return (typeName && TEXT_LIMITS[`${typeName}.${name}`]) || TEXT_LIMITS[name] || DEFAULT_TEXT_LIMIT;
}

export const tooLongMessage = (field: string, length: number, max: number) =>
  `${field} is ${length} characters long; the limit is ${max}`;

/** URI schemes the hub stores (evidence uri, mapping-set url): web, object stores, file shares, repositories. */
export const URI_SCHEMES: readonly string[] = ['http', 'https', 's3', 'gs', 'az', 'abfs', 'abfss', 'wasbs', 'file', 'smb', 'sftp', 'ftp', 'ftps', 'urn', 'git', 'ssh'];

/** Null when `uri` is an absolute URI with an allowed scheme; else the message naming `field`. */
export function uriProblem(field: string, uri: string): string | null {
  if (!URL.canParse(uri) || /\s/.test(uri)) return `${field} is not an absolute URI: "${uri.slice(0, 100)}"`;
  const scheme = new URL(uri).protocol.replace(/:$/, '').toLowerCase();
  if (!URI_SCHEMES.includes(scheme)) return `${field} has the scheme "${scheme.slice(0, 30)}"; allowed: ${URI_SCHEMES.join(', ')}`;
  return null;
}

export interface InputProblem {
  field: string;
  message: string;
}

type Visit = { kind: 'node'; node: ValueNode; type: GraphQLInputType; path: string; name: string; owner?: string }
  | { kind: 'value'; value: unknown; type: GraphQLInputType; path: string; name: string; owner?: string };

const TEXT_TYPES = new Set(['String', 'ID']);
/** JSON-valued inputs (a register record's `data`) are bounded by their serialized length. */
const JSON_TYPES = new Set(['JSON', 'JSONObject']);
export const JSON_INPUT_LIMIT = 100_000;

/**
 * The first String or ID input longer than its limit, in the arguments of every field of the operation
 * (fragments included), literal or from variables, at any depth of input objects and lists. Iterative:
 * a document may nest lists as deep as the token limit allows.
 */
export function textBoundsProblem(
  schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>, variables: Record<string, unknown> | undefined,
): InputProblem | null {
  const rootType = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!rootType) return null;
  const values: Visit[] = [];
  const defaults = new Map<string, ValueNode>();
  for (const d of operation.variableDefinitions ?? []) if (d.defaultValue) defaults.set(d.variable.name.value, d.defaultValue);
  forEachArgument(schema, operation.selectionSet, rootType.name, fragments, (argName, type, value) => {
    values.push({ kind: 'node', node: value, type, path: argName, name: argName });
  });
  while (values.length) {
    const v = values.pop()!;
    const type = getNullableType(v.type) as GraphQLInputType;
    if (v.kind === 'node' && v.node.kind === 'Variable') {
      // A variable the request leaves out takes its default, a literal in the document.
      const name = v.node.name.value;
      const given = variables !== undefined && Object.prototype.hasOwnProperty.call(variables, name);
      const fallback = defaults.get(name);
      if (!given && fallback) values.push({ kind: 'node', node: fallback, type, path: v.path, name: v.name, owner: v.owner });
      else values.push({ kind: 'value', value: variables?.[name], type, path: v.path, name: v.name, owner: v.owner });
      continue;
    }
    if (isListType(type)) {
      const items = v.kind === 'node' ? (v.node.kind === 'ListValue' ? v.node.values : [v.node]) : Array.isArray(v.value) ? v.value : [v.value];
      items.forEach((item: unknown, i: number) => values.push({ ...v, ...(v.kind === 'node' ? { node: item as ValueNode } : { value: item }), type: type.ofType, path: `${v.path}[${i}]` } as Visit));
      continue;
    }
    if (isInputObjectType(type)) {
      const fields = type.getFields();
      if (v.kind === 'node') {
        if (v.node.kind !== 'ObjectValue') continue;
        for (const f of v.node.fields) {
          const def = fields[f.name.value];
          if (def) values.push({ kind: 'node', node: f.value, type: def.type, path: `${v.path}.${f.name.value}`, name: f.name.value, owner: type.name });
        }
      } else if (v.value && typeof v.value === 'object' && !Array.isArray(v.value)) {
        for (const [k, val] of Object.entries(v.value as Record<string, unknown>)) {
          const def = fields[k];
          if (def) values.push({ kind: 'value', value: val, type: def.type, path: `${v.path}.${k}`, name: k, owner: type.name });
        }
      }
      continue;
    }
    if (JSON_TYPES.has(getNamedType(type).name)) {
      const size = v.kind === 'node' ? print(v.node).length : (JSON.stringify(v.value) ?? '').length;
      if (size > JSON_INPUT_LIMIT) return { field: v.path, message: `${v.path} is ${size} characters of JSON; the limit is ${JSON_INPUT_LIMIT}` };
      continue;
    }
    if (!TEXT_TYPES.has(getNamedType(type).name)) continue;
    const text = v.kind === 'node' ? (v.node.kind === 'StringValue' ? v.node.value : null) : typeof v.value === 'string' ? v.value : null;
    if (text === null) continue;
    const max = textLimit(v.name, v.owner);
    if (text.length > max) return { field: v.path, message: tooLongMessage(v.path, text.length, max) };
  }
  return null;
}

/** Calls `fn` for every argument given to a field of the selection set, fragments expanded once each. */
function forEachArgument(
  schema: GraphQLSchema, root: SelectionSetNode, rootTypeName: string, fragments: Record<string, FragmentDefinitionNode>,
  fn: (argName: string, type: GraphQLInputType, value: ValueNode) => void,
): void {
  const stack: { set: SelectionSetNode; typeName: string }[] = [{ set: root, typeName: rootTypeName }];
  const expanded = new Set<string>();
  while (stack.length) {
    const { set, typeName } = stack.pop()!;
    for (const sel of set.selections) {
      if (sel.kind === 'InlineFragment') {
        stack.push({ set: sel.selectionSet, typeName: sel.typeCondition?.name.value ?? typeName });
      } else if (sel.kind === 'FragmentSpread') {
        const f = fragments[sel.name.value];
        if (f && !expanded.has(sel.name.value)) {
          expanded.add(sel.name.value);
          stack.push({ set: f.selectionSet, typeName: f.typeCondition.name.value });
        }
      } else {
        const parent = schema.getType(typeName) as { getFields?: () => Record<string, { args: readonly { name: string; type: GraphQLInputType }[]; type: unknown }> };
        const field = parent?.getFields?.()[sel.name.value];
        if (!field) continue;
        for (const a of sel.arguments ?? []) {
          const def = field.args.find((x) => x.name === a.name.value);
          if (def) fn(a.name.value, def.type, a.value);
        }
        if (sel.selectionSet) stack.push({ set: sel.selectionSet, typeName: getNamedType(field.type as GraphQLInputType).name });
      }
    }
  }
}

/**
 * The argument path (`input.items[2].effectiveAt`) of the literal value that starts at `offset` in the
 * document `source`: graphql-js reports a literal that a scalar refuses by its location only.
 */
export function literalPathAt(source: string, offset: number): string | null {
  let doc;
  try {
    doc = parse(source);
  } catch {
    return null;
  }
  const stack: { node: ValueNode; path: string }[] = [];
  const selections: SelectionSetNode[] = [];
  for (const d of doc.definitions) {
    if (d.kind === 'OperationDefinition' || d.kind === 'FragmentDefinition') selections.push(d.selectionSet);
    // A variable's default value is named by the variable.
    if (d.kind === 'OperationDefinition') for (const v of d.variableDefinitions ?? []) if (v.defaultValue) stack.push({ node: v.defaultValue, path: v.variable.name.value });
  }
  while (selections.length) {
    for (const sel of selections.pop()!.selections) {
      if (sel.kind === 'FragmentSpread') continue;
      if (sel.kind === 'Field') for (const a of sel.arguments ?? []) stack.push({ node: a.value, path: a.name.value });
      if (sel.selectionSet) selections.push(sel.selectionSet);
    }
  }
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (node.loc?.start === offset) return path;
    if (node.kind === 'ListValue') node.values.forEach((n, i) => stack.push({ node: n, path: `${path}[${i}]` }));
    if (node.kind === 'ObjectValue') for (const f of node.fields) stack.push({ node: f.value, path: `${path}.${f.name.value}` });
  }
  return null;
}

/** `Variable "$input" got invalid value ... at "input.items[0].uri"; ...`: the path, else the variable. */
export function variablePathOf(message: string): string | null {
  const m = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)"(?: got invalid value [\s\S]*? at "([^"]+)";| of )/.exec(message)
    ?? /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)"/.exec(message);
  return m ? (m[2] ?? m[1]) : null;
}

/** Inner ... nesting is at most this deep in imported documents; NIST SP 800-53 nests 3 to 4. */
export const IMPORT_MAX_DEPTH = 16;
/** Rows (CSV) or groups and controls (OSCAL) per imported document. */
export const IMPORT_MAX_NODES = 20_000;
/** JSON nesting of an imported OSCAL document (objects and arrays); control nesting takes about 2 per level plus parts. */
export const IMPORT_MAX_JSON_DEPTH = 100;
