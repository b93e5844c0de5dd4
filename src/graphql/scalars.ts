/**
 * The date scalars of the API: graphql-scalars' DateTime and LocalDate, bounded to the instants in
 * input-bounds.ts (year 1000 to 8999), so a year PostgreSQL or a JS ISO string cannot hold never
 * reaches a resolver. Outside the bounds: BAD_USER_INPUT naming the argument (src/graphql/errors.ts).
 *
 * The bound is installed on graphql-scalars' own instances rather than on copies: a schema holds one
 * type per name, and a file that still imports the scalar from graphql-scalars must get the same
 * (bounded) type instead of breaking the schema build with a second "DateTime". Import from here.
 */
import { GraphQLError, GraphQLScalarType, ValueNode } from 'graphql';
import { GraphQLDateTime as LibraryDateTime, GraphQLLocalDate as LibraryLocalDate } from 'graphql-scalars';
import { DATE_BOUNDS_MESSAGE, dateOutOfBounds, localDateProblem } from './input-bounds';
import { ErrorCode } from './errors';

const BOUNDED = Symbol.for('control-mapping-hub.bounded-scalar');

/**
 * Variables: a GraphQLError, which graphql-js reports as `Variable "$asOf" got invalid value ...; <message>`.
 * Literals: a plain error, which graphql-js wraps as `Expected value of type ...; <message>` with the
 * literal's location (a GraphQLError would be reported bare, without it); formatError finds the argument
 * path from that location and answers BAD_USER_INPUT.
 */
export class DateBoundsError extends Error {
  readonly inputBounds = true;
}
const outOfBounds = (message: string, literal: boolean) =>
  literal ? new DateBoundsError(message) : new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });

function bound<T>(scalar: GraphQLScalarType, specifiedByURL: string, check: (parsed: T) => string | null): GraphQLScalarType {
  const holder = scalar as GraphQLScalarType & { [BOUNDED]?: true };
  if (holder[BOUNDED]) return scalar;
  // @specifiedBy in the SDL: clients and code generators learn the format without reading descriptions.
  Object.assign(scalar, { specifiedByURL });
  const parseValue = scalar.parseValue.bind(scalar);
  const parseLiteral = scalar.parseLiteral.bind(scalar);
  const checked = (parsed: T, literal: boolean) => {
    const problem = check(parsed);
    if (problem) throw outOfBounds(problem, literal);
    return parsed;
  };
  Object.assign(scalar, {
    parseValue: (value: unknown) => checked(parseValue(value) as T, false),
    parseLiteral: (node: ValueNode, variables?: Record<string, unknown> | null) => checked(parseLiteral(node, variables) as T, true),
  });
  holder[BOUNDED] = true;
  return scalar;
}

/** An instant, as an RFC 3339 date-time string, from 1000-01-01T00:00:00.000Z to 8999-12-31T23:59:59.999Z. */
export const DateTime = bound<Date>(LibraryDateTime, 'https://datatracker.ietf.org/doc/html/rfc3339#section-5.6', (d) =>
  dateOutOfBounds(d) ? `DateTime ${DATE_BOUNDS_MESSAGE}` : null);

/** A calendar date (YYYY-MM-DD) from 1000-01-01 to 8999-12-31. */
export const LocalDate = bound<string>(LibraryLocalDate, 'https://www.iso.org/iso-8601-date-and-time-format.html', (d) => {
  const problem = localDateProblem(String(d));
  return problem ? `LocalDate ${problem}` : null;
});
