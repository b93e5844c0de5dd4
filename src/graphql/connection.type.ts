import { ArgsType, ClassType, Field, Int, ObjectType } from 'type-graphql';
import { IsOptional, Max, Min } from 'class-validator';
import { badInput } from './errors';

/** Page sizes are bounded everywhere: 1 to MAX_PAGE_SIZE. */
export const MAX_PAGE_SIZE = 200;
/** The page size when a client gives neither `first` nor `last`. */
export const DEFAULT_PAGE_SIZE = 50;

@ObjectType({ description: 'Where a page sits in the full list (Relay cursor connections).' })
export class PageInfo {
  @Field({ description: 'True when more items follow this page. With `last`/`before`: true when `before` was given (its item follows).' })
  hasNextPage: boolean;

  @Field({ description: 'True when items precede this page. With `first`/`after`: true when `after` was given (its item precedes).' })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first item of this page: pass it as `before` (with `last`) for the previous page. Null for an empty page.' })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item of this page: pass it as `after` (with `first`) for the next page. Null for an empty page.' })
  endCursor: string | null;
}

/** The four Relay paging arguments, shared by every connection field. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size from the start (or from \`after\`), 1 to ${MAX_PAGE_SIZE}; ${DEFAULT_PAGE_SIZE} when neither first nor last is given.` })
  @IsOptional()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Only items after this cursor (a previous page\'s pageInfo.endCursor).' })
  @IsOptional()
  after?: string | null;

  @Field(() => Int, { nullable: true, description: `Page size from the end (or from \`before\`), 1 to ${MAX_PAGE_SIZE}. Not with first.` })
  @IsOptional()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'Only items before this cursor (a previous page\'s pageInfo.startCursor).' })
  @IsOptional()
  before?: string | null;
}

/**
 * One page of a keyset-ordered list: `size` items taken from the start of the (after, before) range, or
 * from its end when `backward` (last/before). Keys are compared in list order; services query backward
 * pages in reverse order and `keysetPage` flips them back.
 */
export interface Keyset<K> {
  size: number;
  backward: boolean;
  after: K | null;
  before: K | null;
}

/** Checks the page arguments and decodes their cursors. */
export function keyset<K>(args: PageArgs, decode: (cursor: string, field: string) => K, defaultSize = DEFAULT_PAGE_SIZE): Keyset<K> {
  const { first, last } = args;
  if (first != null && last != null) throw badInput('last', 'pass first or last, not both');
  if (first != null) checkPageSize(first, 'first');
  if (last != null) checkPageSize(last, 'last');
  return {
    size: first ?? last ?? defaultSize,
    backward: last != null,
    after: args.after != null ? decode(args.after, 'after') : null,
    before: args.before != null ? decode(args.before, 'before') : null,
  };
}

/**
 * SQL of a keyset window over `columns` (the list's order, all in one direction; the last makes it unique).
 * `bind` adds a key's values as parameters and answers their placeholders in column order.
 * The statement fetches size + 1 rows: the extra row tells whether more follow.
 */
export function keysetSql<K>(w: Keyset<K>, columns: string[], order: 'ASC' | 'DESC', bind: (key: K) => string[]): { where: string[]; orderBy: string; limit: number } {
  const row = (xs: string[]) => (xs.length === 1 ? xs[0] : `(${xs.join(', ')})`);
  const gt = order === 'ASC' ? '>' : '<';
  const lt = order === 'ASC' ? '<' : '>';
  const where: string[] = [];
  if (w.after !== null) where.push(`${row(columns)} ${gt} ${row(bind(w.after))}`);
  if (w.before !== null) where.push(`${row(columns)} ${lt} ${row(bind(w.before))}`);
  const dir = (order === 'ASC') !== w.backward ? 'ASC' : 'DESC';
  return { where, orderBy: columns.map((c) => `${c} ${dir}`).join(', '), limit: w.size + 1 };
}

/** The rows of a keyset statement (size + 1 at most, in query order) as a page in list order. */
export function keysetPage<T>(rows: T[], w: Keyset<unknown>): { rows: T[]; hasNextPage: boolean; hasPreviousPage: boolean } {
  const more = rows.length > w.size;
  const kept = rows.slice(0, w.size);
  if (w.backward) kept.reverse();
  return {
    rows: kept,
    // The side the page was not taken from: a cursor there names an item beyond it.
    hasNextPage: w.backward ? w.before !== null : more,
    hasPreviousPage: w.backward ? more : w.after !== null,
  };
}

export interface Page<T> {
  items: { node: T; cursor: string }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
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
        hasPreviousPage: page.hasPreviousPage,
        startCursor: page.items.length ? page.items[0].cursor : null,
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

/** A cursor over a composite key (text and number parts), for lists ordered by several columns. */
export function encodeKeyCursor(kind: string, key: readonly (string | number)[]): string {
  return Buffer.from(`${kind}:${JSON.stringify(key)}`, 'utf8').toString('base64url');
}

/** Decodes a composite cursor whose parts have the given types ('s' text, 'n' number). */
export function decodeKeyCursor(kind: string, shape: string, cursor: string, field = 'after'): (string | number)[] {
  const bad = () => badInput(field, `${field}: malformed cursor "${cursor.slice(0, 80)}"`);
  if (!/^[A-Za-z0-9_-]{1,1400}$/.test(cursor)) throw bad();
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith(`${kind}:`)) throw bad();
  let key: unknown;
  try {
    key = JSON.parse(decoded.slice(kind.length + 1));
  } catch {
    throw bad();
  }
  const ok = Array.isArray(key) && key.length === shape.length
    && key.every((v, i) => (shape[i] === 'n' ? typeof v === 'number' && Number.isFinite(v) : typeof v === 'string' && v.length <= 300));
  if (!ok) throw bad();
  return key as (string | number)[];
}

export function checkPageSize(first: number, field = 'first'): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(field, `${field} must be between 1 and ${MAX_PAGE_SIZE}, got ${first}`);
  }
}
