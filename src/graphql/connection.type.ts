import { ClassType, Field, Int, ObjectType } from 'type-graphql';
import { badInput } from './errors';

/** Page sizes are bounded everywhere: 1 to MAX_PAGE_SIZE. */
export const MAX_PAGE_SIZE = 200;

@ObjectType({ description: 'Where a page sits in the full list.' })
export class PageInfo {
  @Field({ description: 'True when more items follow this page.' })
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item of this page: pass it as `after` for the next page.' })
  endCursor: string | null;
}

export interface Page<T> {
  items: { node: T; cursor: string }[];
  hasNextPage: boolean;
  /** Counts the whole filtered list; only called when a client asks for totalCount. */
  count: () => Promise<number>;
}

/** Generic cursor connection (XConnection with XEdge and PageInfo), one factory for every list. */
export function Connection<T extends object>(itemClass: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { description: `One ${name} of a page, with its cursor.` })
  class Edge {
    @Field(() => itemClass, { description: 'The item.' })
    node: T;

    @Field({ description: 'Opaque cursor of this item.' })
    cursor: string;
  }

  @ObjectType()
  abstract class ConnectionBase {
    @Field(() => [Edge], { description: 'The items of this page, with cursors.' })
    edges: Edge[];

    @Field(() => [itemClass], { description: 'The items of this page.' })
    nodes: T[];

    @Field(() => PageInfo, { description: 'Paging state.' })
    pageInfo: PageInfo;

    countFn: () => Promise<number>;

    @Field(() => Int, { description: 'Number of items in the whole (filtered) list.' })
    totalCount(): Promise<number> {
      return this.countFn();
    }

    static fromPage<C extends ConnectionBase>(this: new () => C, page: Page<T>): C {
      const c = new this();
      c.edges = page.items.map((i) => Object.assign(new Edge(), i));
      c.nodes = page.items.map((i) => i.node);
      c.pageInfo = Object.assign(new PageInfo(), {
        hasNextPage: page.hasNextPage,
        endCursor: page.items.length ? page.items[page.items.length - 1].cursor : null,
      });
      c.countFn = page.count;
      return c;
    }
  }
  return ConnectionBase;
}

/** Cursors are opaque to clients: base64url of a typed key. */
export function encodeCursor(kind: string, key: number): string {
  return Buffer.from(`${kind}:${key}`, 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string, field = 'after'): number {
  const decoded = /^[A-Za-z0-9_-]{1,64}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = /^([a-z]+):(-?\d{1,15})$/.exec(decoded);
  if (!m || m[1] !== kind) throw badInput(field, `${field}: malformed cursor "${cursor.slice(0, 80)}"`);
  return Number(m[2]);
}

export function checkPageSize(first: number, field = 'first'): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(field, `${field} must be between 1 and ${MAX_PAGE_SIZE}, got ${first}`);
  }
}
