import { onScopeDispose, ref } from 'vue';

const CONFIRM_MS = 5000;

/**
 * An action that cannot be undone (cancel a document, close a count) takes two clicks: the
 * first asks — `confirming` turns the button red and makes it say "Click again to …" — and
 * a second within 5 s runs `action`; otherwise the button goes back to what it was.
 */
export function useConfirmClick(action: () => void) {
  const confirming = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onScopeDispose(() => clearTimeout(timer));

  return { confirming, ask };

  function ask(): void {
    clearTimeout(timer);
    if (confirming.value) {
      confirming.value = false;
      action();
      return;
    }
    confirming.value = true;
    timer = setTimeout(() => (confirming.value = false), CONFIRM_MS);
  }
}
