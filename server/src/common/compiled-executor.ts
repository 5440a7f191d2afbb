import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, type DocumentNode, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** Compiled operations kept per process; the console and clients send a few dozen distinct ones. */
const MAX_COMPILED = 500;

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
 * An operation graphql-jit cannot compile runs on graphql-js, so nothing is refused for it; so do
 * operations whose variables are refused, for graphql-js's wording of the reason.
 * Subscriptions (graphql-ws) do not pass through here.
 */
export function compiledExecutorGateway(schema: GraphQLSchema): GatewayInterface {
  const compiled = new Map<string, CompiledQuery | null>();

  const compile = (document: DocumentNode, operationName: string | null, key: string): CompiledQuery | null => {
    const hit = compiled.get(key);
    if (hit !== undefined) return hit;
    const result = compileQuery(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true });
    const entry = isCompiledQuery(result) ? result : null;
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, entry);
    return entry;
  };

  const executor: GatewayExecutor = async (rc) => {
    const key = `${rc.queryHash}\u0000${rc.operationName ?? ''}`;
    const query = compile(rc.document, rc.operationName, key);
    const variables = rc.request.variables ?? {};
    const interpret = () =>
      execute({ schema, document: rc.document, contextValue: rc.context, variableValues: variables, operationName: rc.operationName });
    if (!query) return interpret();
    const result = await query.query(undefined, rc.context, variables);
    // No `data` at all: the variables were refused before anything ran. graphql-js words those
    // errors as Apollo expects (it answers them as BAD_USER_INPUT), so let it say why.
    if (!('data' in result) && result.errors?.length) return interpret();
    return result;
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
