import { computed, ref, shallowRef, type Ref } from 'vue';
import { useApolloClient } from '@/composables/use-apollo';
import { describeError } from '@/errors';
import {
  ReturnItemsDocument,
  SaleResolveCodeDocument,
  SerialSaleLookupDocument,
  type SaleItemFragment,
  type SerialSaleLookupQuery,
} from '@/gql/graphql';
import { useKeyedMutation } from '@/composables/use-keyed-mutation';
import { playCue } from '@/composables/scan-cues';
import { describeUnitState, returnsBySerial, splitQuantity } from './sales';

export type LookedUpUnit = SerialSaleLookupQuery['serialSale'][number];

/** One line of the return being built. */
export type ReturnEntry =
  | { key: number; kind: 'serial'; serial: string; item: SaleItemFragment; unit: LookedUpUnit }
  | { key: number; kind: 'quantity'; item: SaleItemFragment; code: string; quantity: number };

/** The last serial looked up: what is known of it (RET-1: its original sale, for warranty checks). */
export interface Lookup {
  input: string;
  units: readonly LookedUpUnit[];
  /** The sold unit that was added to the return, if any. */
  added: boolean;
  message: string;
}

export interface ReturnResult {
  number?: string;
  errors: string[];
}

/**
 * A customer return at one store (RET-1): serials are looked up as they are scanned and shown
 * with their original sale; never-serialized items come back by barcode and quantity. The whole
 * list is returned in one document, into this store's stock.
 */
export function useReturn(choice: { storeId: Ref<string>; registerId: Ref<string> }) {
  const client = useApolloClient();
  const entries = ref<ReturnEntry[]>([]);
  const lookup = shallowRef<Lookup>();
  const result = shallowRef<ReturnResult>();
  const looking = ref(false);
  const submit = useKeyedMutation(ReturnItemsDocument);
  let nextKey = 1;
  let chain: Promise<unknown> = Promise.resolve();

  const empty = computed(() => entries.value.length === 0);

  return { entries, lookup, result, looking, submitting: submit.loading, empty, scan, remove, setQuantity, returnAll };

  /** One scan, answered after the scans before it. */
  function scan(input: string): Promise<void> {
    const code = input.trim();
    if (!code) return Promise.resolve();
    const run = chain.then(() => handle(code));
    chain = run.catch(() => undefined);
    return run;
  }

  async function handle(code: string): Promise<void> {
    looking.value = true;
    try {
      const multiplied = splitQuantity(code);
      const { data: resolved } = await client.query({
        query: SaleResolveCodeDocument,
        variables: { code: multiplied?.code ?? code },
        fetchPolicy: 'network-only',
      });
      const item = resolved?.resolveCode?.item;
      if (item) return addQuantity(code, item, multiplied?.code ?? code, multiplied?.quantity ?? 1);
      const { data } = await client.query({ query: SerialSaleLookupDocument, variables: { serial: code }, fetchPolicy: 'network-only' });
      addSerial(code, data?.serialSale ?? []);
    } catch (caught) {
      answer({ input: code, units: [], added: false, message: describeError(caught) });
    } finally {
      looking.value = false;
    }
  }

  function addQuantity(input: string, item: SaleItemFragment, code: string, quantity: number): void {
    if (returnsBySerial(item)) {
      return answer({
        input,
        units: [],
        added: false,
        message: `${item.productId} ${item.name} comes back by serial number: scan the serial.`,
      });
    }
    const existing = entries.value.find((entry) => entry.kind === 'quantity' && entry.item.id === item.id);
    if (existing && existing.kind === 'quantity') existing.quantity += quantity;
    else entries.value.push({ key: nextKey++, kind: 'quantity', item, code, quantity });
    result.value = undefined;
    answer({ input, units: [], added: true, message: `${quantity} × ${item.productId} ${item.name} added to the return.` });
  }

  function addSerial(input: string, units: readonly LookedUpUnit[]): void {
    const sold = units.find((unit) => unit.state === 'SOLD');
    if (!sold) {
      const unit = units[0];
      const message = unit
        ? `Not sold: ${unit.item.productId} serial ${unit.serial} is ${describeUnitState(unit.state, unit.storeCode)}. Only a sold unit can be returned.`
        : `${input} is neither a product barcode nor a known serial number.`;
      return answer({ input, units, added: false, message });
    }
    if (entries.value.some((entry) => entry.kind === 'serial' && entry.item.id === sold.item.id && entry.serial === sold.serial)) {
      return answer({ input, units, added: false, message: `Serial ${sold.serial} is already on this return.` });
    }
    entries.value.push({ key: nextKey++, kind: 'serial', serial: sold.serial, item: sold.item, unit: sold });
    result.value = undefined;
    answer({ input, units, added: true, message: `${sold.item.productId} serial ${sold.serial} added to the return.` });
  }

  function remove(key: number): void {
    entries.value = entries.value.filter((entry) => entry.key !== key);
  }

  function setQuantity(key: number, quantity: number): void {
    const entry = entries.value.find((e) => e.key === key);
    if (entry?.kind === 'quantity' && Number.isInteger(quantity) && quantity >= 1) entry.quantity = quantity;
  }

  /** RET-1: everything on the list comes back into this store's stock, as one return. */
  async function returnAll(): Promise<void> {
    if (entries.value.length === 0 || !choice.storeId.value) return;
    const lines = entries.value.map((entry) =>
      entry.kind === 'serial' ? { code: entry.item.productId, serial: entry.serial } : { code: entry.code, quantity: entry.quantity },
    );
    const data = await submit.run({ input: { storeId: choice.storeId.value, registerId: choice.registerId.value || null, lines } });
    if (!data) {
      result.value = { errors: [describeError(submit.error.value)] };
      playCue('refused');
      return;
    }
    const payload = data.returnItems;
    if (payload.userErrors.length > 0 || !payload.number) {
      // `index` points at the entry the error is about.
      result.value = {
        errors: payload.userErrors.map((e) =>
          e.index != null && entries.value[e.index] ? `${label(entries.value[e.index]!)}: ${e.message}` : e.message,
        ),
      };
      playCue('refused');
      return;
    }
    result.value = { number: payload.number, errors: [] };
    entries.value = [];
    lookup.value = undefined;
    playCue('accepted');
  }

  function answer(next: Lookup): void {
    lookup.value = next;
    playCue(next.added ? 'accepted' : 'refused');
  }
}

function label(entry: ReturnEntry): string {
  return entry.kind === 'serial' ? `Serial ${entry.serial}` : `${entry.item.productId}`;
}
