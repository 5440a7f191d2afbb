import type { CountClassificationsQuery } from '@/gql/graphql';

// How counts read on screen, and what this computer remembers about them.

export type CountStatus = 'OPEN' | 'CLOSED' | 'POSTED' | 'CANCELED';

export const COUNT_STATUS_LABELS: Record<string, string> = { OPEN: 'Open', CLOSED: 'Closed', POSTED: 'Posted', CANCELED: 'Canceled' };

export function statusLabel(status: string): string {
  return COUNT_STATUS_LABELS[status] ?? status;
}

const ACTION_LABELS: Record<string, string> = {
  SCANNED: 'scanned',
  setCountQuantity: 'set a counted quantity',
  closeCount: 'closed the count',
  postCount: 'posted the count',
};

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

/** Where the system believes an unexpected unit is (CNT-1), and what posting does with it. */
export function whereBelieved(
  state: string | null | undefined,
  storeCode: string | null | undefined,
): { text: string; takenOver: boolean } {
  switch (state) {
    case null:
    case undefined:
      return { text: 'Unknown unit: never received anywhere', takenOver: true };
    case 'IN_STOCK':
      return { text: `In stock at ${storeCode ?? 'another store'}: transfer it (posting leaves it there)`, takenOver: false };
    case 'IN_TRANSIT':
      return { text: 'In transit on a transfer: receive the transfer (posting leaves it)', takenOver: false };
    case 'SOLD':
      return { text: 'Sold to a customer', takenOver: true };
    case 'REMOVED':
      return { text: 'Removed by an adjustment or count', takenOver: true };
    case 'RETURNED_TO_VENDOR':
      return { text: 'Returned to the vendor', takenOver: true };
    default:
      return { text: state, takenOver: true };
  }
}

export interface ClassificationOption {
  id: string;
  label: string;
  depth: number;
}

/** The Department › Category › Subcategory tree as one list for a picker, depth first. */
export function classificationOptions(tree: CountClassificationsQuery['classificationTree']): ClassificationOption[] {
  const options: ClassificationOption[] = [];
  for (const department of tree) {
    options.push({ id: department.id, label: department.name, depth: 0 });
    for (const category of department.children) {
      options.push({ id: category.id, label: `${department.name} › ${category.name}`, depth: 1 });
      for (const sub of category.children)
        options.push({ id: sub.id, label: `${department.name} › ${category.name} › ${sub.name}`, depth: 2 });
    }
  }
  return options;
}

// The API lists no counts (there is `cycleCount(id)` only): this computer remembers the
// counts it opened or visited, and the list page adds those that others scan into live.
const RECENT_KEY = 'serialdesk.recentCounts';
const RECENT_SIZE = 30;

export function recentCountIds(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberCount(id: string): string[] {
  const ids = [id, ...recentCountIds().filter((other) => other !== id)].slice(0, RECENT_SIZE);
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(ids));
  } catch {
    // Private mode or storage full: the list lasts for this page only.
  }
  return ids;
}

export function forgetCount(id: string): string[] {
  const ids = recentCountIds().filter((other) => other !== id);
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(ids));
  } catch {
    // As above.
  }
  return ids;
}

/** A clerk's batch in a count, kept across reloads of the page (CNT-1: scans go on in the same batch). */
export interface SavedBatch {
  batchId: string;
  batchNo: number;
}

const batchKey = (countId: string, userId: string) => `serialdesk.countBatch.${countId}.${userId}`;

export function loadBatch(countId: string, userId: string): SavedBatch | null {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(batchKey(countId, userId)) ?? 'null') as SavedBatch | null;
    return parsed && typeof parsed.batchId === 'string' && typeof parsed.batchNo === 'number' ? parsed : null;
  } catch {
    return null;
  }
}

export function saveBatch(countId: string, userId: string, batch: SavedBatch | null): void {
  try {
    if (batch) sessionStorage.setItem(batchKey(countId, userId), JSON.stringify(batch));
    else sessionStorage.removeItem(batchKey(countId, userId));
  } catch {
    // The batch lasts for this page only.
  }
}
