import type { ErrorLike } from '@apollo/client';
import { toErrorLike } from '@apollo/client/errors';
import { computed, onScopeDispose, shallowRef } from 'vue';
import { useApolloClient } from '@/composables/use-apollo';
import { useMutation } from '@/composables/use-mutation';
import {
  ImportItemsDocument,
  ItemImportProgressDocument,
  ItemImportReportDocument,
  type ImportProgressFragment,
  type ItemImportReportQuery,
} from '@/gql/graphql';

export type ImportRowError = ItemImportReportQuery['itemImport']['errors'][number];

const POLL_MS = 500;
/** Polls may fail now and then (a blip on the network); this many in a row stops watching. */
const MAX_POLL_FAILURES = 5;
/** The API accepts requests up to 4 MB; the file travels inside one, JSON-escaped. */
export const MAX_CSV_BYTES = 3_500_000;

/**
 * A CSV import of items (POL-4): starts the job, polls its progress every 500 ms, and
 * when it ends fetches the per-row error report (line, column, reason).
 */
export function useItemImport(options: { onFinished?: (job: ImportProgressFragment) => void } = {}) {
  const client = useApolloClient();
  const { mutate, loading: starting, error: startError } = useMutation(ImportItemsDocument);
  const job = shallowRef<ImportProgressFragment>();
  const rowErrors = shallowRef<readonly ImportRowError[]>([]);
  /** Why the file as a whole was refused (malformed, missing columns, too many rows). */
  const fileErrors = shallowRef<readonly string[]>([]);
  const pollError = shallowRef<ErrorLike>();
  const running = computed(() => starting.value || job.value?.status === 'RUNNING');
  const error = computed(() => startError.value ?? pollError.value);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let disposed = false;

  onScopeDispose(() => {
    disposed = true;
    clearTimeout(timer);
  });

  return { job, rowErrors, fileErrors, error, running, start, refuse };

  async function start(csv: string): Promise<void> {
    clearTimeout(timer);
    job.value = undefined;
    rowErrors.value = [];
    fileErrors.value = [];
    pollError.value = undefined;
    failures = 0;
    if (new Blob([csv]).size > MAX_CSV_BYTES) {
      refuse(`The file is larger than ${(MAX_CSV_BYTES / 1_000_000).toFixed(1)} MB; split it into smaller files.`);
      return;
    }
    const result = await mutate({ csv });
    if (!result) return;
    const { job: started, userErrors } = result.importItems;
    fileErrors.value = userErrors.map((e) => e.message);
    if (!started) return;
    job.value = started;
    await follow();
  }

  /** Shows why a file was not sent at all. */
  function refuse(message: string): void {
    fileErrors.value = [message];
  }

  async function follow(): Promise<void> {
    if (disposed || !job.value) return;
    if (job.value.status !== 'RUNNING') {
      await finish(job.value.id);
      return;
    }
    timer = setTimeout(poll, POLL_MS);
  }

  async function poll(): Promise<void> {
    const id = job.value?.id;
    if (!id || disposed) return;
    try {
      const { data } = await client.query({ query: ItemImportProgressDocument, variables: { id }, fetchPolicy: 'network-only' });
      if (data) job.value = data.itemImport;
      failures = 0;
      pollError.value = undefined;
    } catch (caught) {
      failures += 1;
      pollError.value = toErrorLike(caught);
      if (failures >= MAX_POLL_FAILURES) return;
    }
    await follow();
  }

  async function finish(id: string): Promise<void> {
    try {
      const { data } = await client.query({ query: ItemImportReportDocument, variables: { id }, fetchPolicy: 'network-only' });
      if (data) {
        job.value = data.itemImport;
        rowErrors.value = data.itemImport.errors;
      }
    } catch (caught) {
      pollError.value = toErrorLike(caught);
    }
    if (job.value && !disposed) options.onFinished?.(job.value);
  }
}
