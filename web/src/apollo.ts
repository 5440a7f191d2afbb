import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache, ServerError } from '@apollo/client';
import { ErrorLink } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import { CloseCode, createClient, type Client } from 'graphql-ws';
import { Observable } from 'rxjs';
import { readonly, ref, type Ref } from 'vue';

/**
 * State of the WebSocket that carries subscriptions:
 * - `connecting`: opening it, or waiting to retry after it dropped while subscriptions were active;
 * - `connected`: acknowledged by the server, live updates flow;
 * - `paused`: no socket, because nothing is subscribed (the client is lazy) or the server refused it.
 */
export type ConnectionState = 'connecting' | 'connected' | 'paused';

export interface Connection {
  readonly state: Readonly<Ref<ConnectionState>>;
}

export interface ApolloOptions {
  /** Called when the server answers `extensions.code = 'UNAUTHENTICATED'`: the session is gone. */
  onUnauthenticated(): void;
}

const GRAPHQL_PATH = '/graphql';

// graphql-ws gives up after these close codes (the server refused us) instead of retrying.
const REFUSED_CLOSE_CODES = new Set<number>([
  CloseCode.InternalServerError,
  CloseCode.InternalClientError,
  CloseCode.BadRequest,
  CloseCode.BadResponse,
  CloseCode.Unauthorized,
  CloseCode.SubprotocolNotAcceptable,
  CloseCode.SubscriberAlreadyExists,
  CloseCode.TooManyInitialisationRequests,
]);
// Of the WebSocket 1xxx codes, graphql-ws retries only these (1000: at once, if still subscribed).
const RETRYABLE_1XXX_CLOSE_CODES = new Set([1000, 1001, 1005, 1006, 1012, 1013, 1014]);

export function createApollo(options: ApolloOptions): { client: ApolloClient; connection: Connection } {
  const state = ref<ConnectionState>('paused');
  // graphql-ws retries only while something is subscribed; count it to tell a retry from a rest.
  let activeSubscriptions = 0;
  const wsClient = createWsClient((event) => {
    state.value = activeSubscriptions > 0 && isRetryable(event) ? 'connecting' : 'paused';
    // The server closes a socket whose session ended (signed out elsewhere, expired, deactivated).
    if ((event as { code?: unknown } | null)?.code === CloseCode.Unauthorized) options.onUnauthenticated();
  });
  wsClient.on('connecting', () => (state.value = 'connecting'));
  wsClient.on('connected', () => (state.value = 'connected'));

  const httpLink = new HttpLink({
    uri: GRAPHQL_PATH,
    // The session is an httpOnly cookie (`sd_session`) set by the server on sign-in.
    credentials: 'include',
    // Apollo Server's CSRF prevention requires a non-simple content type.
    headers: { 'content-type': 'application/json' },
  });
  const wsLink = new ApolloLink((operation, forward) => {
    return new Observable<ApolloLink.Result>((observer) => {
      activeSubscriptions++;
      const subscription = forward(operation).subscribe(observer);
      return () => {
        activeSubscriptions--;
        subscription.unsubscribe();
      };
    });
  }).concat(new GraphQLWsLink(wsClient));
  const transport = ApolloLink.split((operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION, wsLink, httpLink);
  const errorLink = new ErrorLink(({ error }) => {
    if (isUnauthenticated(error)) options.onUnauthenticated();
  });

  const client = new ApolloClient({
    link: ApolloLink.from([errorLink, transport]),
    cache: new InMemoryCache({
      typePolicies: {
        // A policy has no id of its own: pages ask for different fields of the same one
        // (an item's level in a list, all its flags in the detail), so merge, don't replace.
        SerialPolicy: { merge: true },
      },
    }),
    devtools: { enabled: import.meta.env.DEV },
  });

  return {
    client,
    connection: { state: readonly(state) },
  };
}

export function isUnauthenticated(error: unknown): boolean {
  if (ServerError.is(error)) return error.statusCode === 401;
  return CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.['code'] === 'UNAUTHENTICATED');
}

/** How often the console pings the server, and how long it waits for the answer. */
const PING_EVERY_MS = 10_000;
const PONG_WITHIN_MS = 5_000;

function createWsClient(onClosed: (event: unknown) => void): Client {
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  const client: Client = createClient({
    url: websocketUrl(),
    lazy: true,
    retryAttempts: Infinity,
    // Retry on any transport failure, not only on close events.
    shouldRetry: () => true,
    // A network that silently drops everything (a laptop's Wi-Fi gone, a proxy) never closes the
    // socket: without an answer to a ping the console ends it, says so, and reconnects and
    // catches up (RT-3) instead of showing "Live" over a dead line.
    keepAlive: PING_EVERY_MS,
    on: {
      closed: (event) => {
        clearTimeout(pongTimer);
        onClosed(event);
      },
      ping: (received) => {
        if (!received) pongTimer = setTimeout(() => client.terminate(), PONG_WITHIN_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
  });
  return client;
}

function isRetryable(event: unknown): boolean {
  const code = (event as { code?: unknown } | null)?.code;
  if (typeof code !== 'number') return true;
  if (REFUSED_CLOSE_CODES.has(code)) return false;
  return code < 1000 || code > 1999 || RETRYABLE_1XXX_CLOSE_CODES.has(code);
}

function websocketUrl(): string {
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${protocol}//${location.host}${GRAPHQL_PATH}`;
}
