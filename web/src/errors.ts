import { CombinedGraphQLErrors, ServerError, ServerParseError } from '@apollo/client/errors';

/** One sentence for people, from whatever an operation failed with. */
export function describeError(error: unknown): string {
  if (typeof error === 'string') return error;
  if (CombinedGraphQLErrors.is(error)) {
    return error.errors.map((e) => e.message).join(' ') || 'The server refused the request.';
  }
  if (ServerError.is(error) || ServerParseError.is(error)) {
    return `The server answered with an error (HTTP ${error.statusCode}). Try again in a moment.`;
  }
  if (error instanceof TypeError) {
    // fetch() rejects with a TypeError when the server cannot be reached.
    return 'Cannot reach the server. Check your connection and try again.';
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Try again.';
}
