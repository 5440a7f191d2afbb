import { GraphQLError } from 'graphql';

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
