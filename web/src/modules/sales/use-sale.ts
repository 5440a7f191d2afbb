import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { computed, ref, shallowRef, watch, type Ref } from 'vue';
import { useApolloClient } from '@/composables/use-apollo';
import { describeError } from '@/errors';
import {
  AddSaleLineDocument,
  CompleteSaleDocument,
  CorrectSaleLineSerialDocument,
  CreateSaleDocument,
  FulfilSaleLineDocument,
  SaleByIdDocument,
  SetSaleLineSerialDocument,
  VoidSaleLineDocument,
  type FulfilmentMode,
  type SaleDetailFragment,
  type SaleLineDetailFragment,
  type SaleResultFragment,
  type SaleUserErrorFragment,
} from '@/gql/graphql';
import { useKeyedMutation } from '@/composables/use-keyed-mutation';
import { readSetting, writeSetting } from './sales';

export type Sale = SaleDetailFragment;
export type SaleLine = SaleLineDetailFragment;
export type SaleError = SaleUserErrorFragment;
export interface Customer {
  id: string;
  number: string;
  name: string;
}

/** What one action came to: the sale as the server holds it now, or why nothing changed. */
export type Outcome = { ok: true; sale: Sale; line?: SaleLine } | { ok: false; messages: string[]; errors: SaleError[] };

/** A line to add (SAL-1..5): with its serial, "add later", "not readable", or a quantity. */
export interface LineRequest {
  code: string;
  serial?: string | null;
  addLater?: boolean;
  notReadable?: boolean;
  quantity?: number | null;
  fulfilment: FulfilmentMode;
}

/** The actions on the sale, to be called inside `perform` (one at a time, in order). */
export interface SaleActions {
  addLine(request: LineRequest): Promise<Outcome>;
  setSerial(line: SaleLine, serial: string): Promise<Outcome>;
  correctSerial(line: SaleLine, serial: string): Promise<Outcome>;
  voidLine(line: SaleLine): Promise<Outcome>;
}

const OPEN_SALE_KEY = 'serialdesk.register.openSale.';

/**
 * The sale on one register. It opens with the first scan (no empty sales), is remembered per
 * register so a reload resumes it, and stays on screen once completed until the next sale
 * starts. Actions run one after another in the order they were made: a scan that fills a
 * serial must see the line the previous scan added.
 */
export function useSale(choice: { storeId: Ref<string>; registerId: Ref<string> }) {
  const client = useApolloClient();
  const sale = shallowRef<Sale>();
  /** The customer of the next sale; fixed once the sale exists (the API sets it on creation only). */
  const customer = shallowRef<Customer | null>(null);
  /** Why the last "Complete" was refused (SAL-2, SAL-3); cleared by the next change. */
  const completeErrors = shallowRef<SaleError[]>([]);
  /** The last refused button action (void, fulfilment, hand-over), in words. */
  const actionErrors = shallowRef<string[]>([]);
  const queued = ref(0);

  const create = useKeyedMutation(CreateSaleDocument);
  const add = useKeyedMutation(AddSaleLineDocument);
  const set = useKeyedMutation(SetSaleLineSerialDocument);
  const correct = useKeyedMutation(CorrectSaleLineSerialDocument);
  const voidM = useKeyedMutation(VoidSaleLineDocument);
  const fulfilM = useKeyedMutation(FulfilSaleLineDocument);
  const completeM = useKeyedMutation(CompleteSaleDocument);
  let chain: Promise<unknown> = Promise.resolve();

  const open = computed(() => sale.value?.status === 'OPEN');
  const busy = computed(() => queued.value > 0);
  const lines = computed(() => sale.value?.lines ?? []);
  const activeLines = computed(() => lines.value.filter((line) => !line.voided));
  /** Everything that stops completion: the server's blockers, then the last refusal's reasons. */
  const blockers = computed(() => {
    const all = [...(open.value ? (sale.value?.completionBlockers ?? []) : []), ...completeErrors.value];
    return all.filter((error, i) => all.findIndex((other) => other.message === error.message) === i);
  });
  const actions: SaleActions = { addLine, setSerial, correctSerial, voidLine };

  watch(
    () => choice.registerId.value,
    (registerId) => void perform(() => restore(registerId)),
    { immediate: true },
  );

  return {
    sale,
    customer,
    open,
    busy,
    lines,
    activeLines,
    blockers,
    completeErrors,
    actionErrors,
    perform,
    complete: () => perform(complete),
    voidLine: (line: SaleLine) => perform(() => button(voidLine(line))),
    changeFulfilment: (line: SaleLine, mode: FulfilmentMode) => perform(() => button(changeFulfilment(line, mode))),
    fulfil: (line: SaleLine, serial: string | null) => perform(() => button(fulfil(line, serial))),
    cancelSale: () => perform(cancelSale),
    startNew,
  };

  /** Runs a task after every task queued before it; `actions` are the sale's, unqueued. */
  function perform<T>(task: (actions: SaleActions) => Promise<T>): Promise<T> {
    queued.value += 1;
    const run = chain.then(() => task(actions)).finally(() => (queued.value -= 1));
    chain = run.catch(() => undefined);
    return run;
  }

  async function ensureSale(): Promise<Outcome> {
    if (sale.value?.status === 'OPEN') return { ok: true, sale: sale.value };
    if (!choice.storeId.value || !choice.registerId.value) return refusal('Choose the store and the register first.');
    const data = await create.run({
      input: { storeId: choice.storeId.value, registerId: choice.registerId.value, customerId: customer.value?.id ?? null },
    });
    return apply(data?.createSale, create.error.value);
  }

  async function addLine(request: LineRequest): Promise<Outcome> {
    const opened = await ensureSale();
    if (!opened.ok) return opened;
    const before = new Set(opened.sale.lines.map((line) => line.id));
    const data = await add.run({
      input: {
        saleId: opened.sale.id,
        code: request.code,
        serial: request.serial ?? null,
        addLater: request.addLater ?? null,
        notReadable: request.notReadable ?? null,
        quantity: request.quantity ?? null,
        fulfilment: request.fulfilment,
      },
    });
    const outcome = apply(data?.addSaleLine, add.error.value);
    return outcome.ok ? { ...outcome, line: outcome.sale.lines.find((line) => !before.has(line.id)) } : outcome;
  }

  /** SAL-3: the serial of a line added with "add later"; given once, never edited. */
  async function setSerial(line: SaleLine, serial: string): Promise<Outcome> {
    const saleId = sale.value?.id;
    if (!saleId) return refusal('There is no sale on this register.');
    const data = await set.run({ input: { saleId, lineId: line.id, serial } });
    const outcome = apply(data?.setSaleLineSerial, set.error.value);
    return outcome.ok ? { ...outcome, line: outcome.sale.lines.find((l) => l.id === line.id) } : outcome;
  }

  /** SAL-5: fills in a serial registered as not readable (serial corrections duty). */
  async function correctSerial(line: SaleLine, serial: string): Promise<Outcome> {
    const saleId = sale.value?.id;
    if (!saleId) return refusal('There is no sale on this register.');
    const data = await correct.run({ input: { saleId, lineId: line.id, serial } });
    const outcome = apply(data?.correctSaleLineSerial, correct.error.value);
    return outcome.ok ? { ...outcome, line: outcome.sale.lines.find((l) => l.id === line.id) } : outcome;
  }

  async function voidLine(line: SaleLine): Promise<Outcome> {
    const saleId = sale.value?.id;
    if (!saleId) return refusal('There is no sale on this register.');
    const data = await voidM.run({ input: { saleId, lineId: line.id } });
    return apply(data?.voidSaleLine, voidM.error.value);
  }

  /**
   * SAL-4: the API fixes a line's fulfilment when it is added, so a change is the line voided
   * and added again with the same serial (or the same "add later" / "not readable" / quantity).
   */
  async function changeFulfilment(line: SaleLine, fulfilment: FulfilmentMode): Promise<Outcome> {
    const request: LineRequest = {
      code: line.item.productId,
      fulfilment,
      serial: line.serialStatus === 'GIVEN' ? line.serial : null,
      addLater: line.serialStatus === 'PENDING',
      notReadable: line.serialStatus === 'NOT_READABLE',
      quantity: line.serialStatus === 'NOT_SERIALIZED' ? line.quantity : null,
    };
    if (line.serialStatus !== 'GIVEN') {
      const added = await addLine(request);
      return added.ok ? voidLine(line) : added;
    }
    // A given serial may be on one active line only: the old line goes first.
    const voided = await voidLine(line);
    if (!voided.ok) return voided;
    const added = await addLine(request);
    if (!added.ok) await addLine({ ...request, fulfilment: line.fulfilment });
    return added;
  }

  /** SAL-4: a pickup or delivery line handed over after the sale, with its serial then. */
  async function fulfil(line: SaleLine, serial: string | null): Promise<Outcome> {
    const saleId = sale.value?.id;
    if (!saleId) return refusal('There is no sale on this register.');
    const data = await fulfilM.run({ input: { saleId, lineId: line.id, serial: serial?.trim() || null } });
    return apply(data?.fulfilSaleLine, fulfilM.error.value);
  }

  /** SAL-2: completes; refused with what is missing, which stays listed until fixed. */
  async function complete(): Promise<Outcome> {
    const saleId = sale.value?.id;
    if (!saleId || !open.value) return refusal('There is no open sale to complete.');
    const data = await completeM.run({ input: { saleId } });
    const outcome = apply(data?.completeSale, completeM.error.value);
    if (!outcome.ok) {
      completeErrors.value = outcome.errors.length > 0 ? outcome.errors : outcome.messages.map(asError);
      return outcome;
    }
    // The next sale starts without a customer.
    customer.value = null;
    return outcome;
  }

  /**
   * Leaves the open sale with every line voided and starts afresh. The API has no way to void
   * a whole sale, so the empty sale stays open on the server; it moves no stock.
   */
  async function cancelSale(): Promise<boolean> {
    for (const line of activeLines.value) {
      const outcome = await button(voidLine(line));
      if (!outcome.ok) return false;
    }
    forget(choice.registerId.value);
    sale.value = undefined;
    customer.value = null;
    completeErrors.value = [];
    actionErrors.value = [];
    return true;
  }

  /** Clears a completed sale from the screen; the next scan opens a new one. */
  function startNew(): void {
    if (open.value) return;
    sale.value = undefined;
    completeErrors.value = [];
    actionErrors.value = [];
  }

  async function button(pending: Promise<Outcome>): Promise<Outcome> {
    const outcome = await pending;
    actionErrors.value = outcome.ok ? [] : outcome.messages;
    return outcome;
  }

  function apply(payload: SaleResultFragment | undefined, error: unknown): Outcome {
    if (!payload) return refusal(describeError(error));
    if (payload.sale) {
      sale.value = payload.sale;
      remember(payload.sale);
    }
    if (payload.userErrors.length > 0) {
      return { ok: false, messages: payload.userErrors.map((e) => e.message), errors: payload.userErrors };
    }
    if (!payload.sale) return refusal('The server did not return the sale.');
    completeErrors.value = [];
    return { ok: true, sale: payload.sale };
  }

  /** Picks up the sale left open on this register (a reload, or back from another page). */
  async function restore(registerId: string): Promise<void> {
    if (sale.value?.register?.id === registerId && sale.value.status === 'OPEN') return;
    sale.value = undefined;
    completeErrors.value = [];
    actionErrors.value = [];
    const id = registerId ? readSetting(OPEN_SALE_KEY + registerId) : null;
    if (!id) return;
    try {
      const { data } = await client.query({ query: SaleByIdDocument, variables: { id }, fetchPolicy: 'network-only' });
      const found = data?.sale;
      if (found?.status === 'OPEN' && found.register?.id === registerId) {
        sale.value = found;
        customer.value = found.customer ?? null;
      } else {
        forget(registerId);
      }
    } catch (caught) {
      // Gone or not ours any more; a network failure keeps it for the next visit.
      if (CombinedGraphQLErrors.is(caught)) forget(registerId);
    }
  }

  function remember(current: Sale): void {
    const registerId = current.register?.id;
    if (!registerId) return;
    if (current.status === 'OPEN') writeSetting(OPEN_SALE_KEY + registerId, current.id);
    else forget(registerId);
  }
}

function forget(registerId: string): void {
  if (registerId) writeSetting(OPEN_SALE_KEY + registerId, null);
}

function refusal(message: string): Outcome {
  return { ok: false, messages: [message], errors: [] };
}

function asError(message: string): SaleError {
  return { code: 'INVALID_INPUT', field: null, message, index: null };
}
