import { z } from 'zod';

/**
 * The workspace's approval rules: whether every campaign, and every publish of a journey by
 * someone other than an admin, waits for an admin's approval. Both off until an admin turns
 * them on. One schema for the API, the store and the console.
 */
export const ApprovalSettings = z
  .strictObject({
    campaigns: z.boolean().default(false).describe('every campaign waits for an admin’s approval before it launches'),
    publishes: z.boolean().default(false).describe('a publish by a marketer waits for an admin’s approval'),
  })
  .meta({ id: 'ApprovalSettings' });
export type ApprovalSettings = z.infer<typeof ApprovalSettings>;

/** Who asked for an approval and when, and the admin's decision once taken. */
export const ApprovalRecord = z
  .object({
  requestedBy: z.string(),
  /** The requester's API key id: that key may not approve its own request unless it is the only admin. */
  requestedByKey: z.string(),
  requestedAt: z.iso.datetime(),
  decision: z.enum(['approved', 'rejected']).optional(),
  decidedBy: z.string().optional(),
  decidedAt: z.iso.datetime().optional(),
  reason: z.string().max(1000).optional(),
  })
  .meta({ id: 'Approval' });
export type ApprovalRecord = z.infer<typeof ApprovalRecord>;

/** A journey publish waiting for (or given) an admin's approval: of one draft, by its content hash. */
export const PublishApproval = z
  .object({
    id: z.string(),
    journeyId: z.string(),
    /** SHA-256 of the draft asked for: an approval covers that draft, not a later edit. */
    draftHash: z.string(),
    note: z.string(),
    status: z.enum(['pending', 'approved', 'rejected', 'published']),
    approval: ApprovalRecord,
  })
  .meta({ id: 'PublishApproval' });
export type PublishApproval = z.infer<typeof PublishApproval>;
