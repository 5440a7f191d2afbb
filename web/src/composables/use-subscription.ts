import type { ApolloClient, ErrorLike, OperationVariables, TypedDocumentNode } from '@apollo/client';
import { toErrorLike } from '@apollo/client/errors';
import type { Subscription } from 'rxjs';
import { onScopeDispose, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { useApolloClient } from './use-apollo';
import type { VariablesOptional } from './variables';

export interface UseSubscriptionOptions<TData> {
  /** While false nothing is subscribed. Default true. */
  enabled?: MaybeRefOrGetter<boolean>;
  /** Called with every event, e.g. to update the cache or a list. */
  onData?: (data: TData) => void;
}

export type SubscriptionArgs<TData, TVariables> =
  VariablesOptional<TVariables> extends true
    ? [variables?: MaybeRefOrGetter<TVariables>, options?: UseSubscriptionOptions<TData>]
    : [variables: MaybeRefOrGetter<TVariables>, options?: UseSubscriptionOptions<TData>];

/**
 * Subscribes over the WebSocket while the component lives; `data` is the latest event.
 * Re-subscribes when reactive `variables` change.
 */
export function useSubscription<TData, TVariables extends OperationVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  ...[variables, options = {}]: SubscriptionArgs<TData, TVariables>
) {
  const client = useApolloClient();
  const data = shallowRef<TData>();
  const error = shallowRef<ErrorLike>();
  let subscription: Subscription | undefined;

  watch([() => toValue(variables), () => toValue(options.enabled) ?? true], start, {
    deep: true,
    immediate: true,
  });
  onScopeDispose(stop);

  return { data, error };

  function start(): void {
    stop();
    if (!(toValue(options.enabled) ?? true)) return;
    subscription = client
      .subscribe<TData, TVariables>({
        query: document,
        variables: toValue(variables),
      } as ApolloClient.SubscribeOptions<TData, TVariables>)
      .subscribe({
        next: (result) => {
          error.value = result.error;
          if (result.data === undefined) return;
          data.value = result.data;
          options.onData?.(result.data);
        },
        error: (caught: unknown) => (error.value = toErrorLike(caught)),
      });
  }

  function stop(): void {
    subscription?.unsubscribe();
    subscription = undefined;
  }
}
