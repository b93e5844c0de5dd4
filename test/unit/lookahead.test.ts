import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type OperationDefinitionNode } from 'graphql';
import { connectionNodes, isLight, selected } from '../../src/graphql/lookahead';

/** The info a resolver of `requirements` gets for this document: its field nodes and the document's fragments. */
function infoAt(doc: string): GraphQLResolveInfo {
  const parsed = parse(doc);
  const op = parsed.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const framework = op.selectionSet.selections[0] as FieldNode;
  const requirements = framework.selectionSet!.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'requirements');
  const fragments = Object.fromEntries(
    parsed.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  return { fieldNodes: requirements, fragments } as unknown as GraphQLResolveInfo;
}

const names = (fields: FieldNode[]) => fields.map((f) => f.alias?.value ?? f.name.value);

describe('lookahead: what a requirement list is asked for', () => {
  it('finds nodes and edges.node, and fields under them through named and inline fragments', () => {
    const info = infoAt(`
      query { framework(key: "iso27001") { requirements(first: 5) {
        nodes { ...Req }
        edges { node { ... on Requirement { m2: mappings(direction: OUTGOING) { relationship } } } }
      } } }
      fragment Req on Requirement { ref mappings { ...Edge } }
      fragment Edge on MappingEdge { counterpart { ref framework { key } } }`);
    const nodes = connectionNodes(info);
    expect(names(nodes)).toEqual(['nodes', 'node']);
    const mappings = selected(info, nodes, 'mappings');
    expect(names(mappings)).toEqual(['mappings', 'm2']);
    const counterparts = selected(info, mappings, 'counterpart');
    expect(names(counterparts)).toEqual(['counterpart']);
    expect(names(selected(info, counterparts, 'framework'))).toEqual(['framework']);
    // Nothing under the requirements asks for their own framework.
    expect(selected(info, nodes, 'framework')).toEqual([]);
  });

  it('finds nothing when the list is not asked for its relations, and visits a fragment spread twice only once', () => {
    const info = infoAt(`
      query { framework(key: "iso27001") { requirements(first: 5) { nodes { ...A ...A ref } } } }
      fragment A on Requirement { title }`);
    const nodes = connectionNodes(info);
    expect(selected(info, nodes, 'mappings')).toEqual([]);
    expect(names(selected(info, nodes, 'title'))).toEqual(['title']);
  });

  it('calls a selection light only when every requirement field in it, fragments included, reads light columns', () => {
    const at = (nodes: string, fragments = '') => {
      const info = infoAt(`query { framework(key: "iso27001") { requirements(first: 5) { nodes { ${nodes} } } } } ${fragments}`);
      return isLight(info, connectionNodes(info));
    };
    expect(at('id ref title kind depth position assessable __typename framework { key } parent { text } children { ref } mappings { relationship } evidence { id }')).toBe(true);
    expect(at('ref text')).toBe(false);
    expect(at('ref ... on Requirement { summary }')).toBe(false);
    expect(at('ref ...F', 'fragment F on Requirement { ancestors { ref } }')).toBe(false);
    expect(at('ref ...F', 'fragment F on Requirement { attributes }')).toBe(false);
    expect(at('ref ...F', 'fragment F on Requirement { title }')).toBe(true);
  });
});
