import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';

/**
 * DOC-1: a fresh idempotency key for one user action. `crypto.randomUUID` exists only in
 * secure contexts (HTTPS, localhost); a store's back office on plain HTTP still gets a
 * version-4 UUID from `getRandomValues`, which is available everywhere.
 */
export function newClientKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Whether a failed call may have been lost on the way (network down, gateway, server
 * restarting): then the same action is retried with the same key, and the server answers
 * with the first result if it did arrive. A GraphQL refusal or a 4xx is final.
 */
export function isRetryable(error: unknown): boolean {
  if (CombinedGraphQLErrors.is(error)) return false;
  if (ServerError.is(error)) return error.statusCode >= 500 || error.statusCode === 408 || error.statusCode === 429;
  return true;
}
