import { onMounted, onScopeDispose, toValue, type MaybeRefOrGetter, type Ref } from 'vue';

// Input types that take typing; focus is never taken from them.
const NON_TEXT_INPUTS = new Set(['button', 'checkbox', 'radio', 'submit', 'reset', 'image', 'range', 'color']);

/**
 * Keeps a scanner's field focused: a scanner types wherever the focus is, so after every
 * answer, every mouse click elsewhere and a return to the window, the field takes focus
 * back — unless the user is typing in another field or selecting text to copy.
 */
export function useScanFocus(field: Ref<HTMLInputElement | null | undefined>, enabled: MaybeRefOrGetter<boolean> = true) {
  onMounted(() => {
    document.addEventListener('click', onClick);
    window.addEventListener('focus', refocus);
    refocus();
  });
  onScopeDispose(() => {
    document.removeEventListener('click', onClick);
    window.removeEventListener('focus', refocus);
  });

  return { refocus };

  /** Focuses the field unless the user is busy in another field. */
  function refocus(): void {
    const element = field.value;
    if (!toValue(enabled) || !element || element.disabled || !element.isConnected) return;
    const active = document.activeElement;
    if (active && active !== element && isTypingTarget(active)) return;
    if (active !== element && hasTextSelection()) return;
    if (document.querySelector('dialog[open]')) return;
    element.focus({ preventScroll: true });
  }

  function onClick(event: MouseEvent): void {
    // A keyboard user who left the field on purpose (Shift+Tab, then Enter on a button) stays where they are.
    if (event.detail === 0) return;
    // After the click's own handlers and the re-render they cause.
    setTimeout(refocus, 0);
  }
}

function isTypingTarget(element: Element): boolean {
  if (element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) return true;
  if (element instanceof HTMLInputElement) return !NON_TEXT_INPUTS.has(element.type);
  return element instanceof HTMLElement && element.isContentEditable;
}

function hasTextSelection(): boolean {
  const selection = window.getSelection();
  return !!selection && !selection.isCollapsed && selection.toString().trim().length > 0;
}
