import { z } from 'zod';
import { actionCommand, actionExits, actionSteps } from './action.ts';
import { defineNode } from './spec.ts';

export const WebhookConfig = z.object({
  url: z.url({ protocol: /^https?$/ }),
  method: z.enum(['POST', 'PUT']).default('POST'),
  headers: z.record(z.string(), z.string()).default({}),
  /** A Handlebars template that renders to JSON, e.g. a DingTalk, WeCom or Slack robot message. */
  body: z.string().max(10_000).default(''),
});
export type WebhookConfig = z.infer<typeof WebhookConfig>;

/** What the workflow hands the `callWebhook` activity. */
export const WebhookCommand = actionCommand('webhook', WebhookConfig);

/** Posts templated JSON to another system, e.g. a team chat robot. */
export const webhookNode = defineNode(WebhookConfig)({
  kind: 'webhook',
  displayName: 'Call webhook',
  description: 'Posts a JSON message to another system, such as a DingTalk, WeCom or Slack robot.',
  category: 'action',
  defaults: () => ({ url: 'https://example.com/hook', method: 'POST', headers: {}, body: '{"text":"{{customer.name}}"}' }),
  exits: () => actionExits('delivered', 'delivered'),
  summary: (c) => `${c.method} ${new URL(c.url).host}`,
  action: { activity: 'callWebhook', retry: 'effect', simulate: 'notify' },
  ...actionSteps<WebhookConfig>({ okExit: 'delivered', quietHours: false, command: (config, base) => ({ ...base, kind: 'webhook', config }) }),
});
