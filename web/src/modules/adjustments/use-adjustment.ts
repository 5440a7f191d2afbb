import { computed, ref, shallowRef } from 'vue';
import { useApolloClient } from '@/composables/use-apollo';
import {
  PostAdjustmentDocument,
  PreviewAdjustmentDocument,
  type AdjustmentInput,
  type AdjustmentMode,
  type AdjustmentReason,
  type StockLineResultFragment,
} from '@/gql/graphql';
import { useKeyedMutation } from '@/composables/use-keyed-mutation';
import { useStockLines } from './use-stock-lines';

const WORDING: Record<AdjustmentMode, string> = { ADD: 'to add', SUBTRACT: 'to subtract', FINAL_QUANTITY: 'on hand' };

/** A preview (or a refused post) and the exact input it answered. */
interface Checked {
  signature: string;
  input: AdjustmentInput;
  result: StockLineResultFragment;
}

/**
 * ADJ-1 in the console: header and scanned lines; a preview of exactly what posting will
 * change; posting only the input that was previewed cleanly, with a DOC-1 client key.
 */
export function useAdjustment() {
  const client = useApolloClient();
  const storeId = ref('');
  const mode = ref<AdjustmentMode>('ADD');
  const reason = ref<AdjustmentReason>('CORRECTION');
  const note = ref('');
  const stock = useStockLines(() => WORDING[mode.value]);
  const checked = shallowRef<Checked>();
  const previewing = ref(false);
  /** A refusal of the whole request (not allowed, unreachable); userErrors come in `checked`. */
  const requestError = shallowRef<unknown>();
  const { run, loading: posting, error: postError } = useKeyedMutation(PostAdjustmentDocument);
  const posted = shallowRef<StockLineResultFragment & { number: string }>();

  const input = computed<AdjustmentInput>(() => ({
    storeId: storeId.value,
    mode: mode.value,
    reason: reason.value,
    note: note.value.trim() || null,
    lines: stock.toInput(),
  }));
  const signature = computed(() => JSON.stringify(input.value));
  /** The preview on screen answers the input on screen. */
  const fresh = computed(() => checked.value?.signature === signature.value);
  const clean = computed(() => fresh.value && checked.value!.result.userErrors.length === 0 && stock.lines.value.length > 0);
  const canPreview = computed(() => !!storeId.value && stock.lines.value.length > 0 && !previewing.value && !posted.value);
  const canPost = computed(() => clean.value && !posting.value && !previewing.value && !posted.value);

  return {
    storeId,
    mode,
    reason,
    note,
    ...stock,
    checked,
    fresh,
    clean,
    previewing,
    posting,
    requestError,
    postError,
    posted,
    canPreview,
    canPost,
    preview,
    post,
    startOver,
  };

  async function preview(): Promise<void> {
    if (!canPreview.value) return;
    const sent = input.value;
    const sentSignature = signature.value;
    previewing.value = true;
    requestError.value = undefined;
    try {
      const { data, error } = await client.query({ query: PreviewAdjustmentDocument, variables: { input: sent }, fetchPolicy: 'no-cache' });
      if (error || !data) throw error ?? new Error('The server sent no preview.');
      checked.value = { signature: sentSignature, input: sent, result: data.previewAdjustment };
    } catch (caught) {
      checked.value = undefined;
      requestError.value = caught;
    } finally {
      previewing.value = false;
    }
  }

  /** Posts the previewed input; a refusal (stock changed meanwhile) shows like a preview with errors. */
  async function post(): Promise<void> {
    if (!canPost.value || !checked.value) return;
    const { input: sent, signature: sentSignature } = checked.value;
    requestError.value = undefined;
    const data = await run({ input: sent });
    if (!data) {
      requestError.value = postError.value;
      return;
    }
    const result = data.postAdjustment;
    if (result.number) posted.value = { ...result, number: result.number };
    else checked.value = { signature: sentSignature, input: sent, result };
  }

  /** After posting: a new adjustment at the same store, with the same mode and reason. */
  function startOver(): void {
    stock.reset();
    note.value = '';
    checked.value = undefined;
    posted.value = undefined;
    requestError.value = undefined;
  }
}
