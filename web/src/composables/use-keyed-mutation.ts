import type { OperationVariables, TypedDocumentNode } from '@apollo/client';
import { useMutation } from '@/composables/use-mutation';
import { isRetryable, newClientKey } from './client-key';

type Keyed = { input: { clientKey?: string | null } };

/**
 * A mutation whose input carries a DOC-1 client key: each new action gets a fresh key; the
 * same action sent again after a network failure reuses the key of the failed attempt, so
 * the server applies it at most once.
 */
export function useKeyedMutation<TData, TVariables extends OperationVariables & Keyed>(document: TypedDocumentNode<TData, TVariables>) {
  const { data, error, loading, mutate } = useMutation(document);
  // The last attempt that may have been lost: its request (without key) and its key.
  let unsettled: { request: string; clientKey: string } | undefined;

  return { data, error, loading, run };

  /** Sends the action; resolves to the payload, or `undefined` with `error` set. */
  async function run(variables: TVariables): Promise<TData | undefined> {
    const request = JSON.stringify(variables);
    const clientKey = unsettled?.request === request ? unsettled.clientKey : newClientKey();
    const result = await mutate({ ...variables, input: { ...variables.input, clientKey } } as TVariables);
    unsettled = result === undefined && isRetryable(error.value) ? { request, clientKey } : undefined;
    return result;
  }
}
