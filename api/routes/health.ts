import { z } from 'zod';
import { defineRoute } from '../route.ts';

const Supervised = z.object({
  state: z.enum(['running', 'restarting', 'failed', 'stopped']),
  restarts: z.number().int().describe('Restarts since `npm start` began.'),
  lastRestart: z.object({ at: z.string().describe('ISO 8601'), reason: z.string() }).optional(),
  detail: z.string().optional().describe('Why it is no longer restarted (a crash loop), and where its log is.'),
});

const Health = z
  .object({
    ok: z.boolean(),
    services: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
    supervised: z
      .record(z.string(), Supervised)
      .optional()
      .describe('Under `npm start`: each supervised process (embedded services and the worker), its restarts and the last one.'),
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
      503: { description: 'A service is down, or a supervised process keeps crashing; `services` and `supervised` say which.', schema: Health },
    },
    async handler({ deps }) {
      const report = await deps.health();
      return { status: report.ok ? 200 : 503, body: report, headers: { 'Cache-Control': 'no-store' } };
    },
  }),
];
