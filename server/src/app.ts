import 'reflect-metadata';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pg from 'pg';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, specifiedRules, validate, type GraphQLFormattedError } from 'graphql';
import type { AppConfig } from './config.js';
import { RequestContext, type Ctx } from './common/context.js';
import { refusedInput } from './common/errors.js';
import { httpErrorHandler, httpNotFound } from './common/http-auth.js';
import { queryLimitsRule } from './common/limits.js';
import { graphqlHttpHandler } from './common/graphql-http.js';
import { compiledExecutorGateway } from './common/compiled-executor.js';
import { createServices, type Services } from './common/services.js';
import { migrate, openOrm } from './db/orm.js';
import { apiSchema } from './schema.js';
import { tokenFromHeaders } from './modules/auth/auth.service.js';
import { sharedSubscribe } from './modules/realtime/shared-execution.js';
import { SocketSessions } from './common/socket-sessions.js';
import { registerReceivingRoutes } from './modules/receiving/receiving.export.js';
import { registerReportRoutes } from './modules/reports/reports.export.js';
import { registerVendorReturnRoutes } from './modules/adjustments/vendor-return.export.js';

export interface RunningServer {
  url: string;
  port: number;
  services: Services;
  close(): Promise<void>;
}

/** Wires the ORM, the GraphQL schema, HTTP and WebSocket on one port. */
export async function startServer(config: AppConfig, opts: { migrate?: boolean } = {}): Promise<RunningServer> {
  const orm = await openOrm(config.databaseUrl);
  if (opts.migrate !== false) await migrate(orm);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 20 });
  // An idle connection ended by the server (restart, dropped database) must not crash the process.
  let closing = false;
  pool.on('error', (e) => {
    if (!closing) console.error('database pool:', e.message);
  });
  const services = createServices(config, orm, pool);
  const schema = await apiSchema();
  await services.realtime.start();

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // API answers are not cached; hashing every response body costs more than it saves
  const httpServer = http.createServer(); // its request handler is set once Apollo has started
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });

  const makeContext = async (headers: http.IncomingHttpHeaders, extra: Pick<Ctx, 'req' | 'res'> = {}): Promise<Ctx> => {
    const viewer = await services.auth.viewerFromToken(pool, tokenFromHeaders(headers));
    return new RequestContext(orm, { pool, viewer, services, ...extra });
  };

  const socketSessions = new SocketSessions((token) => services.auth.viewerFromToken(pool, token));
  services.auth.onSessionsChanged(() => socketSessions.changed());
  const wsCleanup = useServer<Record<string, unknown>, { headers: http.IncomingHttpHeaders }>(
    {
      schema,
      subscribe: sharedSubscribe,
      validate: (schema, document, rules) => validate(schema, document, [...(rules ?? specifiedRules), queryLimitsRule]),
      onConnect: async (ctx) => {
        // Credentials: the session cookie of the upgrade request, or connectionParams.authorization.
        const auth = ctx.connectionParams?.authorization;
        ctx.extra.headers = { ...ctx.extra.request.headers, ...(typeof auth === 'string' ? { authorization: auth } : {}) };
        await socketSessions.opened(ctx.extra.socket, tokenFromHeaders(ctx.extra.headers));
        return true;
      },
      onClose: (ctx) => socketSessions.closed(ctx.extra.socket),
      context: (ctx) => makeContext(ctx.extra.headers ?? ctx.extra.request.headers),
      // Errors over WebSocket carry the same stable codes and masking as over HTTP.
      // Validation errors have neither a code nor a cause; anything else keeps its code, or is masked.
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((e) =>
          formatError(
            e.originalError || e.extensions.code
              ? e.toJSON()
              : { ...e.toJSON(), extensions: { ...e.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } },
            e,
          ),
        ),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors
          ? {
              ...result,
              // An error without a code from before execution (no path) is graphql-js refusing a variable's value.
              errors: result.errors.map((e) =>
                formatError(e.path || e.extensions.code ? e.toJSON() : { ...e.toJSON(), extensions: { code: 'BAD_USER_INPUT' } }, e),
              ),
            }
          : undefined,
    },
    wsServer,
  );

  const apollo = new ApolloServer<Ctx>({
    ...(config.executor === 'graphql-js' ? { schema } : { gateway: compiledExecutorGateway(schema) }),
    validationRules: [queryLimitsRule],
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => formatError(formatted, error),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No HTTP caching of API answers; the plugin would otherwise wrap every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => void res.json({ ok: true }));
  registerReceivingRoutes(app, services);
  registerReportRoutes(app, services);
  registerVendorReturnRoutes(app, services);
  // `/graphql` goes straight to Apollo (see graphql-http.ts); everything else to Express.
  const graphqlHandler = graphqlHttpHandler(apollo, (req, res) => makeContext(req.headers, { req, res }));
  httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (isGraphqlPath(req.url)) graphqlHandler(req, res);
    else app(req, res);
  });
  if (config.webDist && fs.existsSync(path.join(config.webDist, 'index.html'))) {
    const dist = config.webDist;
    app.use(express.static(dist, { index: false, maxAge: '1h' }));
    app.get(/^\/(?!graphql|healthz|export\/).*/, (_req, res) => res.sendFile(path.join(dist, 'index.html')));
  }

  app.use('/export', httpNotFound);
  app.use(httpErrorHandler);

  await new Promise<void>((resolve) => httpServer.listen(config.port, resolve));
  const port = (httpServer.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    services,
    async close() {
      closing = true;
      socketSessions.stop();
      await services.realtime.stop();
      await apollo.stop();
      wsServer.close();
      await pool.end();
      await orm.close();
    },
  };
}

function isGraphqlPath(url: string | undefined): boolean {
  if (!url?.startsWith('/graphql')) return false;
  const rest = url.slice('/graphql'.length);
  return rest === '' || rest === '/' || rest.startsWith('?') || rest.startsWith('/?');
}

function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (code === 'GRAPHQL_VALIDATION_FAILED') {
    // Apollo relabels every validation error; keep the stable codes of our own limit rules.
    const own =
      error instanceof GraphQLError && error.originalError instanceof GraphQLError ? error.originalError.extensions.code : undefined;
    return own ? { ...formatted, extensions: { ...formatted.extensions, code: own } } : formatted;
  }
  if (code && code !== 'INTERNAL_SERVER_ERROR') return formatted;
  const original = error instanceof GraphQLError ? error.originalError : error;
  // A value PostgreSQL refuses (an ID that is not a number, a NUL in text, a store that does not
  // exist…): the caller's input, not a fault of the server, answered in our words.
  const refused = refusedInput(original);
  if (refused) {
    // Logged too, in case the value was the server's own and not the caller's.
    console.warn('Refused as bad input:', (original as Error).message);
    return { ...formatted, message: refused.message, extensions: { code: refused.code } };
  }
  console.error('Internal error:', original ?? error);
  return { ...formatted, message: 'Internal server error; it has been logged.', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
