import type { ApolloClient } from '@apollo/client';
import { inject, type InjectionKey } from 'vue';
import type { Connection } from '@/apollo';

export const apolloClientKey: InjectionKey<ApolloClient> = Symbol('apollo-client');
export const connectionKey: InjectionKey<Connection> = Symbol('connection');

/** The Apollo client provided by the app (main.ts); tests provide their own. */
export function useApolloClient(): ApolloClient {
  return injectOrThrow(apolloClientKey, 'Apollo client');
}

/** The subscription socket's state, for the connection indicator. */
export function useConnection(): Connection {
  return injectOrThrow(connectionKey, 'connection');
}

function injectOrThrow<T>(key: InjectionKey<T>, what: string): T {
  const value = inject(key, null);
  if (value === null) throw new Error(`No ${what} provided: call app.provide() in main.ts`);
  return value;
}
