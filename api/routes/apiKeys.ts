import { createApiKey, listApiKeys, revokeApiKey } from '../../store/apiKeys.ts';
import { conflict, notFound } from '../problem.ts';
import { Problem } from '../wire/common.ts';
import { defineRoute } from '../route.ts';
import { ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyPage, ApiKeyQuery } from '../wire/apiKeys.ts';
import { IdParams } from '../wire/common.ts';

/** Key management is admin-only: no other role appears in `access`. */
export const apiKeyRoutes = [
  defineRoute({
    operationId: 'createApiKey',
    method: 'post',
    path: '/api-keys',
    tag: 'API keys',
    summary: 'Create an API key',
    description: 'The response holds the key once; only its hash is stored.',
    access: [],
    body: ApiKeyCreate,
    responses: { 201: { description: 'Created.', schema: ApiKeyCreated } },
    async handler({ body, deps, now }) {
      const { record, plaintext } = await createApiKey(deps.db, body, now);
      return { status: 201, body: { key: plaintext, apiKey: record }, headers: { 'Cache-Control': 'no-store' } };
    },
  }),
  defineRoute({
    operationId: 'listApiKeys',
    method: 'get',
    path: '/api-keys',
    tag: 'API keys',
    summary: 'List API keys',
    access: [],
    query: ApiKeyQuery,
    responses: { 200: { description: 'A page of keys, without secrets.', schema: ApiKeyPage } },
    async handler({ query, deps }) {
      return { status: 200, body: await listApiKeys(deps.db, query) };
    },
  }),
  defineRoute({
    operationId: 'revokeApiKey',
    method: 'delete',
    path: '/api-keys/:id',
    tag: 'API keys',
    summary: 'Revoke an API key',
    description: 'A key cannot revoke itself (409), so an admin cannot lock everyone out by mistake: revoke it with another admin key.',
    access: [],
    params: IdParams,
    responses: {
      200: { description: 'Revoked.', schema: ApiKey },
      409: { description: 'The key revoking is the key to revoke.', schema: Problem, contentType: 'application/problem+json' },
    },
    async handler({ params, deps, now, principal }) {
      if (principal?.keyId === params.id) throw conflict('a key cannot revoke itself: use another admin key', 'params.id');
      const record = await revokeApiKey(deps.db, params.id, now);
      if (record === null) throw notFound(`API key ${params.id}`);
      return { status: 200, body: record };
    },
  }),
];
