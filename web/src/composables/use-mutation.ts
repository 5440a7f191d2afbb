import type { ApolloClient, ErrorLike, OperationVariables, TypedDocumentNode } from '@apollo/client';
import { toErrorLike } from '@apollo/client/errors';
import { ref, shallowRef } from 'vue';
import { useApolloClient } from './use-apollo';
import type { VariablesOptional } from './variables';

/** Variables may be omitted exactly when the operation declares no required variable. */
export type MutateArgs<TVariables> = VariablesOptional<TVariables> extends true ? [variables?: TVariables] : [variables: TVariables];

/**
 * A mutation to run on demand. `mutate` never throws: it resolves to the data, or to
 * `undefined` with `error` set (thrown GraphQL errors and network failures).
 * Expected failures come back in the payload's `userErrors`.
 */
export function useMutation<TData, TVariables extends OperationVariables>(document: TypedDocumentNode<TData, TVariables>) {
  const client = useApolloClient();
  const data = shallowRef<TData>();
  const error = shallowRef<ErrorLike>();
  const loading = ref(false);

  return { data, error, loading, mutate };

  async function mutate(...[variables]: MutateArgs<TVariables>): Promise<TData | undefined> {
    loading.value = true;
    error.value = undefined;
    try {
      const result = await client.mutate<TData, TVariables>({
        mutation: document,
        variables,
      } as ApolloClient.MutateOptions<TData, TVariables>);
      error.value = result.error;
      data.value = result.data ?? undefined;
      return data.value;
    } catch (caught) {
      error.value = toErrorLike(caught);
      return undefined;
    } finally {
      loading.value = false;
    }
  }
}
