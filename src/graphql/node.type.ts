import { Field, ID, InterfaceType } from 'type-graphql';

/** Anything that `node(id:)` can fetch. Ids are UUIDs, unique across all node types. */
@InterfaceType({ description: 'An object with a globally unique id, fetchable with `node(id:)` and `nodes(ids:)`.' })
export abstract class Node {
  @Field(() => ID, { description: 'Globally unique id (a UUID).' })
  id: string;
}
