import { GraphQLError } from 'graphql';
import pg from 'pg';

/**
 * Stable `extensions.code` values of thrown errors. Expected, user-fixable problems are
 * returned as `userErrors` in mutation payloads instead (see user-error.ts).
 */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'STORE_OUT_OF_SCOPE'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'QUERY_TOO_DEEP'
  | 'QUERY_TOO_COMPLEX'
  | 'CONFLICT'
  | 'INTERNAL_SERVER_ERROR';

export function fail(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): never {
  throw new GraphQLError(message, { extensions: { code, ...extra } });
}

export const unauthenticated = () => fail('UNAUTHENTICATED', 'Sign in first: this call needs a valid session.');
export const forbidden = (what = 'this action') => fail('FORBIDDEN', `Your role does not allow ${what}.`);
export const notFound = (what: string, id: string | number) => fail('NOT_FOUND', `${what} ${id} does not exist.`, { id: String(id) });

export const NUL_MESSAGE = 'Text cannot contain the NUL character (\\0).';

/**
 * Values PostgreSQL refuses, by SQLSTATE: the caller's input, not a fault of the server. Said in
 * our words (PostgreSQL's name types and constraints), so the safety net of every API answers
 * the same stable code, over GraphQL and over plain HTTP.
 */
const REFUSED: Record<string, { code: ErrorCode; message: string }> = {
  '22021': { code: 'BAD_USER_INPUT', message: NUL_MESSAGE }, // character_not_in_repertoire: a NUL in text
  '22P05': { code: 'BAD_USER_INPUT', message: NUL_MESSAGE }, // untranslatable_character: a NUL in JSON
  '22001': { code: 'BAD_USER_INPUT', message: 'A text is longer than its field allows.' },
  '22P02': { code: 'BAD_USER_INPUT', message: 'A value is not in the form expected, such as an id that is not a number.' },
  '22003': { code: 'BAD_USER_INPUT', message: 'A number is out of range, such as an id too large to exist.' },
  '22007': { code: 'BAD_USER_INPUT', message: 'A date or time is not in the form expected.' },
  '22008': { code: 'BAD_USER_INPUT', message: 'A date or time is out of range.' },
};

/**
 * Functions that read a value given as text (a parameter, a literal): when one of them refuses a
 * value, the value came in from outside. The same SQLSTATEs from arithmetic on values of ours
 * (an overflowing sum, a bad cast in our own SQL) stay internal errors.
 */
const READS_INPUT =
  /^(pg_strtoint|int[248]in$|numeric_in$|set_var_from_str$|float[48]in|boolin$|enum_in$|DateTimeParseError$|timestamp|date_in$|uuid_in$)/;
const READ_CODES = new Set(['22P02', '22003', '22007', '22008']);

/** The typed error of a database error caused by the input, or null for a fault of ours. */
export function refusedInput(e: unknown): { code: ErrorCode; message: string } | null {
  if (!(e instanceof pg.DatabaseError) || !e.code) return null;
  if (READ_CODES.has(e.code) && !READS_INPUT.test(e.routine ?? '')) return null;
  if (e.code === '23503') {
    // A foreign key: a row naming one that does not exist, or a row still named by others.
    return e.detail?.includes('is still referenced')
      ? { code: 'CONFLICT', message: 'This record is still in use by others.' }
      : { code: 'NOT_FOUND', message: 'A record this refers to does not exist.' };
  }
  return REFUSED[e.code] ?? null;
}
