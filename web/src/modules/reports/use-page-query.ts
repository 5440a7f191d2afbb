import { shallowRef, watch, type Ref } from 'vue';
import { useRoute, type LocationQuery } from 'vue-router';

/**
 * The URL query of the page that called this, and only of it: while the router leaves for
 * another page (say a serial's trace), this page still sees its own filter instead of the next
 * page's query, so it does not run an unfiltered report on its way out.
 */
export function usePageQuery(): Readonly<Ref<LocationQuery>> {
  const route = useRoute();
  const name = route.name;
  const query = shallowRef(route.query);
  watch(
    () => route.query,
    (next) => {
      if (route.name === name) query.value = next;
    },
  );
  return query;
}
