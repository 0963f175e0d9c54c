import { z } from 'zod';
import { PageQuery, pageOf } from './common.ts';

export const Role = z.enum(['admin', 'marketer', 'operator', 'viewer', 'ingest']).meta({
  id: 'Role',
  description:
    'admin: everything; marketer: journeys and templates; operator: campaigns and tasks; viewer: read only; ingest: events and customers.',
});

/** A key as listed: never its secret. */
export const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    role: Role,
    prefix: z.string().describe('The first characters of the key, to tell keys apart.'),
    createdAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'ApiKey' });

export const ApiKeyCreate = z.strictObject({ name: z.string().min(1).max(100), role: Role }).meta({ id: 'ApiKeyCreate' });

/** The response to creating a key: the only time its plaintext is shown. */
export const ApiKeyCreated = z.object({ key: z.string(), apiKey: ApiKey }).meta({ id: 'ApiKeyCreated' });

export const ApiKeyPage = pageOf(ApiKey).meta({ id: 'ApiKeyPage' });
export const ApiKeyQuery = PageQuery;
