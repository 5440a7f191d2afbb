import { shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { useApolloClient } from '@/composables/use-apollo';
import { CountItemLabelDocument, type CountItemLabelQuery } from '@/gql/graphql';

export type LabelledItem = CountItemLabelQuery['item'];

/** Items looked up at most; rows of further items show their id. */
const MAX_ITEMS = 300;

/**
 * Product id and name of the items a list refers to by id only (count variances carry
 * `itemId`); each item is asked once and kept in the cache.
 */
export function useItemLabels(ids: MaybeRefOrGetter<readonly string[]>) {
  const client = useApolloClient();
  const items = shallowRef<ReadonlyMap<string, LabelledItem>>(new Map());
  const asked = new Set<string>();

  watch(() => toValue(ids), load, { immediate: true });

  return { items, label };

  function label(id: string): string {
    const item = items.value.get(id);
    return item ? `${item.productId} ${item.name}` : `Item ${id}`;
  }

  function load(list: readonly string[]): void {
    for (const id of new Set(list)) {
      if (asked.has(id) || asked.size >= MAX_ITEMS) continue;
      asked.add(id);
      client
        .query({ query: CountItemLabelDocument, variables: { id }, fetchPolicy: 'cache-first' })
        .then(({ data }) => {
          if (data) items.value = new Map(items.value).set(id, data.item);
        })
        .catch(() => asked.delete(id));
    }
  }
}
