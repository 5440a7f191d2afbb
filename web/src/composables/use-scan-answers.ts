import { shallowRef } from 'vue';
import type { AnswerOutcome } from '@/modules/receiving/receiving';
import { playCue } from '@/composables/scan-cues';

// DOC-3 on every scanning page (receipts, transfers, adjustments, returns to vendor, counts):
// every scan answers at once, newest first, green when taken and red with the reason when
// not — and it sounds. Shown by components/ScanAnswerLog.vue.

/** One row of an answer log. */
export interface ScanAnswer {
  /** Unique in this page's log. */
  key: number;
  at: Date;
  input: string;
  outcome: AnswerOutcome;
  accepted: boolean;
  message: string;
  /** Where the scan's line stands ("3 of 5"), on documents with expected quantities. */
  lineScanned?: number | null;
  lineExpected?: number | null;
}

const LOG_SIZE = 200;

/** An answer log: `answer` adds rows to the top and plays the cue of the whole scan. */
export function useScanAnswers() {
  const answers = shallowRef<ScanAnswer[]>([]);
  let nextKey = 1;

  return { answers, answer, clear };

  /** Logs the answers to one scan (a paste may have many), the last entry topmost, and sounds once. */
  function answer(rows: Omit<ScanAnswer, 'key' | 'at'>[]): void {
    if (rows.length === 0) return;
    const at = new Date();
    const added = rows.map((row) => ({ ...row, key: nextKey++, at })).reverse();
    answers.value = [...added, ...answers.value].slice(0, LOG_SIZE);
    playCue(rows.every((row) => row.accepted) ? 'accepted' : 'refused');
  }

  function clear(): void {
    answers.value = [];
  }
}
