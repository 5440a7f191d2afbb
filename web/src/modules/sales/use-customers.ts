import { computed, onScopeDispose, ref, watch } from 'vue';
import { useMutation } from '@/composables/use-mutation';
import { useQuery } from '@/composables/use-query';
import { describeError } from '@/errors';
import { CreateSaleCustomerDocument, SaleCustomersDocument } from '@/gql/graphql';
import type { Customer } from './use-sale';

const SEARCH_DELAY_MS = 250;
const SHOWN = 8;

/** Finds a customer by number or name as it is typed, or creates one on the spot. */
export function useCustomers() {
  const searchInput = ref('');
  const search = ref('');
  const { data, loading, error } = useQuery(SaleCustomersDocument, () => ({ search: search.value }), {
    enabled: () => search.value.length > 0,
  });
  const creating = useMutation(CreateSaleCustomerDocument);
  const createErrors = ref<string[]>([]);
  let timer: ReturnType<typeof setTimeout> | undefined;

  const matches = computed(() => (search.value ? (data.value?.customers ?? []).slice(0, SHOWN) : []));
  const more = computed(() => Math.max(0, (data.value?.customers.length ?? 0) - SHOWN));

  watch(searchInput, (value) => {
    clearTimeout(timer);
    timer = setTimeout(() => (search.value = value.trim()), SEARCH_DELAY_MS);
  });
  onScopeDispose(() => clearTimeout(timer));

  return { searchInput, matches, more, loading, error, create, creating: creating.loading, createErrors, clear };

  /** Quick-create; resolves to the new customer, or `undefined` with `createErrors` set. */
  async function create(number: string, name: string): Promise<Customer | undefined> {
    createErrors.value = [];
    const result = await creating.mutate({ input: { number: number.trim(), name: name.trim() } });
    if (!result) {
      createErrors.value = [describeError(creating.error.value)];
      return undefined;
    }
    const payload = result.createCustomer;
    if (payload.userErrors.length > 0 || !payload.customer) {
      createErrors.value = payload.userErrors.map((e) => e.message);
      return undefined;
    }
    return payload.customer;
  }

  function clear(): void {
    clearTimeout(timer);
    searchInput.value = '';
    search.value = '';
  }
}
