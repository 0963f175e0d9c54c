import { z } from 'zod';
import { CapNote } from '../../journey/caps.ts';
import { Channel, CustomerId } from '../../journey/customer.ts';
import { PageQuery, pageOf } from './common.ts';

export const MessageStatus = z.enum(['pending', 'sent', 'delivered', 'opened', 'clicked', 'failed', 'undelivered', 'bounced', 'suppressed']);

/** One send in the message ledger. */
export const Message = z
  .object({
    id: z.string(),
    key: z.string().describe('deterministic send key: workflow id + node id + visit'),
    channel: Channel,
    customerId: CustomerId,
    journeyId: z.string().optional(),
    templateId: z.string().optional(),
    to: z.string(),
    status: MessageStatus,
    providerId: z.string().optional(),
    error: z.string().optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    history: z.array(z.object({ status: MessageStatus, at: z.iso.datetime(), detail: z.string().optional() })),
    capped: CapNote.optional().describe('why a shared frequency cap made the message wait, or skip: the journey that went first and its priority'),
  })
  .meta({ id: 'Message' });

export const MessageQuery = PageQuery.extend({
  customerId: CustomerId.optional(),
  journeyId: z.string().max(64).optional(),
  status: MessageStatus.optional(),
});
export const MessagePage = pageOf(Message).meta({ id: 'MessagePage' });

export const Suppression = z
  .object({
    channel: Channel,
    address: z.string(),
    reason: z.enum(['unsubscribe', 'stop', 'bounce', 'complaint', 'manual']),
    customerId: z.string().optional(),
    at: z.iso.datetime(),
  })
  .meta({ id: 'Suppression' });
export const SuppressionPage = pageOf(Suppression).meta({ id: 'SuppressionPage' });
