import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult } from 'graphql';

// Event rows are fanned out as the same object to every subscriber of an instance. The
// subscription fields resolve from the row alone (never from the viewer: scope is applied
// before a row reaches a subscriber), so the result for one (row, document, variables) can be
// computed once and sent to every subscriber asking the same thing.
const results = new WeakMap<object, Map<string, Promise<ExecutionResult> | ExecutionResult>>();

/** graphql's subscribe, with each event's execution shared between identical subscriptions. */
export async function sharedSubscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source as ExecutionResult;
  const key = `${print(args.document)}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}`;
  const iterator = source[Symbol.asyncIterator]();
  const run = async (payload: unknown): Promise<ExecutionResult> => execute({ ...args, rootValue: payload });
  const out: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]() {
      return out;
    },
    async next() {
      const r = await iterator.next();
      if (r.done) return { done: true, value: undefined };
      const payload = r.value;
      if (!payload || typeof payload !== 'object') return { done: false, value: await run(payload) };
      let byQuery = results.get(payload);
      if (!byQuery) results.set(payload, (byQuery = new Map()));
      let result = byQuery.get(key);
      if (!result) byQuery.set(key, (result = run(payload)));
      return { done: false, value: await result };
    },
    async return() {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
    async throw(e: unknown) {
      await iterator.return?.();
      throw e;
    },
  };
  return out;
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return x != null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}
