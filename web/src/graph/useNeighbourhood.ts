import { useEffect, useState } from 'react';
import { gql } from '@apollo/client';
import { useApolloClient } from '@apollo/client/react';
import { buildNeighbourhood, type Neighbourhood, type RawEdge, type RequirementInfo } from './neighbourhood';

const EDGE = `mappingId relationship strength source { key name versionLabel } counterpart { id ref title framework { key name shortName } }`;

const CENTRE = gql`
  query GraphCentre($key: String!, $ref: String!) {
    requirement(framework: $key, ref: $ref) { id ref title framework { key name shortName } mappings { ${EDGE} } }
  }
`;

/** nodes(ids:) takes 100 ids; the hub allows 25 root fields per request (HUB_MAX_ROOT_FIELDS). */
const IDS_PER_FIELD = 100;
const FIELDS_PER_REQUEST = 25;
/** Most requirements drawn: past it a level is not expanded (the page says so). */
export const MAX_NODES = 400;

/** One request for a whole level: its requirements' mappings, 100 ids per aliased nodes(ids:) field. */
function levelQuery(chunks: number) {
  const vars = Array.from({ length: chunks }, (_, i) => `$ids${i}: [ID!]!`).join(', ');
  const fields = Array.from({ length: chunks }, (_, i) => `n${i}: nodes(ids: $ids${i}) { ... on Requirement { id mappings { ${EDGE} } } }`).join('\n');
  return gql(`query GraphLevel(${vars}) {\n${fields}\n}`);
}

type State = { data: Neighbourhood | null; error: unknown; loading: boolean };

/**
 * Breadth-first over requirement.mappings: one request per level (the centre, then every requirement
 * of the level at once), so depth 3 is three requests whatever the fan-out.
 */
export function useNeighbourhood(framework: string, ref: string, depth: number): State {
  const client = useApolloClient();
  const [state, setState] = useState<State>({ data: null, error: null, loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    (async () => {
      const first = await client.query<{ requirement: RequirementInfo & { mappings: RawEdge[] } }>({ query: CENTRE, variables: { key: framework, ref }, fetchPolicy: 'cache-first' });
      const centre = first.data!.requirement;
      const expansions = new Map<string, RawEdge[]>([[centre.id, centre.mappings]]);
      const seen = new Set<string>([centre.id]);
      let frontier = [centre.id];
      let truncated = false;
      for (let level = 1; level <= depth; level++) {
        const next: string[] = [];
        for (const id of frontier) {
          for (const e of expansions.get(id) ?? []) {
            if (e.relationship === 'NO_RELATIONSHIP' || seen.has(e.counterpart.id)) continue;
            seen.add(e.counterpart.id);
            next.push(e.counterpart.id);
          }
        }
        if (level === depth || !next.length) break;
        if (seen.size > MAX_NODES || next.length > IDS_PER_FIELD * FIELDS_PER_REQUEST) {
          truncated = true;
          break;
        }
        const chunks: string[][] = [];
        for (let i = 0; i < next.length; i += IDS_PER_FIELD) chunks.push(next.slice(i, i + IDS_PER_FIELD));
        const res = await client.query<Record<string, ({ id: string; mappings: RawEdge[] } | null)[]>>({
          query: levelQuery(chunks.length),
          variables: Object.fromEntries(chunks.map((c, i) => [`ids${i}`, c])),
          fetchPolicy: 'cache-first',
        });
        for (const list of Object.values(res.data ?? {})) for (const r of list) if (r) expansions.set(r.id, r.mappings);
        frontier = next;
      }
      if (live) setState({ data: buildNeighbourhood(centre, expansions, depth, truncated), error: null, loading: false });
    })().catch((error) => {
      if (live) setState({ data: null, error, loading: false });
    });
    return () => {
      live = false;
    };
  }, [client, framework, ref, depth]);
  return state;
}
