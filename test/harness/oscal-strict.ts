/**
 * The typing OSCAL libraries apply beyond NIST's JSON schemas, as a walker over a document's JSON keyed by
 * field name. The rules are compliance-trestle's pydantic models (trestle/oscal/*.py, pydantic.v1):
 * - `ns` (and the other namespace/system URI fields) is `AnyUrl`: trestle refuses a URN such as
 *   `urn:control-mapping-hub:oscal`; this walker is stricter still and asks for an absolute http(s) URL.
 * - `href` is typed `str` by trestle and `uri-reference` by NIST: it must be a valid RFC 3986 URI reference
 *   (absolute, or relative such as `#ac-1` or `/export/oscal/catalog/x.json`), no spaces, valid %-escapes.
 * - token fields (ids, prop names, classes, groups, rels, types, with-ids, ...) match trestle's NCName
 *   regex, which is narrower than the schema's `\p{L}` token pattern (no `²`, no letters beyond the BMP).
 * - `uuid` and every `*-uuid` matches trestle's pattern: RFC 4122 variant, version 4 or 5 only.
 * - every date-time carries a timezone (trestle's serializer raises "Missing timezone in datetime").
 * - a prop `value` is a single-line string without outer white space (`^\S(.*\S)?$`, no DOTALL).
 */

// trestle's token regex, copied from trestle/oscal/common.py (the XML NCName character ranges).
const NC_START = '_A-Za-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD';
const TOKEN = new RegExp(`^[${NC_START}][${NC_START}\\-\\.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*$`);
const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$/;
const DATE_TIME_TZ = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const SINGLE_LINE = /^\S(.*\S)?$/;
// RFC 3986 URI-reference: an optional scheme, then only unreserved, reserved and %HH characters.
const URI_REFERENCE = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;

/** Fields typed as tokens; `name` only where it names a prop or a part (a party's name is free text). */
const TOKEN_FIELDS = new Set(['id', 'class', 'group', 'rel', 'type', 'target-id', 'id-ref', 'param-id', 'control-id', 'relationship', 'state', 'reason', 'with-child-controls']);
const TOKEN_LIST_FIELDS = new Set(['with-ids', 'methods']);
const URL_FIELDS = new Set(['ns', 'by-ns', 'scheme', 'system', 'identifier-type']);
const DATE_TIME_FIELDS = new Set(['published', 'last-modified', 'collected', 'expires', 'start', 'end', 'date', 'timestamp']);

export interface StrictProblem { path: string; rule: string; value: unknown }

const isHttpUrl = (v: string): boolean => {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0 && !/\s/.test(v);
  } catch {
    return false;
  }
};

/** Every place the document breaks one of the rules above, with its JSON path. Iterative. */
export function strictOscalProblems(doc: unknown, limit = 50): StrictProblem[] {
  const problems: StrictProblem[] = [];
  const stack: { v: unknown; path: string; key: string; parentKey: string }[] = [{ v: doc, path: '$', key: '', parentKey: '' }];
  const add = (path: string, rule: string, value: unknown) => problems.length < limit && problems.push({ path, rule, value });
  while (stack.length) {
    const { v, path, key, parentKey } = stack.pop()!;
    if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, path: `${path}[${i}]`, key, parentKey }));
      continue;
    }
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) stack.push({ v: x, path: `${path}['${k}']`, key: k, parentKey: key });
      continue;
    }
    if (typeof v !== 'string') continue;
    if (URL_FIELDS.has(key) && !isHttpUrl(v)) add(path, 'absolute http(s) URL', v);
    if (key === 'href' && !URI_REFERENCE.test(v)) add(path, 'URI reference', v);
    if ((TOKEN_FIELDS.has(key) || TOKEN_LIST_FIELDS.has(key) || (key === 'name' && (parentKey === 'props' || parentKey === 'parts'))) && !TOKEN.test(v)) add(path, 'token', v);
    if ((key === 'uuid' || key.endsWith('-uuid') || key.endsWith('-uuids')) && !UUID.test(v)) add(path, 'uuid v4/v5 (RFC 4122)', v);
    if (DATE_TIME_FIELDS.has(key) && !DATE_TIME_TZ.test(v)) add(path, 'date-time with timezone', v);
    if (key === 'value' && parentKey === 'props' && !SINGLE_LINE.test(v)) add(path, 'single-line string', v);
  }
  return problems;
}
