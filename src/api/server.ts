import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { ErrorCode, isPorticoError, PorticoError } from '../errors/catalogue.ts';
import { newRequestId } from '../log/request-id.ts';
import { scrape } from '../metrics/scrape.ts';
import { registerRateLimit } from './account-limits.ts';
import { gateConfigWrites } from './config-gate.ts';
import { ApiError, apiErrorOf, errorBody, notFound } from './errors.ts';
import { refuseBadRequest, refuseUnroutable } from './framework-errors.ts';
import { registerFilterLanguage } from './filter.ts';
import { lazyValidators, type LazyValidators } from './lazy-validators.ts';
import { registerOpenApi } from './openapi/register.ts';
import { publicOriginOf } from './public-origin.ts';
import type { ApiDeps } from './context.ts';
import { resources } from './resources/index.ts';

/** Paths served without an API key. */
const publicPaths = new Set(['/health', '/openapi.json']);

/** Body schema paths whose validation failures have their own ngrok codes. */
const fieldCodes: Record<string, ErrorCode> = {
  '/description': ErrorCode.ERR_NGROK_420,
  '/metadata': ErrorCode.ERR_NGROK_421,
};

/**
 * The REST API: ngrok API v2's Cloud Edge resources, authenticated by API key, scoped to the
 * key's account. Lenient on input (unknown fields ignored, a `module` wrapper unwrapped,
 * non-JSON bodies tolerated where a client sends them), exact on output.
 */
export async function createApi(given: ApiDeps): Promise<FastifyInstance> {
  // From here on every configuration write is compiled as a dry run first (config-gate.ts).
  const deps: ApiDeps = { ...given, store: gateConfigWrites(given.store) };
  const http = deps.httpServer ?? {};
  const validators = lazyValidators();
  const app = Fastify({
    logger: false,
    genReqId: () => newRequestId(),
    // Node's server options (header timeout and its checking interval); Fastify sets these two itself.
    http,
    keepAliveTimeout: http.keepAliveTimeout,
    requestTimeout: http.requestTimeout,
    ajv: { customOptions: { coerceTypes: false, allErrors: false } },
    // Route schemas compile on first use rather than all at start (lazy-validators.ts).
    schemaController: { compilersFactory: { buildValidator: validators.buildValidator } },
    // X-Forwarded-Proto/Host/For are believed only from these proxies (none unless configured).
    ...(deps.publicAddress?.trustedProxies?.length && { trustProxy: deps.publicAddress.trustedProxies }),
    // Errors raised before a route runs get the API's envelope too, never Fastify's own shape.
    frameworkErrors: (err, req, reply) => sendError(reply as FastifyReply, refuseUnroutable(err), req.id),
    clientErrorHandler: refuseBadRequest,
  });

  // JSON bodies; an empty body is {}; a body that is not JSON is kept as text so routes that
  // ignore bodies (tunnel session commands get a bare id from the TS client) still work.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    const s = String(text).trim();
    if (s === '') return done(null, {});
    try {
      done(null, JSON.parse(s));
    } catch {
      done(null, new NotJson(s));
    }
  });

  const warnUnenforced = (message: string, fields: Record<string, unknown>) => deps.logger.warn(message, fields);
  app.decorateRequest('publicOrigin', '');
  app.addHook('onRequest', async (req) => {
    req.publicOrigin = publicOriginOf(req, deps.publicAddress ?? {});
  });
  app.addHook('onRequest', async (req) => {
    const version = req.headers['ngrok-version'];
    if (version !== undefined && version !== '2')
      throw new ApiError(ErrorCode.ERR_NGROK_217, `Ngrok-Version "${String(version)}" is not supported; use 2`);
    const path = req.url.split('?')[0]!;
    if (publicPaths.has(path) || (path === '/metrics' && deps.metrics)) return;
    const auth = req.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
    if (!token) throw new ApiError(ErrorCode.ERR_NGROK_202, 'Missing API key: send Authorization: Bearer <api key>');
    const hit = await deps.store.apiKeys.authenticate(token);
    if (!hit) throw new ApiError(ErrorCode.ERR_NGROK_203, 'The API key is not valid');
    if (deps.restrictions && !deps.restrictions().admits(hit.account.id, 'api', req.ip, warnUnenforced))
      throw new PorticoError(ErrorCode.ERR_NGROK_1212, `you call from ${req.ip}`);
    req.account = hit.account;
  });

  app.addHook('preValidation', async (req) => {
    const body = req.body as unknown;
    if (body instanceof NotJson) {
      if (req.routeOptions.config && (req.routeOptions.config as { ignoresBody?: boolean }).ignoresBody) return;
      throw new ApiError(ErrorCode.ERR_NGROK_213, 'The request body is not valid JSON');
    }
    // The TS client wraps module bodies: {id, edge_id, module: {...}}.
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const wrapped = (body as Record<string, unknown>).module;
      if (wrapped && typeof wrapped === 'object' && !Array.isArray(wrapped)) req.body = wrapped;
    }
  });

  app.setErrorHandler((err: FastifyError | ApiError, req, reply) =>
    sendError(reply, toApiError(err, req.id, deps), req.id),
  );
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody(notFound(), req.id));
  });

  registerFilterLanguage(app);
  registerMetrics(app, deps); // before the rate limit and the OpenAPI document: not an API resource
  await registerRateLimit(app, deps); // its hook joins every route registered after it
  registerOpenApi(app); // first of the routes: its onRoute hook sees every route registered after it
  app.get('/health', async () => ({ status: 'ok' }));
  for (const register of resources) register(app, deps);
  await app.ready();
  validatorsOf.set(app, validators);
  return app;
}

const validatorsOf = new WeakMap<FastifyInstance, LazyValidators>();

/** Compiles every route's request schema of `app` now; throws what Ajv throws for a bad one. */
export function compileAllValidators(app: FastifyInstance): void {
  validatorsOf.get(app)?.compileAll();
}

/** `GET /metrics`: the edge's metrics in Prometheus text format; its own key, if any, not an API key. */
function registerMetrics(app: FastifyInstance, deps: ApiDeps): void {
  const endpoint = deps.metrics;
  if (!endpoint) return;
  app.get('/metrics', async (req, reply) => {
    const answer = await scrape(endpoint, req.headers.authorization);
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
}

function sendError(reply: FastifyReply, err: ApiError, requestId: string): void {
  void reply.code(err.status).header('content-type', 'application/json').send(errorBody(err, requestId));
}

class NotJson {
  constructor(readonly text: string) {}
}

function toApiError(err: FastifyError | ApiError, requestId: string, deps: ApiDeps): ApiError {
  if (err instanceof ApiError) return err;
  // A store conflict (two requests racing for one name) or another catalogued error: its own code.
  if (isPorticoError(err)) return apiErrorOf(err);
  const validation = (err as FastifyError).validation;
  if (validation?.length) {
    const first = validation[0]!;
    const path = first.instancePath || (first.params as { missingProperty?: string })?.missingProperty || '';
    const field = path.replace(/^\//, '').replace(/\//g, '.') || 'body';
    return new ApiError(fieldCodes[path] ?? ErrorCode.ERR_NGROK_215, `${field}: ${first.message ?? 'is invalid'}`, {
      field,
    });
  }
  if ((err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500) {
    return new ApiError(ErrorCode.ERR_NGROK_215, err.message, {}, (err as FastifyError).statusCode);
  }
  deps.logger.error('api request failed', { err, requestId });
  return new ApiError(ErrorCode.ERR_NGROK_500, 'Internal error');
}
