import { computed, ref, watch } from 'vue';
import { useQuery } from '@/composables/use-query';
import { SaleStoresDocument } from '@/gql/graphql';
import { readSetting, writeSetting } from './sales';

const STORAGE_KEY = 'serialdesk.register';

/**
 * The store and register this computer sells at. The last choice is remembered: a register
 * is a place, so the same computer nearly always opens the same one.
 */
export function useRegisterChoice() {
  const { data, loading, error } = useQuery(SaleStoresDocument);
  const saved = readSaved();
  const storeId = ref(saved.storeId);
  const registerId = ref(saved.registerId);

  // Warehouses have no registers; nothing is sold there.
  const stores = computed(() => (data.value?.stores ?? []).filter((store) => store.registers.length > 0));
  const store = computed(() => stores.value.find((s) => s.id === storeId.value));
  const registers = computed(() => store.value?.registers ?? []);
  const register = computed(() => registers.value.find((r) => r.id === registerId.value));
  const ready = computed(() => !!store.value && !!register.value);

  // Once the stores are known: a remembered choice that is no longer allowed is dropped, and a
  // single option is chosen for the user.
  watch(
    [stores, () => data.value],
    () => {
      if (!data.value) return;
      if (!store.value) storeId.value = stores.value.length === 1 ? stores.value[0]!.id : '';
      if (store.value && !register.value) registerId.value = registers.value.length === 1 ? registers.value[0]!.id : '';
    },
    { immediate: true },
  );
  watch(storeId, () => {
    if (data.value && store.value && !register.value) registerId.value = registers.value.length === 1 ? registers.value[0]!.id : '';
  });
  watch([storeId, registerId], ([s, r]) => writeSetting(STORAGE_KEY, JSON.stringify({ storeId: s, registerId: r })));

  return { stores, store, registers, register, storeId, registerId, ready, loading, error };
}

function readSaved(): { storeId: string; registerId: string } {
  try {
    const parsed = JSON.parse(readSetting(STORAGE_KEY) ?? '{}') as { storeId?: unknown; registerId?: unknown };
    return {
      storeId: typeof parsed.storeId === 'string' ? parsed.storeId : '',
      registerId: typeof parsed.registerId === 'string' ? parsed.registerId : '',
    };
  } catch {
    return { storeId: '', registerId: '' };
  }
}
