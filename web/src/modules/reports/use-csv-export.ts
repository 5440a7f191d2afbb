import { onScopeDispose, ref } from 'vue';

export type ExportState = 'idle' | 'running' | 'done' | 'failed' | 'canceled';

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * Downloads a report's full CSV export (REP-1, REP-2). The server streams every row with no
 * total up front, so progress is what has arrived: bytes, and rows counted as record ends
 * outside quoted fields (a quoted field may hold a line break). When the stream ends the file
 * is saved through a Blob link. The request carries the session cookie like the API calls.
 */
export function useCsvExport() {
  const state = ref<ExportState>('idle');
  const bytes = ref(0);
  const rows = ref(0);
  const error = ref<string>();
  const filename = ref<string>();
  let controller: AbortController | undefined;

  onScopeDispose(() => controller?.abort());

  return { state, bytes, rows, error, filename, start, cancel };

  async function start(url: string, fallbackName: string): Promise<void> {
    controller?.abort();
    const own = new AbortController();
    controller = own;
    state.value = 'running';
    bytes.value = 0;
    rows.value = 0;
    error.value = undefined;
    filename.value = undefined;
    try {
      const response = await fetch(url, { credentials: 'include', signal: own.signal, headers: { accept: 'text/csv' } });
      if (!response.ok || !response.body) throw new Error(await refusal(response));
      const name = attachmentName(response.headers.get('content-disposition')) ?? fallbackName;
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      const reader = response.body.getReader();
      let inQuotes = false;
      let lineEnds = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        // "" inside a quoted field toggles twice, so the state stays right.
        for (let i = 0; i < value.length; i++) {
          const byte = value[i];
          if (byte === QUOTE) inQuotes = !inQuotes;
          else if (byte === NEWLINE && !inQuotes) lineEnds++;
        }
        bytes.value += value.length;
        // The first record is the header.
        rows.value = Math.max(0, lineEnds - 1);
      }
      if (controller !== own) return;
      save(new Blob(chunks, { type: 'text/csv;charset=utf-8' }), name);
      filename.value = name;
      state.value = 'done';
    } catch (caught) {
      if (controller !== own) return;
      if (own.signal.aborted) {
        state.value = 'canceled';
        return;
      }
      error.value =
        caught instanceof TypeError ? 'Cannot reach the server. Check your connection and try again.' : String((caught as Error).message);
      state.value = 'failed';
    }
  }

  function cancel(): void {
    controller?.abort();
  }
}

/** The message of a refused export: the server answers like GraphQL, `{ errors: [{ message }] }`. */
async function refusal(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { errors?: { message?: string }[] };
    const message = body.errors?.map((e) => e.message).join(' ');
    if (message) return message;
  } catch {
    // Not JSON: fall through to the status.
  }
  if (response.status === 401) return 'Your session has ended. Sign in again to export.';
  return `The export failed (HTTP ${response.status}). Try again in a moment.`;
}

function attachmentName(disposition: string | null): string | undefined {
  return disposition?.match(/filename="?([^";]+)"?/)?.[1];
}

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own reference by then; the URL only keeps the Blob alive.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
