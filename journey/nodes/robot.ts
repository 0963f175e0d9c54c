import { z } from 'zod';
import { actionCommand, actionExits, actionSteps } from './action.ts';
import { defineNode } from './spec.ts';

/** The group-chat platforms whose robots (群机器人) a journey can post to. */
export const RobotPlatform = z.enum(['wecom', 'dingtalk', 'feishu']);
export type RobotPlatform = z.infer<typeof RobotPlatform>;

/** The platforms' own names, for messages and summaries. */
export const robotPlatformNames: Record<RobotPlatform, string> = { wecom: 'WeCom', dingtalk: 'DingTalk', feishu: 'Feishu' };

/** WeCom's limit on a text message, in UTF-8 bytes (markdown allows 4,096). */
export const WECOM_TEXT_BYTES = 2048;

export const RobotConfig = z.object({
  platform: RobotPlatform,
  /**
   * The robot's webhook credential: WeCom's `key`, DingTalk's `access_token`, Feishu's hook id
   * (the last part of the webhook address).
   */
  token: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'use the key, access token or hook id from the robot’s webhook address (letters, digits, - and _)'),
  /**
   * The signing secret (加签) of a DingTalk or Feishu robot with signing turned on; empty when
   * the robot uses a keyword or an IP list instead. WeCom robots have none.
   */
  secret: z.string().max(128).default(''),
  format: z.enum(['text', 'markdown']).default('text'),
  /** The markdown message's title (DingTalk shows it in the notification, Feishu as the card header). */
  title: z.string().max(100).default(''),
  /** A Handlebars template, e.g. `{{customer.name}} ({{customer.valueTier}}) has not ordered for 90 days`. */
  content: z.string().min(1, 'write the message').max(4000),
  /** Mobile numbers (WeCom, DingTalk) or user ids (Feishu) to @mention; `@all` mentions everyone. */
  mentions: z.array(z.string().min(1).max(64)).max(50).default([]),
});
export type RobotConfig = z.infer<typeof RobotConfig>;

/** What the workflow hands the `postRobotMessage` activity. */
export const RobotCommand = actionCommand('robot', RobotConfig);

/**
 * Posts a templated text or markdown message to a WeCom, DingTalk or Feishu group robot. Each
 * robot takes about 20 messages a minute: a message over that waits for the window, never dropped.
 */
export const robotNode = defineNode(RobotConfig)({
  kind: 'robot',
  displayName: 'Post to group robot',
  description: 'Posts a message to a WeCom, DingTalk or Feishu group robot, e.g. to alert the sales team; waits when the robot’s 20-a-minute limit is reached.',
  category: 'action',
  defaults: () => ({ platform: 'wecom', token: 'your-robot-key', secret: '', format: 'text', title: '', content: '{{customer.name}} needs a call', mentions: [] }),
  exits: () => actionExits('sent', 'sent'),
  summary: (c) => `${robotPlatformNames[c.platform]} robot, ${c.format}`,
  check(c, ctx) {
    if (c.platform === 'wecom' && c.secret !== '') ctx.error('INVALID_CONFIG', `${ctx.name}: WeCom robots have no signing secret; leave it empty.`, { path: 'secret' });
    if (c.platform === 'wecom' && c.format === 'text' && new TextEncoder().encode(c.content).length > WECOM_TEXT_BYTES) {
      ctx.error('INVALID_CONFIG', `${ctx.name}: WeCom text messages hold at most ${WECOM_TEXT_BYTES} bytes; shorten the message or use markdown.`, { path: 'content' });
    }
    if (c.format === 'markdown' && c.platform !== 'wecom' && c.title === '') ctx.error('INVALID_CONFIG', `${ctx.name}: a ${robotPlatformNames[c.platform]} markdown message needs a title.`, { path: 'title' });
  },
  action: { activity: 'postRobotMessage', retry: 'effect', simulate: 'notify' },
  ...actionSteps<RobotConfig>({ okExit: 'sent', quietHours: false, command: (config, base) => ({ ...base, kind: 'robot', config }) }),
});
