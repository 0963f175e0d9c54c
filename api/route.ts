import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { ApiKeyRole } from '../store/apiKeys.ts';
import type { ResolvedDeps } from './deps.ts';
import { fromZod, invalidRequest } from './problem.ts';
import { droppedKeys } from './safety.ts';

/**
 * A route is data: method, path, who may call it, the schemas of its parts and a handler.
 * The app mounts routes only from this shape, so authorization, validation, the OpenAPI
 * document and the role-matrix test all read the same table.
 */

export type Role = ApiKeyRole;

/** Who may call a route: `public` (no key), or the roles allowed besides admin. */
export type Access = 'public' | readonly Role[];

/** The caller, once its API key is verified. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
}

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** How a request body arrives. `stream` routes read `req` themselves (imports). */
export type BodyType = 'json' | 'form' | 'stream';

export interface HandlerContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal | null;
  deps: ResolvedDeps;
  req: Request;
  res: Response;
  /** The request's time (from the injected clock). */
  now: Date;
}

/** What a handler returns; the app validates `body` against `responses[status]`. */
export interface Reply {
  status: number;
  body?: unknown;
  /** Defaults to `application/json`. */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to `application/json` when there is a schema. */
  contentType?: string;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  operationId: string;
  method: Method;
  /** Express path under `/v1`, e.g. `/customers/:id`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  bodyType?: BodyType;
  /** Content types a `stream` body may have. */
  streamTypes?: readonly string[];
  /** Tokens a request takes from the caller's ingestion rate (e.g. events in a batch). */
  rateCost?: (body: unknown) => number;
  responses: Readonly<Record<number, ResponseSpec>>;
  handler: (ctx: HandlerContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<Reply>;
}

/** A route with its types erased, as the app and the OpenAPI builder see it. */
export interface Route {
  operationId: string;
  method: Method;
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  bodyType?: BodyType;
  streamTypes?: readonly string[];
  rateCost?: (body: unknown) => number;
  responses: Readonly<Record<number, ResponseSpec>>;
  /** Validates params, query and (non-stream) body, then runs the handler. */
  run(ctx: Omit<HandlerContext<unknown, unknown, unknown>, 'params' | 'query' | 'body'>): Promise<Reply>;
}

function parsePart(schema: z.ZodType | undefined, value: unknown, location: 'params' | 'query' | 'body'): unknown {
  if (schema === undefined) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw fromZod(result.error, location);
  const unknown = droppedKeys(value, result.data, location);
  if (unknown.length > 0) throw invalidRequest(unknown);
  return result.data;
}

/** An empty query object: routes without query parameters reject any. */
const noQuery = (value: unknown) =>
  typeof value === 'object' && value !== null && Object.keys(value).length > 0
    ? Object.keys(value).map((key) => ({ path: `query.${key}`, message: 'unknown query parameter' }))
    : [];

/**
 * Declares a route. Params, query and body are parsed with their schemas before the handler
 * runs, so the handler sees typed, validated values only.
 *
 * @example defineRoute({ operationId: 'getCustomer', method: 'get', path: '/customers/:id', ... })
 */
export function defineRoute<
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
>(spec: RouteSpec<P, Q, B>): Route {
  const { handler, ...rest } = spec;
  return {
    ...rest,
    async run(ctx) {
      const params = parsePart(spec.params, ctx.req.params, 'params');
      if (spec.query === undefined) {
        const unknown = noQuery(ctx.req.query);
        if (unknown.length > 0) throw invalidRequest(unknown);
      }
      const query = parsePart(spec.query, ctx.req.query, 'query');
      const body = spec.bodyType === 'stream' ? undefined : parsePart(spec.body, ctx.req.body, 'body');
      // The three parts were just parsed by the very schemas P, Q and B.
      return handler({ ...ctx, params, query, body } as HandlerContext<z.output<P>, z.output<Q>, z.output<B>>);
    },
  };
}
