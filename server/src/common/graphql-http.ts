import type http from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { MAX_BODY, MAX_BODY_BYTES } from './limits.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * Serves `/graphql` straight from Node's HTTP server to Apollo, without Express.
 *
 * Every API call passes here. Express's router, body parser and response helpers cost as much
 * per request as executing a small operation does; this is what Apollo's own Express
 * integration does, minus them. Other routes (CSV exports, the console) stay on Express.
 * Bodies: JSON only, up to MAX_BODY, uncompressed; anything else is refused with a stable code.
 */
export function graphqlHttpHandler<C extends BaseContext>(
  apollo: ApolloServer<C>,
  context: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<C>,
): Handler {
  return (req, res) => {
    serve(apollo, context, req, res).catch((e: unknown) => {
      // A client that went away mid-request is not a fault of ours. (Not `req.destroyed`: a request
      // whose body was read to the end is destroyed too.)
      if (!res.socket || res.socket.destroyed || (e as NodeJS.ErrnoException).code === 'ECONNRESET') return void res.destroy();
      console.error('GraphQL over HTTP:', e);
      if (!res.headersSent) refuse(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error; it has been logged.');
      else res.destroy();
    });
  };
}

async function serve<C extends BaseContext>(
  apollo: ApolloServer<C>,
  context: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<C>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = req.url ?? '/graphql';
  const q = url.indexOf('?');
  let body: unknown;
  if (req.method === 'POST') {
    const read = await readBody(req);
    if (read === 'too-large') return refuse(res, 413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${MAX_BODY}.`);
    if (read === 'encoded') return refuse(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body uncompressed (no Content-Encoding).');
    if (read.length > 0 && isJson(req.headers['content-type'])) {
      try {
        body = JSON.parse(read.toString('utf8'));
      } catch {
        return refuse(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON.');
      }
    }
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers))
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);

  const answer = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: q < 0 ? '' : url.slice(q), body },
    context: () => context(req, res),
  });
  for (const [key, value] of answer.headers) res.setHeader(key, value);
  res.statusCode = answer.status ?? 200;
  if (answer.body.kind === 'complete') {
    res.end(answer.body.string);
    return;
  }
  for await (const chunk of answer.body.asyncIterator) res.write(chunk);
  res.end();
}

/** The whole body, or why it was not read. A body over the limit is not buffered. */
function readBody(req: http.IncomingMessage): Promise<Buffer | 'too-large' | 'encoded'> {
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding.toLowerCase() !== 'identity') {
    req.resume();
    return Promise.resolve('encoded');
  }
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        chunks.length = 0;
        req.removeAllListeners('data');
        req.resume();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * A refused request's body may still be arriving (a refused upload can be endless): the
 * connection is closed once the answer is out, rather than reading the rest to keep it alive.
 */
function refuse(res: http.ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}
