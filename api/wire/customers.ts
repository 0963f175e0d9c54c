import { z } from 'zod';
import { ConsentWrite } from '../../journey/consent.ts';
import { AttributeWriteValue, CustomerId, CustomerProfile, LifecycleStage } from '../../journey/customer.ts';
import { PageQuery, pageOf } from './common.ts';

/** A customer as the API returns it: the core's profile, computed fields included. */
export const Customer = CustomerProfile.meta({ id: 'Customer' });

const shape = CustomerProfile.shape;

/**
 * The body of `PUT /customers/{id}`: every writable field, all optional. Fields sent replace
 * the stored ones, fields left out are kept. Computed fields (stage, RFM, CLV, churn risk)
 * are read-only: sending `computed` is an error.
 */
export const CustomerWrite = z
  .strictObject({
    email: shape.email,
    phone: shape.phone,
    name: shape.name,
    locale: shape.locale.unwrap().optional(),
    timezone: shape.timezone.unwrap().optional(),
    birthday: shape.birthday,
    consent: ConsentWrite.optional().describe(
      'Per channel: true/false (granted or withdrawn now) or {granted, at?, source?}. Never assumed: a channel without a record gets no marketing.',
    ),
    accountOwner: shape.accountOwner,
    attributes: z.record(z.string(), AttributeWriteValue).optional(),
    tags: shape.tags.unwrap().optional(),
  })
  .meta({ id: 'CustomerWrite' });
export type CustomerWrite = z.infer<typeof CustomerWrite>;

/** One line of an import: the writable fields plus the external id. */
export const CustomerImportRow = CustomerWrite.extend({ id: CustomerId });

export const CustomerParams = z.strictObject({ id: CustomerId });

export const CustomerSearchQuery = PageQuery.extend({
  q: z.string().min(1).max(100).optional().describe('Prefix of the id, email or name (any case).'),
  email: z.string().max(320).optional(),
  phone: z.string().max(20).optional(),
  stage: LifecycleStage.optional(),
  segment: z.string().max(128).optional(),
  tag: z.string().max(64).optional(),
  accountOwner: z.string().max(128).optional(),
});

export const CustomerPage = pageOf(Customer)
  .extend({
    estimatedTotal: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('How many customers match, from the lifecycle counters: given for all customers, one stage or one segment (other filters would need a scan). A crash can leave it off until the daily recount.'),
  })
  .meta({ id: 'CustomerPage' });

/** What a bulk import did: counts, and the first rejected lines with the reason. */
export const ImportReport = z
  .object({
    accepted: z.number().int().nonnegative(),
    rejected: z.number().int().nonnegative(),
    created: z.number().int().nonnegative(),
    updated: z.number().int().nonnegative(),
    errors: z.array(z.object({ line: z.number().int().positive(), reason: z.string() })),
    /** True when more lines were rejected than `errors` lists. */
    errorsTruncated: z.boolean(),
  })
  .meta({ id: 'ImportReport' });
export type ImportReport = z.infer<typeof ImportReport>;

const count = z.number().int().nonnegative();

/** What erasing a customer removed, summed over every attempt. */
export const ErasureReport = z
  .object({
    customerId: CustomerId,
    status: z.enum(['erased']).describe('Always `erased`: an erasure cut off half-way answers an error, and erasing again finishes it.'),
    requestedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    removed: z.object({
      profile: count,
      events: count,
      journeysCancelled: count.describe('runs told to exit'),
      runRecords: count,
      tasks: count.describe('CS tasks'),
      coupons: count,
      messagesRedacted: count.describe('message ledger rows kept with the address and provider details removed'),
    }),
  })
  .meta({ id: 'ErasureReport' });
