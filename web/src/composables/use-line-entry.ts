import type { TypedDocumentNode } from '@apollo/client';
import { nextTick, reactive, ref, type Ref } from 'vue';
import { useApolloClient } from '@/composables/use-apollo';
import { describeError } from '@/errors';

/** What a new document's line entry needs to know of an item a code names. */
export interface EntryItem {
  id: string;
  productId: string;
  name: string;
  mainUpc?: string | null;
  policy: { level: string };
}

export interface LineEntrySpec<TItem extends EntryItem, TLine extends { item: TItem }> {
  /** The feature's own `resolveCode` query. */
  resolve: TypedDocumentNode<{ resolveCode?: { item: TItem } | null }, { code: string }>;
  /** The quantity of what was typed in the quantity field ('' when it is empty). */
  quantity: (typed: string) => number;
  /** Shown when that is not a whole number of at least 1. */
  badQuantity: string;
  /** A new line of an item. */
  line: (item: TItem, quantity: number) => TLine;
  /** The same item again adds to its line (one line per item: the server insists). */
  merge: (line: TLine, quantity: number) => void;
  /** Clears what the feature adds to the entry. */
  clear?: () => void;
}

export type LineEntry<TItem extends EntryItem, TLine extends { item: TItem }> = ReturnType<typeof useLineEntry<TItem, TLine>>;

/**
 * The lines of a new document (a receipt's expected lines, a transfer's requested lines),
 * entered with a scanner or by hand: an item's UPC or product id, which is looked up, then
 * its quantity, then "Add line".
 */
export function useLineEntry<TItem extends EntryItem, TLine extends { item: TItem }>(spec: LineEntrySpec<TItem, TLine>) {
  const client = useApolloClient();
  const codeField = ref<HTMLInputElement | null>(null);
  const quantityField = ref<HTMLInputElement | null>(null);
  const lines = ref([]) as Ref<TLine[]>;
  // v-model on a number input gives a number, or '' when it is empty.
  const entry = reactive({ code: '', quantity: '' as number | string });
  const resolved = ref(null) as Ref<TItem | null>;
  const resolveMessage = ref('');
  const resolving = ref(false);

  return {
    codeField,
    quantityField,
    lines,
    entry,
    resolved,
    resolveMessage,
    resolving,
    resolveEntry,
    onCodeKey,
    addLine,
    removeLine,
    reset,
    lineErrors,
  };

  /** Looks a scanned or typed code up; true when it names an item. */
  async function resolveEntry(): Promise<boolean> {
    const code = entry.code.trim();
    if (!code) {
      resolved.value = null;
      resolveMessage.value = '';
      return false;
    }
    if (resolved.value && [resolved.value.mainUpc, resolved.value.productId].includes(code)) return true;
    resolving.value = true;
    try {
      const { data } = await client.query({ query: spec.resolve, variables: { code }, fetchPolicy: 'network-only' });
      if (entry.code.trim() !== code) return false;
      resolved.value = data?.resolveCode?.item ?? null;
      resolveMessage.value = resolved.value ? '' : `No item has the code ${code}.`;
    } catch (caught) {
      resolved.value = null;
      resolveMessage.value = describeError(caught);
    } finally {
      resolving.value = false;
    }
    return resolved.value !== null;
  }

  /**
   * A scanner ends the code with Enter or Tab: look it up and go on to the quantity. Tab from an
   * empty field is a person moving on (to the lines, to Create): it keeps its usual meaning.
   */
  async function onCodeKey(event: KeyboardEvent): Promise<void> {
    if (event.key !== 'Enter' && !(event.key === 'Tab' && !event.shiftKey)) return;
    if (event.key === 'Tab' && !entry.code.trim()) return;
    event.preventDefault();
    if (await resolveEntry()) quantityField.value?.focus();
  }

  async function addLine(): Promise<void> {
    if (!(await resolveEntry()) || !resolved.value) {
      if (!entry.code.trim()) resolveMessage.value = 'Scan or type the item’s UPC or product id.';
      codeField.value?.focus();
      return;
    }
    const quantity = spec.quantity(String(entry.quantity).trim());
    if (!Number.isInteger(quantity) || quantity < 1) {
      resolveMessage.value = spec.badQuantity;
      quantityField.value?.focus();
      return;
    }
    const item = resolved.value;
    const existing = lines.value.find((line) => line.item.id === item.id);
    if (existing) spec.merge(existing, quantity);
    else lines.value = [...lines.value, spec.line(item, quantity)];
    clearEntry();
    await nextTick();
    codeField.value?.focus();
  }

  function removeLine(index: number): void {
    lines.value = lines.value.filter((_, i) => i !== index);
  }

  /** No lines, an empty entry: the dialog opens anew. */
  function reset(): void {
    lines.value = [];
    clearEntry();
  }

  function clearEntry(): void {
    Object.assign(entry, { code: '', quantity: '' });
    spec.clear?.();
    resolved.value = null;
    resolveMessage.value = '';
  }

  /** The server's refusals, each naming the line its `index` points at. */
  function lineErrors(userErrors: readonly { index?: number | null; message: string }[]): string[] {
    return userErrors.map(({ index, message }) => {
      const line = index != null ? lines.value[index] : undefined;
      return line ? `Line ${index! + 1} (${line.item.productId}): ${message}` : message;
    });
  }
}
