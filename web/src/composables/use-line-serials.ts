import type { TypedDocumentNode } from '@apollo/client';
import { computed, onScopeDispose, shallowRef, toValue, type MaybeRefOrGetter } from 'vue';
import { useQuery } from './use-query';

/**
 * The serial lists of a scanned document's lines (a receipt, a transfer), loaded only while at
 * least one line's list is open: a document can hold thousands. After each answer `refetchSoon`
 * brings open lists up to date, a burst of scans in one reload.
 */
export function useLineSerials<TData, TLine extends { id: string }>(
  /** The feature's query of its document's serials by line. */
  document: TypedDocumentNode<TData, { id: string }>,
  documentId: MaybeRefOrGetter<string>,
  /** The lines (with their serials) in the query's answer. */
  linesOf: (data: TData) => readonly TLine[],
) {
  /** The ids of the lines whose serials are open. */
  const expanded = shallowRef<ReadonlySet<string>>(new Set());
  const query = useQuery(document, () => ({ id: toValue(documentId) }), {
    enabled: () => expanded.value.size > 0,
    fetchPolicy: 'cache-and-network',
  });
  const serialsByLine = computed(() => new Map((query.data.value ? linesOf(query.data.value) : []).map((line) => [line.id, line])));
  let timer: ReturnType<typeof setTimeout> | undefined;
  onScopeDispose(() => clearTimeout(timer));

  return { expanded, serialsByLine, loading: query.loading, error: query.error, toggle, refetchSoon, refetchOpen };

  function toggle(lineId: string): void {
    const next = new Set(expanded.value);
    if (!next.delete(lineId)) next.add(lineId);
    expanded.value = next;
  }

  /** Open lists reload in a moment (coalesces a burst of scans into one reload). */
  function refetchSoon(): void {
    if (expanded.value.size === 0) return;
    clearTimeout(timer);
    timer = setTimeout(() => void query.refetch(), 300);
  }

  /** Open lists reload now; nothing when none is open. */
  function refetchOpen(): Promise<void> | undefined {
    return expanded.value.size > 0 ? query.refetch() : undefined;
  }
}
