import { shallowRef } from 'vue';
import { useDocumentEvents } from '@/composables/use-document-events';
import { CountEventsDocument } from '@/gql/graphql';
import { forgetCount, recentCountIds, rememberCount } from './counts';

/** The latest live event of a count, for its row. */
export interface CountActivity {
  status: string;
  scanned: number;
  userName: string;
}

/**
 * The counts to list. The API has no list of counts (only `cycleCount(id)`), so the page
 * shows those this computer opened or visited, plus every count at the user's stores that
 * someone works on while the page is open (live `documentEvents` of kind COUNT, resumed
 * after a reconnection).
 */
export function useRecentCounts() {
  const ids = shallowRef<string[]>(recentCountIds());
  const activity = shallowRef<ReadonlyMap<string, CountActivity>>(new Map());

  useDocumentEvents(
    CountEventsDocument,
    { kind: 'COUNT' },
    {
      onEvent: (event) => {
        if (!ids.value.includes(event.documentId)) ids.value = rememberCount(event.documentId);
        activity.value = new Map(activity.value).set(event.documentId, {
          status: event.status,
          scanned: event.scanned,
          userName: event.userName ?? 'Someone',
        });
      },
    },
  );

  return { ids, activity, forget };

  function forget(id: string): void {
    ids.value = forgetCount(id);
  }
}
