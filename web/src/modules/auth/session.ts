import type { ApolloClient } from '@apollo/client';
import { computed } from 'vue';
import { useRouter, type Router } from 'vue-router';
import { useApolloClient } from '@/composables/use-apollo';
import { useMutation } from '@/composables/use-mutation';
import { useQuery } from '@/composables/use-query';
import { SessionDocument, SignOutDocument, type SessionViewerFragment } from '@/gql/graphql';

// The session lives in Apollo's cache as the answer to `query Session { me }`: the route
// guard reads it, sign-in writes it, and signing out (or losing the session) clears the cache.

export type SessionViewer = SessionViewerFragment;

/** The signed-in viewer for the console layout, and signing out. */
export function useSession() {
  const client = useApolloClient();
  const router = useRouter();
  const { data } = useQuery(SessionDocument);
  const { mutate, loading: signingOut, error: signOutError } = useMutation(SignOutDocument);
  const viewer = computed(() => data.value?.me ?? null);

  return { viewer, signOut, signingOut, signOutError };

  /** Ends the session on the server, then leaves the console; on failure `signOutError` says why. */
  async function signOut(): Promise<void> {
    const result = await mutate();
    if (result) await endSession(client, router);
  }
}

/** Who is signed in, from the cache or else the server; `null` when nobody (or unreachable). */
export async function loadViewer(client: ApolloClient): Promise<SessionViewer | null> {
  try {
    const { data } = await client.query({ query: SessionDocument, fetchPolicy: 'cache-first' });
    return data?.me ?? null;
  } catch {
    return null;
  }
}

/** After sign-in: the viewer the server returned becomes the session. */
export function rememberViewer(client: ApolloClient, viewer: SessionViewer): void {
  client.writeQuery({ query: SessionDocument, data: { me: viewer } });
}

/**
 * Leaves the console for the sign-in page and forgets everything cached for this user.
 * With `comeBack`, signing in again returns to the current page (the session expired).
 */
export async function endSession(client: ApolloClient, router: Router, { comeBack = false } = {}): Promise<void> {
  const current = router.currentRoute.value;
  if (!current.meta.public) {
    await router.replace({
      name: 'sign-in',
      query: comeBack ? { redirect: current.fullPath } : {},
    });
  }
  // After leaving: the console's live queries are gone, so nothing refetches as a stranger.
  await client.clearStore();
}

/** Where to go after sign-in: only a path inside the console, never another site. */
export function safeRedirect(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) return '/';
  if (value.startsWith('/\\') || value.startsWith('/sign-in')) return '/';
  return value;
}
