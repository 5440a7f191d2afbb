import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';

export interface GqlResult<T = Record<string, any>> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

/** A real HTTP + WebSocket GraphQL client, authenticated with a bearer token. */
export class ApiClient {
  token?: string;
  private ws?: Client;

  constructor(readonly url: string) {}

  async signIn(username: string, password = 'serialdesk'): Promise<void> {
    const res = await this.request<{ signIn: { token: string | null; userErrors: { code: string }[] } }>(
      `mutation($input: SignInInput!) { signIn(input: $input) { token userErrors { code message } } }`,
      { input: { username, password } },
    );
    if (!res.data?.signIn.token) throw new Error(`sign-in as ${username} failed: ${JSON.stringify(res)}`);
    this.token = res.data.signIn.token;
  }

  async request<T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<GqlResult<T>> {
    const res = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResult<T>;
  }

  /** Runs a query and throws on any GraphQL error; returns `data`. */
  async data<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await this.request<T>(query, variables);
    if (res.errors?.length || !res.data) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
    return res.data;
  }

  /** The stable error code of the first error. */
  async errorCode(query: string, variables: Record<string, unknown> = {}): Promise<string | undefined> {
    const res = await this.request(query, variables);
    return res.errors?.[0]?.extensions?.code;
  }

  wsClient(): Client {
    this.ws ??= createClient({
      url: this.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: this.token ? { authorization: `Bearer ${this.token}` } : {},
      lazy: true,
      retryAttempts: 0,
    });
    return this.ws;
  }

  /** Subscribes and collects events; `next()` waits for the next one. */
  subscribe<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}) {
    const events: GqlResult<T>[] = [];
    const waiters: ((e: GqlResult<T>) => void)[] = [];
    let error: unknown;
    const dispose = this.wsClient().subscribe<T>(
      { query, variables },
      {
        next: (e) => {
          const w = waiters.shift();
          if (w) w(e as GqlResult<T>);
          else events.push(e as GqlResult<T>);
        },
        error: (e) => {
          error = e;
          const w = waiters.shift();
          w?.({ errors: Array.isArray(e) ? e : [{ message: describeError(e) }] });
        },
        complete: () => {},
      },
    );
    return {
      next: (timeoutMs = 10_000): Promise<GqlResult<T>> => {
        const e = events.shift();
        if (e) return Promise.resolve(e);
        if (error) return Promise.resolve({ errors: Array.isArray(error) ? error : [{ message: describeError(error) }] });
        return new Promise((resolve, reject) => {
          const waiter = (ev: GqlResult<T>) => {
            clearTimeout(timer);
            resolve(ev);
          };
          const timer = setTimeout(() => {
            // Drop the waiter so the next event is not swallowed by a timed-out wait.
            waiters.splice(waiters.indexOf(waiter), 1);
            reject(new Error('no subscription event within timeout'));
          }, timeoutMs);
          waiters.push(waiter);
        });
      },
      dispose,
    };
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
  }
}

/** A socket's close as "socket closed <code>: <reason>", anything else by its message. */
function describeError(e: unknown): string {
  const close = e as { code?: unknown; reason?: unknown };
  if (typeof close?.code === 'number') return `socket closed ${close.code}: ${String(close.reason ?? '')}`;
  return String((e as Error)?.message ?? e);
}
