import express from 'express';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { pino } from 'pino';
import { createEventPipeline } from '../runtime/pipeline.ts';
import { allows, authenticate, authorize } from './auth.ts';
import type { AppDeps, ResolvedDeps } from './deps.ts';
import { docsRoutes, mountDocs } from './openapi.ts';
import { invalidRequest, methodNotAllowed, notFound, ProblemError, problemHandler } from './problem.ts';
import { RateLimiter } from './rateLimit.ts';
import type { Principal, Reply, Route } from './route.ts';
import { routeTable } from './routes/index.ts';
import { unsafeKeys } from './safety.ts';
import { securityHeaders } from './securityHeaders.ts';

export { routeTable } from './routes/index.ts';

const defaultBodyLimit = 1024 * 1024;

function resolveDeps(deps: AppDeps): ResolvedDeps {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const clock = deps.clock ?? (() => new Date());
  return {
    ...deps,
    logger,
    clock,
    pipeline: deps.pipeline ?? createEventPipeline({ db: deps.db, runtime: deps.runtime, clock, logger }),
  };
}

/** Runs a connect-style middleware as a promise. */
function runMiddleware(middleware: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    void middleware(req, res, (error?: unknown) => (error === undefined ? resolve() : reject(error)));
  });
}

function bodyParsers(limit: number) {
  return {
    json: express.json({ limit, strict: true, type: ['application/json', 'application/*+json'] }),
    form: express.urlencoded({ limit, extended: false, parameterLimit: 200 }),
  };
}

const mediaTypes = { json: ['application/json', 'application/*+json'], form: ['application/x-www-form-urlencoded'] };

function requestHasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** Parses the body the route declares; a body of another media type is a 415. */
async function parseBody(route: Route, req: Request, res: Response, parsers: ReturnType<typeof bodyParsers>) {
  const kind = route.bodyType ?? (route.body === undefined ? undefined : 'json');
  if (kind === undefined || kind === 'stream' || !requestHasBody(req)) return;
  if (!req.is(mediaTypes[kind])) {
    throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', `send ${mediaTypes[kind][0]}`);
  }
  await runMiddleware(parsers[kind], req, res);
}

function send(res: Response, route: Route, reply: Reply, log: ResolvedDeps['logger']): void {
  const spec = route.responses[reply.status];
  if (spec === undefined) throw new Error(`${route.operationId} replied ${reply.status}, which its route does not declare`);
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.status(reply.status);
  if (reply.body === undefined) {
    res.end();
    return;
  }
  const contentType = reply.contentType ?? spec.contentType ?? 'application/json';
  if (spec.schema !== undefined && contentType.includes('json')) {
    // Responses are parsed too: what leaves is exactly what the OpenAPI document promises.
    const checked = spec.schema.safeParse(reply.body);
    if (!checked.success) {
      log.error({ operationId: route.operationId, issues: checked.error.issues }, 'response does not match its schema');
      throw new Error(`${route.operationId}: response does not match its schema`);
    }
    res.type(contentType).send(JSON.stringify(checked.data));
    return;
  }
  res.type(contentType).send(reply.body);
}

function mount(route: Route, deps: ResolvedDeps, limiter: RateLimiter, parsers: ReturnType<typeof bodyParsers>) {
  return async (req: Request, res: Response) => {
    let principal: Principal | null = null;
    if (route.access !== 'public') {
      principal = await authenticate(deps, req);
      res.locals['principal'] = principal;
      authorize(principal, route.access);
    }
    await parseBody(route, req, res, parsers);
    // After parsing, so a batch costs one token per event, not one per request.
    if (route.rateCost !== undefined && principal !== null) {
      const wait = limiter.take(principal.keyId, route.rateCost(req.body), deps.clock().getTime());
      if (wait > 0) {
        throw new ProblemError(429, 'rate-limited', 'Too many requests', `this key is over its ingestion rate; retry in ${wait} s`, undefined, {
          'Retry-After': String(wait),
        });
      }
    }
    const unsafe = [...unsafeKeys(req.query, 'query'), ...unsafeKeys(req.body, 'body')];
    if (unsafe.length > 0) throw invalidRequest(unsafe);
    const reply = await route.run({ principal, deps, req, res, now: deps.clock() });
    send(res, route, reply, deps.logger);
  };
}

/**
 * A known path with another method: `405` naming the methods it has in `Allow` (RFC 9110), and
 * `OPTIONS` answers `204` with the same header. Mounted after the routes, so it only sees
 * requests none of them took (Express answers `HEAD` with the `GET` route).
 */
function mountAllow(router: express.Router, routes: ReadonlyArray<{ method: string; path: string }>): void {
  const methods = new Map<string, Set<string>>();
  for (const route of routes) {
    const set = methods.get(route.path) ?? new Set<string>();
    set.add(route.method.toUpperCase());
    if (route.method === 'get') set.add('HEAD');
    methods.set(route.path, set);
  }
  for (const [path, set] of methods) {
    const allow = [...set, 'OPTIONS'].join(', ');
    router.all(path, (req, res) => {
      if (req.method === 'OPTIONS') {
        res.setHeader('Allow', allow);
        res.status(204).end();
        return;
      }
      throw methodNotAllowed(`${req.method} /v1${req.path}`, allow);
    });
  }
}

/** Logs method, path (never the query: it carries signed tokens), status, time and key id. */
function requestLog(deps: ResolvedDeps): RequestHandler {
  return (req, res, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const principal = res.locals['principal'] as Principal | undefined;
      deps.logger.info(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          ...(principal === undefined ? {} : { keyId: principal.keyId, role: principal.role }),
        },
        'request',
      );
    });
    next();
  };
}

/**
 * The Waymark HTTP API under `/v1`: every route of `routeTable`, the OpenAPI document at
 * `/v1/openapi.json` and its reference page at `/v1/docs`. Everything with side effects
 * comes in through `deps`.
 *
 * @example createApp({ db, runtime, mailer, sms, config, health }).listen(3000)
 */
export function createApp(appDeps: AppDeps): Express {
  const deps = resolveDeps(appDeps);
  const config = deps.config;
  const limiter = new RateLimiter(config.ingestRate?.perSecond ?? 1000, config.ingestRate?.burst ?? 2000);
  const parsers = bodyParsers(config.bodyLimitBytes ?? defaultBodyLimit);
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(requestLog(deps));
  app.use(securityHeaders());

  const router = express.Router({ strict: false, caseSensitive: true });
  for (const route of routeTable) router[route.method](route.path, mount(route, deps, limiter, parsers));
  mountDocs(router, config.publicUrl);
  mountAllow(router, [...routeTable, ...docsRoutes]);
  router.use((req) => {
    throw notFound(`${req.method} /v1${req.path}`);
  });
  app.use('/v1', router);
  app.use(problemHandler((error) => deps.logger.error({ err: error }, 'request failed')));
  return app;
}

/** Which roles may call a route: for docs and the role-matrix test. */
export function allowedRoles(route: Route): string[] {
  if (route.access === 'public') return ['public'];
  return (['admin', 'marketer', 'operator', 'viewer', 'ingest'] as const).filter((role) => allows(route.access, role));
}
