import { z } from 'zod';
import { defineRoute } from '../route.ts';

const Health = z
  .object({
    ok: z.boolean(),
    services: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
  })
  .meta({ id: 'Health' });

export const healthRoutes = [
  defineRoute({
    operationId: 'health',
    method: 'get',
    path: '/health',
    tag: 'Health',
    summary: 'Health of the API and the services it uses',
    access: 'public',
    responses: {
      200: { description: 'Everything is up.', schema: Health },
      503: { description: 'A service is down; `services` says which.', schema: Health },
    },
    async handler({ deps }) {
      const report = await deps.health();
      return { status: report.ok ? 200 : 503, body: report, headers: { 'Cache-Control': 'no-store' } };
    },
  }),
];
