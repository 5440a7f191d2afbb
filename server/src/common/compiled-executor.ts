import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, GraphQLError, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Ctx } from './context.js';

/** Compiled operations kept per process; the console and clients send a few dozen distinct ones. */
const MAX_COMPILED = 500;
/** Operations longer than this run on graphql-js: compiling a huge document costs more than it saves. */
const MAX_COMPILED_SOURCE = 16 * 1024;
/** An operation is compiled the second time it is seen, so one-off documents never are. */
const COMPILE_AFTER = 2;
const MAX_TRACKED = 2_000;

/**
 * Executes HTTP operations with graphql-jit instead of graphql-js's interpreter.
 *
 * graphql-js spends about a microsecond on every field of an answer (resolve info, completion,
 * path bookkeeping). Answers of thousands of fields — a bulk policy lookup, a report page —
 * spend most of their time there. graphql-jit compiles each validated operation once into a
 * function that reads the same resolvers; the answer is the same. Apollo Server accepts a custom
 * executor only through its gateway interface, so this is a gateway that serves one local schema.
 * Parsing, validation (with our limit rules), context and error formatting stay Apollo's.
 *
 * Compiling blocks the process for a while, so only what pays for it is compiled: operations of
 * signed-in users, of moderate size, seen at least twice. Everything else runs on graphql-js,
 * as do operations graphql-jit cannot compile and operations whose variables are refused (for
 * graphql-js's wording of the reason, which Apollo answers as BAD_USER_INPUT). Subscriptions
 * (graphql-ws) do not pass through here.
 *
 * One difference to keep in mind: on types declared with `simpleResolvers`, graphql-jit reads a
 * property as it is, where graphql-js would call a function or await a promise found there. Those
 * types must hold plain values.
 */
export function compiledExecutorGateway(schema: GraphQLSchema): GatewayInterface {
  const compiled = new Map<string, CompiledQuery | null>();
  const seen = new Map<string, number>();

  const compiledFor = (rc: Parameters<GatewayExecutor>[0]): CompiledQuery | null => {
    const key = `${rc.queryHash}\u0000${rc.operationName ?? ''}`;
    const hit = compiled.get(key);
    if (hit !== undefined) return hit;
    if (!(rc.context as Ctx).viewer || rc.source.length > MAX_COMPILED_SOURCE) return null;
    const times = (seen.get(key) ?? 0) + 1;
    if (times < COMPILE_AFTER) {
      if (seen.size >= MAX_TRACKED) seen.clear();
      seen.set(key, times);
      return null;
    }
    seen.delete(key);
    const result = compileQuery(schema, rc.document, rc.operationName ?? undefined, { disablingCapturingStackErrors: true });
    const entry = isCompiledQuery(result) ? result : null;
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, entry);
    return entry;
  };

  const executor: GatewayExecutor = async (rc) => {
    const variables = rc.request.variables ?? {};
    const interpret = () =>
      execute({ schema, document: rc.document, contextValue: rc.context, variableValues: variables, operationName: rc.operationName });
    const query = compiledFor(rc);
    if (!query) return interpret();
    const result = (await query.query(undefined, rc.context, variables)) as ExecutionResult;
    // No `data` at all: the variables were refused before anything ran. graphql-js words those
    // errors as Apollo expects (it answers them as BAD_USER_INPUT), so let it say why.
    if (!('data' in result) && result.errors?.length) return interpret();
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async load() {
      return { executor };
    },
    async stop() {},
  };
}

/**
 * graphql-jit's errors are not graphql-js GraphQLErrors, and have no `extensions` when their cause
 * was not a GraphQLError (a failed statement, a bug, a null in a non-null field). Apollo's error
 * formatting needs both, or it answers a bare "Internal server error" without our formatError,
 * which logs the cause. The same error as graphql-js would give: message, locations, path,
 * original error and extensions.
 */
function asGraphQLError(e: GraphQLError): GraphQLError {
  if (e instanceof GraphQLError && e.extensions) return e;
  const original = e.originalError;
  const error = new GraphQLError(e.message, {
    path: e.path,
    originalError: original ?? undefined,
    extensions: e.extensions ?? (original instanceof GraphQLError ? original.extensions : undefined),
  });
  // graphql-js derives locations from the document's nodes, which graphql-jit does not keep.
  if (e.locations) Object.defineProperty(error, 'locations', { value: e.locations, enumerable: true, writable: true });
  return error;
}
