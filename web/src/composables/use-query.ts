import type {
  ApolloClient,
  ErrorLike,
  ObservableQuery,
  OperationVariables,
  TypedDocumentNode,
  WatchQueryFetchPolicy,
} from '@apollo/client';
import { onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { useApolloClient } from './use-apollo';
import type { VariablesOptional } from './variables';

export interface UseQueryOptions {
  /** Default `cache-first`. */
  fetchPolicy?: WatchQueryFetchPolicy;
  /** While false the query waits; it runs as soon as this turns true. Default true. */
  enabled?: MaybeRefOrGetter<boolean>;
}

/** Variables are required exactly when the operation declares a required variable. */
export type QueryArgs<TVariables> =
  VariablesOptional<TVariables> extends true
    ? [variables?: MaybeRefOrGetter<TVariables>, options?: UseQueryOptions]
    : [variables: MaybeRefOrGetter<TVariables>, options?: UseQueryOptions];

/**
 * Watches a query: `data` follows the cache (so mutations and other queries update it),
 * the query re-runs when reactive `variables` change, and it stops with the component.
 */
export function useQuery<TData, TVariables extends OperationVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  ...[variables, options = {}]: QueryArgs<TVariables>
) {
  const client = useApolloClient();
  const data = shallowRef<TData>();
  const error = shallowRef<ErrorLike>();
  const loading = ref(isEnabled());

  const fetchPolicy = options.fetchPolicy ?? 'cache-first';
  const observable = client.watchQuery<TData, TVariables>({
    query: document,
    variables: currentVariables(),
    fetchPolicy: isEnabled() ? fetchPolicy : 'standby',
    notifyOnNetworkStatusChange: true,
  } as ApolloClient.WatchQueryOptions<TData, TVariables>);
  const subscription = observable.subscribe(onResult);

  watch([currentVariables, isEnabled], reobserve, { deep: true });
  onScopeDispose(() => subscription.unsubscribe());

  return { data, error, loading, refetch };

  /** Runs the query again against the server; the result arrives through `data` / `error`. */
  async function refetch(): Promise<void> {
    await observable.refetch().catch(ignore);
  }

  function onResult(result: ObservableQuery.Result<TData>): void {
    loading.value = result.loading;
    error.value = result.error;
    data.value = result.dataState === 'complete' ? result.data : undefined;
  }

  function reobserve(): void {
    const enabled = isEnabled();
    loading.value = enabled;
    observable.reobserve({ variables: currentVariables(), fetchPolicy: enabled ? fetchPolicy : 'standby' }).catch(ignore);
  }

  function currentVariables(): TVariables {
    return (toValue(variables) ?? {}) as TVariables;
  }

  function isEnabled(): boolean {
    return toValue(options.enabled) ?? true;
  }
}

// Errors are delivered as results (`error`); the promise's rejection would only duplicate them.
function ignore(): void {}
