import { computed, ref, shallowRef, watch } from 'vue';
import { useApolloClient } from '@/composables/use-apollo';
import { describeError } from '@/errors';
import {
  SaleResolveCodeDocument,
  SerialSaleLookupDocument,
  type FulfilmentMode,
  type SaleItemFragment,
  type SerialSaleLookupQuery,
} from '@/gql/graphql';
import { playCue } from '@/composables/scan-cues';
import { blocksCompletion, describeUnitState, isPending, splitQuantity, takesSerial } from './sales';
import type { Outcome, SaleActions, SaleLine, useSale } from './use-sale';

/** What the next scanned serial is for. */
export type SerialPrompt =
  /** A serialized item was scanned: its line is added with the serial that comes next, or without. */
  | { kind: 'new'; item: SaleItemFragment; code: string; fulfilment: FulfilmentMode }
  /** An existing line: its pending serial (SAL-3), or a not-readable one corrected (SAL-5). */
  | { kind: 'line'; lineId: string; mode: 'set' | 'correct' };

export interface ScanAnswer {
  key: number;
  input: string;
  accepted: boolean;
  message: string;
}

type Unit = SerialSaleLookupQuery['serialSale'][number];

/**
 * The register's scan field (SAL-1..5). A product barcode starts a line: never-serialized
 * items at once, by quantity; others ask for their serial right under the line, and the next
 * scan fills it. A bare serial fills the line waiting for one, or else finds its own item.
 */
export function useSaleScanner(sale: ReturnType<typeof useSale>, options: { storeCode: () => string | undefined; onAnswer?: () => void }) {
  const client = useApolloClient();
  const prompt = shallowRef<SerialPrompt | null>(null);
  const answer = shallowRef<ScanAnswer>();
  /** Fulfilment of the next line added (SAL-4). */
  const nextFulfilment = ref<FulfilmentMode>('CARRY_OUT');
  let nextKey = 1;

  const promptLine = computed(() => {
    const current = prompt.value;
    return current?.kind === 'line' ? sale.lines.value.find((line) => line.id === current.lineId) : undefined;
  });

  // A prompt for a line that no longer waits (voided, filled elsewhere, another sale) goes away.
  watch([sale.sale, promptLine], () => {
    const current = prompt.value;
    if (!current) return;
    if (current.kind === 'new' && !sale.open.value && sale.sale.value) prompt.value = null;
    if (current.kind === 'line') {
      const line = promptLine.value;
      const waiting = line && !line.voided && (current.mode === 'set' ? isPending(line) : line.serialStatus === 'NOT_READABLE');
      if (!waiting) prompt.value = null;
    }
  });

  return {
    prompt,
    promptLine,
    answer,
    nextFulfilment,
    scan,
    addWithout,
    cancelPrompt,
    askSerial,
  };

  /** One scan (Enter or Tab); answered in `answer`, with a sound. */
  function scan(input: string): Promise<void> {
    const code = input.trim();
    if (!code) return Promise.resolve();
    return sale.perform((actions) => handle(actions, code));
  }

  /** The prompt's buttons: "Add later" (SAL-3), "Not readable" (SAL-5), or no serial where none is required. */
  function addWithout(how: 'later' | 'not-readable' | 'none'): Promise<void> {
    return sale.perform(async (actions) => {
      const current = prompt.value;
      if (current?.kind !== 'new') return;
      const outcome = await actions.addLine({
        code: current.code,
        fulfilment: current.fulfilment,
        addLater: how === 'later',
        notReadable: how === 'not-readable',
      });
      const label = how === 'later' ? 'serial to be added later' : how === 'not-readable' ? 'serial not readable' : 'no serial';
      if (outcome.ok) prompt.value = null;
      report(current.item.productId, outcome, (line) => `Line ${line.lineNo}: ${current.item.name}, ${label}.`);
    });
  }

  function cancelPrompt(): void {
    prompt.value = null;
  }

  /** Points the next scan at one line: its pending serial, or a correction of "not readable". */
  function askSerial(line: SaleLine, mode: 'set' | 'correct'): void {
    prompt.value = { kind: 'line', lineId: line.id, mode };
  }

  async function handle(actions: SaleActions, code: string): Promise<void> {
    // A product barcode, "3*barcode" for a quantity, or else a serial.
    const multiplied = splitQuantity(code);
    const resolved = await resolve(multiplied?.code ?? code);
    if (resolved === 'error') return;
    const item = resolved;
    const current = prompt.value;

    if (current) {
      if (item) {
        const hint = current.kind === 'new' ? ', or choose below how to add the line without it' : '';
        return refuse(code, `${code} is the product barcode of ${item.productId} ${item.name}: scan the serial number${hint}.`);
      }
      return fillPrompt(actions, current, code);
    }
    // The completed sale on screen gives way: this scan belongs to the next one.
    if (sale.sale.value && !sale.open.value) sale.startNew();

    if (item) {
      if (!takesSerial(item)) {
        const quantity = multiplied?.quantity ?? 1;
        const outcome = await actions.addLine({ code: multiplied?.code ?? code, quantity, fulfilment: nextFulfilment.value });
        return report(code, outcome, (line) => `Line ${line.lineNo}: ${line.quantity} × ${item.name}.`);
      }
      if (multiplied && multiplied.quantity !== 1) {
        return refuse(code, `${item.productId} is serialized: each unit has its own line (SAL-1). Scan the units one by one.`);
      }
      prompt.value = { kind: 'new', item, code: multiplied?.code ?? code, fulfilment: nextFulfilment.value };
      return accept(code, `${item.productId} ${item.name}: scan its serial number.`);
    }
    if (multiplied) return refuse(code, `No item has the code ${multiplied.code}.`);
    return placeSerial(actions, code);
  }

  async function fillPrompt(actions: SaleActions, current: SerialPrompt, serial: string): Promise<void> {
    if (current.kind === 'new') {
      const outcome = await actions.addLine({ code: current.code, serial, fulfilment: current.fulfilment });
      if (outcome.ok) prompt.value = null;
      return report(serial, outcome, (line) => `Line ${line.lineNo}: ${current.item.name}, serial ${line.serial}.`);
    }
    const line = promptLine.value;
    if (!line) {
      prompt.value = null;
      return refuse(serial, 'That line is no longer waiting for a serial.');
    }
    const outcome = current.mode === 'set' ? await actions.setSerial(line, serial) : await actions.correctSerial(line, serial);
    if (outcome.ok) prompt.value = null;
    return report(serial, outcome, (filled) => `Line ${filled.lineNo}: serial ${filled.serial}.`);
  }

  /**
   * A serial with no prompt open: the pending line of its item (SAL-3), else a new line for
   * its item when the unit is in stock here, else the first pending line (the server says why not).
   */
  async function placeSerial(actions: SaleActions, serial: string): Promise<void> {
    const units = await lookup(serial);
    if (units === 'error') return;
    const pending = [...sale.activeLines.value.filter(isPending)].sort((a, b) => Number(blocksCompletion(b)) - Number(blocksCompletion(a)));
    const storeCode = options.storeCode();
    const here = units.find((unit) => unit.state === 'IN_STOCK' && unit.storeCode === storeCode);
    const target = pending.find((line) => units.some((unit) => unit.item.id === line.item.id)) ?? (here ? undefined : pending[0]);

    if (target) {
      const outcome = await actions.setSerial(target, serial);
      return report(serial, outcome, (line) => `Line ${line.lineNo}: serial ${line.serial}.`);
    }
    if (here) {
      const outcome = await actions.addLine({ code: here.item.productId, serial, fulfilment: nextFulfilment.value });
      return report(serial, outcome, (line) => `Line ${line.lineNo}: ${here.item.name}, serial ${line.serial}.`);
    }
    const known = units[0];
    return refuse(
      serial,
      known
        ? `Serial ${known.serial} (${known.item.productId}) is ${describeUnitState(known.state, known.storeCode)}: it cannot be sold here.`
        : `${serial} is neither a product barcode nor a known serial number.`,
    );
  }

  async function resolve(code: string): Promise<SaleItemFragment | null | 'error'> {
    try {
      const { data } = await client.query({ query: SaleResolveCodeDocument, variables: { code }, fetchPolicy: 'network-only' });
      return data?.resolveCode?.item ?? null;
    } catch (caught) {
      refuse(code, describeError(caught));
      return 'error';
    }
  }

  async function lookup(serial: string): Promise<readonly Unit[] | 'error'> {
    try {
      const { data } = await client.query({ query: SerialSaleLookupDocument, variables: { serial }, fetchPolicy: 'network-only' });
      return data?.serialSale ?? [];
    } catch (caught) {
      refuse(serial, describeError(caught));
      return 'error';
    }
  }

  function report(input: string, outcome: Outcome, describe: (line: SaleLine) => string): void {
    if (!outcome.ok) return refuse(input, outcome.messages.join(' '));
    accept(input, outcome.line ? describe(outcome.line) : 'Done.');
  }

  function accept(input: string, message: string): void {
    answer.value = { key: nextKey++, input, accepted: true, message };
    playCue('accepted');
    options.onAnswer?.();
  }

  function refuse(input: string, message: string): void {
    answer.value = { key: nextKey++, input, accepted: false, message };
    playCue('refused');
    options.onAnswer?.();
  }
}
