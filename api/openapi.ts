import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express from 'express';
import type { Router } from 'express';
import { z } from 'zod';
import { knownTimezones, Timezone } from '../journey/customer.ts';
import type { Route } from './route.ts';
import { routeTable } from './routes/index.ts';
import { safeKeyNames } from './safety.ts';
import { Problem } from './wire/common.ts';

/**
 * The OpenAPI 3.1 document, generated from the route table and the very zod schemas that
 * validate requests and responses, so the document cannot drift from the behaviour.
 */

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

const ref = (name: string) => `#/components/schemas/${name}`;

const isObject = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Makes a converted schema say exactly what the server does, in forms every OpenAPI 3.1 tool
 * reads:
 * - tuples of one item type (`prefixItems` + `items: false`) become arrays of fixed length;
 * - in requests, every object without a rule for other properties gets
 *   `additionalProperties: false` (the route rejects unknown fields, see `droppedKeys`), and
 *   open maps (custom attributes, Twilio's fields) name the keys the server refuses
 *   (`unsafeKeys`: `$…`, dots, NUL, `__proto__`…).
 */
function exact(node: unknown, io: Io): unknown {
  if (Array.isArray(node)) return node.map((child) => exact(child, io));
  if (!isObject(node)) return node;
  const out: JsonSchema = Object.fromEntries(Object.entries(node).map(([key, child]) => [key, key === 'properties' || key === '$defs' ? mapValues(child, io) : exact(child, io)]));
  const tuple = out['prefixItems'];
  if (Array.isArray(tuple) && out['items'] === false && tuple.length > 0 && tuple.every((item) => JSON.stringify(item) === JSON.stringify(tuple[0]))) {
    delete out['prefixItems'];
    out['items'] = tuple[0];
  }
  if (io === 'input' && out['type'] === 'object') {
    if (!('additionalProperties' in out)) out['additionalProperties'] = false;
    else if (out['additionalProperties'] !== false) out['propertyNames'] = safeKeyNames(isObject(out['propertyNames']) ? out['propertyNames'] : {});
  }
  return out;
}

function mapValues(value: unknown, io: Io): unknown {
  return isObject(value) ? Object.fromEntries(Object.entries(value).map(([key, child]) => [key, exact(child, io)])) : value;
}

/** Input-only additions: a time zone's known names (the server also accepts their aliases). */
function override(io: Io) {
  return (ctx: { zodSchema: unknown; jsonSchema: JsonSchema }) => {
    if (io === 'input' && ctx.zodSchema === Timezone) ctx.jsonSchema['enum'] = knownTimezones();
  };
}

/** Converts zod schemas to JSON Schema 2020-12, collecting named ones as components. */
class SchemaCollector {
  readonly components: Record<string, JsonSchema> = {};
  private readonly outputs = new Map<string, string>();

  convert(schema: z.ZodType, io: Io): JsonSchema {
    const json = exact(z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', override: override(io) }), io) as JsonSchema;
    const defs = (json['$defs'] ?? {}) as Record<string, JsonSchema>;
    delete json['$defs'];
    delete json['$schema'];
    // Input and output differ where defaults apply: name the input variant apart.
    const names = new Map<string, string>();
    for (const [id, def] of Object.entries(defs)) {
      const text = JSON.stringify(def);
      if (io === 'output' || this.outputs.get(id) === text) names.set(id, id);
      else names.set(id, this.outputs.has(id) || this.components[id] !== undefined ? `${id}Input` : id);
      if (io === 'output') this.outputs.set(id, text);
    }
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (typeof value !== 'object' || value === null) return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, child]) =>
          key === '$ref' && typeof child === 'string' && child.startsWith('#/$defs/')
            ? [key, ref(names.get(child.slice(8)) ?? child.slice(8))]
            : [key, rewrite(child)],
        ),
      );
    };
    for (const [id, def] of Object.entries(defs)) this.components[names.get(id) ?? id] = rewrite(def) as JsonSchema;
    return rewrite(json) as JsonSchema;
  }
}

const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(collector: SchemaCollector, schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (schema === undefined) return [];
  const json = collector.convert(schema, 'input');
  const properties = (json['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}

function roleText(route: Route): string {
  return route.access === 'public' ? 'Public: no API key.' : `Roles: admin, ${route.access.join(', ')}.`;
}

function problemResponse(description: string) {
  return { description, content: { 'application/problem+json': { schema: { $ref: ref('Problem') } } } };
}

function operation(collector: SchemaCollector, route: Route) {
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    const type = spec.contentType ?? 'application/json';
    const schema = spec.schema === undefined ? undefined : collector.convert(spec.schema, 'output');
    responses[status] = schema === undefined && spec.contentType === undefined
      ? { description: spec.description }
      : { description: spec.description, content: { [type]: { schema: schema ?? { type: 'string' } } } };
  }
  const hasInput = route.params !== undefined || route.query !== undefined || route.body !== undefined;
  if (hasInput) responses['400'] ??= problemResponse('A field is invalid; `errors[].path` names it.');
  if (route.access !== 'public') {
    responses['401'] ??= problemResponse('No API key, or an unknown or revoked one.');
    responses['403'] ??= problemResponse('The key’s role may not call this route.');
  }
  if (route.params !== undefined) responses['404'] ??= problemResponse('Not found.');
  if (route.body !== undefined || route.bodyType !== undefined) {
    responses['413'] ??= problemResponse('The body is larger than the limit.');
    responses['415'] ??= problemResponse('The body has another media type.');
  }
  if (route.rateCost !== undefined) responses['429'] ??= problemResponse('Over the key’s ingestion rate; see Retry-After.');
  responses['default'] = problemResponse('Unexpected error.');

  let requestBody: unknown;
  if (route.bodyType === 'stream') {
    const content = Object.fromEntries((route.streamTypes ?? []).map((t) => [t, { schema: { type: 'string', contentMediaType: t } }]));
    requestBody = { required: true, content };
  } else if (route.body !== undefined) {
    const type = route.bodyType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
    // A body with a default (e.g. compile: `{}` compiles the stored draft) may be left out.
    requestBody = { required: !route.body.safeParse(undefined).success, content: { [type]: { schema: collector.convert(route.body, 'input') } } };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: [route.description, roleText(route)].filter(Boolean).join('\n\n'),
    tags: [route.tag],
    'x-roles': route.access === 'public' ? [] : ['admin', ...route.access],
    parameters: [...parameters(collector, route.params, 'path'), ...parameters(collector, route.query, 'query')],
    ...(requestBody === undefined ? {} : { requestBody }),
    responses,
    ...(route.access === 'public' ? { security: [] } : {}),
  };
}

/** The OpenAPI 3.1 document of `routes`, served at `/v1/openapi.json`. */
export function buildOpenApi(routes: readonly Route[], serverUrl: string): Record<string, unknown> {
  const collector = new SchemaCollector();
  collector.convert(Problem, 'output');
  const paths: Record<string, Record<string, unknown>> = {};
  // Outputs first, so input variants that equal their output share one component.
  for (const route of routes) {
    for (const spec of Object.values(route.responses)) if (spec.schema !== undefined) collector.convert(spec.schema, 'output');
  }
  const operations = routes.map((route) => [route, operation(collector, route)] as const);
  for (const [route, op] of operations) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: op };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Waymark API',
      version: '1.0.0',
      description:
        'Customers, events, journeys, templates, campaigns, CS tasks, coupons and consent. ' +
        'Send an API key as `Authorization: Bearer <key>`. Errors are `application/problem+json`. ' +
        'Lists are paginated with `limit` and `cursor` (pass `nextCursor` back).',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: `${serverUrl.replace(/\/$/, '')}/v1` }],
    security: [{ apiKey: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: collector.components,
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A Waymark API key.' } },
    },
  };
}

const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Waymark API reference</title>
<link rel="stylesheet" href="./docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="./docs/assets/swagger-ui-bundle.js"></script>
<script src="./docs/init.js"></script>
</body></html>`;

// A file, not an inline script: the Content-Security-Policy allows scripts from files only.
const docsInit = `window.ui = SwaggerUIBundle({ url: './openapi.json', dom_id: '#ui', persistAuthorization: true });\n`;

/** The paths `mountDocs` serves, for the `Allow` of other methods. */
export const docsRoutes = [
  { method: 'get', path: '/openapi.json' },
  { method: 'get', path: '/docs' },
  { method: 'get', path: '/docs/init.js' },
] as const;

/**
 * Mounts `/openapi.json` and the reference page `/docs` (Swagger UI). Both are public: they
 * describe the open-source API and hold no data.
 */
export function mountDocs(router: Router, serverUrl: string): void {
  let document: Record<string, unknown> | undefined;
  router.get('/openapi.json', (_req, res) => {
    document ??= buildOpenApi(routeTable, serverUrl);
    res.json(document);
  });
  router.get('/docs', (req, res) => {
    // Relative asset URLs need the page to be `/v1/docs`, not `/v1/docs/`.
    if (req.originalUrl.endsWith('/')) res.redirect(301, '../docs');
    else res.type('html').send(docsPage);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('text/javascript').send(docsInit);
  });
  router.use('/docs/assets', express.static(swaggerDir, { index: false, fallthrough: false }));
}
