import { computed, ref, shallowRef } from 'vue';
import { useApolloClient } from '@/composables/use-apollo';
import { describeError } from '@/errors';
import { StockLineResolveCodeDocument, type StockLineInputType, type StockLineItemFragment } from '@/gql/graphql';
import { MAX_ENTRIES, plural, splitEntries } from '@/modules/receiving/receiving';
import { useScanAnswers, type ScanAnswer } from '@/composables/use-scan-answers';

/** One item on an adjustment or a return to vendor, as scanned. */
export interface StockLine {
  /** Stable for the page's lifetime (list keys); the line's number is its position + 1. */
  key: number;
  item: StockLineItemFragment;
  /** Typed for never- and sometimes-serialized items; always the serial count for ALWAYS items. */
  quantity: number;
  serials: string[];
}

type Row = Omit<ScanAnswer, 'key' | 'at'>;

export type StockLines = ReturnType<typeof useStockLines>;

/**
 * Lines built the way a clerk with a scanner works (RCV-2's blind flow): a product barcode
 * starts the item's line (or picks it again), then its serials follow; a never-serialized
 * item counts one unit per barcode scan, or its quantity is typed. Scans are handled one
 * after another in the order they were made, each answered in the log (DOC-3).
 * `wording` says what a serial on a line means here ("to add", "on hand"…).
 */
export function useStockLines(wording: () => string) {
  const client = useApolloClient();
  const { answers, answer, clear: clearAnswers } = useScanAnswers();
  const lines = shallowRef<StockLine[]>([]);
  /** The line serials go to: the last item scanned or picked. */
  const currentKey = ref<number | null>(null);
  /** Scans made and not answered yet. */
  const pending = ref(0);
  const currentLine = computed(() => lines.value.find((line) => line.key === currentKey.value));
  const itemsById = computed(() => new Map(lines.value.map((line) => [line.item.id, line.item])));
  let queue: Promise<void> = Promise.resolve();
  let nextKey = 1;

  return {
    lines,
    currentLine,
    currentKey,
    pending,
    answers,
    itemsById,
    scan,
    paste,
    selectLine,
    setQuantity,
    removeSerial,
    removeLine,
    reset,
    toInput,
  };

  /** One scan: a product barcode (or product id) or a serial of the current line. */
  function scan(input: string): Promise<void> {
    const code = input.trim();
    if (!code) return queue;
    pending.value += 1;
    queue = queue
      .then(() => handle(code))
      .catch((caught: unknown) => answer([{ input: code, outcome: 'ERROR', accepted: false, message: describeError(caught) }]))
      .finally(() => (pending.value -= 1));
    return queue;
  }

  /** SER-2: many serials for the current line at once; each entry gets its own answer when refused. */
  function paste(text: string): { added: number; refused: string[] } {
    const entries = splitEntries(text);
    const line = currentLine.value;
    if (entries.length === 0) return { added: 0, refused: [] };
    if (!line) {
      answer([
        {
          input: entries[0]!,
          outcome: 'NEED_ITEM',
          accepted: false,
          message: 'Scan the product barcode first: the serials go to its line.',
        },
      ]);
      return { added: 0, refused: entries };
    }
    if (entries.length > MAX_ENTRIES) {
      answer([
        { input: `${entries.length} entries`, outcome: 'INVALID_SERIAL', accepted: false, message: `At most ${MAX_ENTRIES} at once.` },
      ]);
      return { added: 0, refused: entries };
    }
    const rows: Row[] = [];
    const refused: string[] = [];
    let added = 0;
    let serials = line.serials;
    for (const entry of entries) {
      const problem = serialProblem(line, serials, entry);
      if (problem) {
        rows.push(problem);
        refused.push(entry);
      } else {
        serials = [...serials, entry];
        added += 1;
      }
    }
    if (added > 0) {
      update(line, withSerials(line, serials));
      rows.unshift({
        input: plural(added, 'serial'),
        outcome: 'ACCEPTED',
        accepted: true,
        message: `Line ${lineNo(line)}: ${plural(serials.length, 'serial')} ${wording()}.`,
      });
    }
    answer(rows);
    return { added, refused };
  }

  function selectLine(key: number): void {
    currentKey.value = key;
  }

  function setQuantity(key: number, quantity: number): void {
    const line = lines.value.find((l) => l.key === key);
    if (!line || line.item.policy.level === 'ALWAYS') return;
    update(line, { ...line, quantity: Math.max(Number.isFinite(quantity) ? Math.trunc(quantity) : 0, 0) });
  }

  function removeSerial(key: number, serial: string): void {
    const line = lines.value.find((l) => l.key === key);
    if (!line) return;
    const serials = line.serials.filter((s) => s !== serial);
    update(line, { ...withSerials(line, serials), quantity: line.item.policy.level === 'ALWAYS' ? serials.length : line.quantity });
  }

  function removeLine(key: number): void {
    lines.value = lines.value.filter((l) => l.key !== key);
    if (currentKey.value === key) currentKey.value = lines.value.at(-1)?.key ?? null;
  }

  /** A fresh start: no lines, no answers. */
  function reset(): void {
    lines.value = [];
    currentKey.value = null;
    clearAnswers();
  }

  /** The lines as the API takes them; ALWAYS items' quantity is their serial count. */
  function toInput(): StockLineInputType[] {
    return lines.value.map((line) => ({
      itemId: line.item.id,
      quantity: line.item.policy.level === 'ALWAYS' ? line.serials.length : line.quantity,
      serials: line.item.policy.level === 'NEVER' ? [] : line.serials,
    }));
  }

  async function handle(code: string): Promise<void> {
    let item: StockLineItemFragment | undefined;
    try {
      const { data, error } = await client.query({ query: StockLineResolveCodeDocument, variables: { code }, fetchPolicy: 'cache-first' });
      if (error) throw error;
      item = data?.resolveCode?.item;
    } catch (caught) {
      answer([{ input: code, outcome: 'ERROR', accepted: false, message: `${describeError(caught)} Scan it again.` }]);
      return;
    }
    if (item) onItem(code, item);
    else onSerial(code);
  }

  function onItem(code: string, item: StockLineItemFragment): void {
    const label = `${item.productId} ${item.name}`;
    let line = lines.value.find((l) => l.item.id === item.id);
    if (!line) {
      line = { key: nextKey++, item, quantity: 0, serials: [] };
      lines.value = [...lines.value, line];
    }
    currentKey.value = line.key;
    if (item.policy.level === 'NEVER') {
      // A never-serialized item is counted one unit per scan of its barcode.
      const counted = { ...line, quantity: line.quantity + 1 };
      update(line, counted);
      answer([
        {
          input: code,
          outcome: 'ITEM_COUNTED',
          accepted: true,
          message: `Line ${lineNo(counted)}, ${label}: ${counted.quantity} ${wording()}.`,
        },
      ]);
      return;
    }
    answer([
      { input: code, outcome: 'ITEM_SELECTED', accepted: true, message: `Line ${lineNo(line)}, ${label}: scan its serial numbers.` },
    ]);
  }

  function onSerial(serial: string): void {
    const line = currentLine.value;
    if (!line) {
      answer([
        {
          input: serial,
          outcome: 'NEED_ITEM',
          accepted: false,
          message: 'Not a product barcode: scan the item’s barcode first, then its serials.',
        },
      ]);
      return;
    }
    const problem = serialProblem(line, line.serials, serial);
    if (problem) {
      answer([problem]);
      return;
    }
    const next = withSerials(line, [...line.serials, serial]);
    update(line, next);
    answer([
      {
        input: serial,
        outcome: 'ACCEPTED',
        accepted: true,
        message: `Line ${lineNo(next)}: ${plural(next.serials.length, 'serial')} ${wording()}.`,
      },
    ]);
  }

  /** Why a serial cannot go on this line, as an answer; undefined when it can. */
  function serialProblem(line: StockLine, serials: readonly string[], serial: string): Row | undefined {
    const label = `${line.item.productId} ${line.item.name}`;
    if (line.item.policy.level === 'NEVER') {
      return {
        input: serial,
        outcome: 'NOT_SERIALIZED',
        accepted: false,
        message: `${label} is never serialized: scan its barcode once per unit, or type the quantity.`,
      };
    }
    if ([...serial].length > 64) {
      return {
        input: serial,
        outcome: 'INVALID_SERIAL',
        accepted: false,
        message: `A serial number is at most 64 characters; this one has ${[...serial].length}.`,
      };
    }
    // SER-1: the same serial, whatever its case and surrounding spaces.
    const key = serialKey(serial);
    if (serials.some((s) => serialKey(s) === key)) {
      return { input: serial, outcome: 'DUPLICATE', accepted: false, message: `Already on line ${lineNo(line)}.` };
    }
    const pattern = line.item.policy.serialPattern;
    if (pattern && !fitsPattern(serial, pattern)) {
      return { input: serial, outcome: 'PATTERN_MISMATCH', accepted: false, message: `Does not fit ${label}'s serial format ${pattern}.` };
    }
    return undefined;
  }

  function withSerials(line: StockLine, serials: string[]): StockLine {
    // ALWAYS: one unit per serial. SOMETIMES: at least as many units as serials.
    const quantity = line.item.policy.level === 'ALWAYS' ? serials.length : Math.max(line.quantity, serials.length);
    return { ...line, serials, quantity };
  }

  function update(line: StockLine, next: StockLine): void {
    lines.value = lines.value.map((l) => (l.key === line.key ? next : l));
  }

  function lineNo(line: StockLine): number {
    return lines.value.findIndex((l) => l.key === line.key) + 1;
  }
}

/** Whether a serial fits the item's format (the whole serial must match); an unreadable pattern is left to the server. */
function fitsPattern(serial: string, pattern: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(serial.trim());
  } catch {
    return true;
  }
}

/** SER-1's comparison key, as the server computes it: trimmed, the letters a–z upper-cased. */
function serialKey(serial: string): string {
  return serial.trim().replace(/[a-z]+/g, (s) => s.toUpperCase());
}
