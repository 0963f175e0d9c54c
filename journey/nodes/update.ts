import { z } from 'zod';
import { AttributeValue, LifecycleStage } from '../customer.ts';
import type { CustomerProfile } from '../customer.ts';
import { actionCommand, actionExits, actionSteps } from './action.ts';
import { defineNode } from './spec.ts';

export const UpdateOperation = z.discriminatedUnion('op', [
  z.object({ op: z.literal('setAttribute'), attribute: z.string().min(1).max(64), value: AttributeValue }),
  z.object({ op: z.literal('addTag'), tag: z.string().min(1).max(64) }),
  z.object({ op: z.literal('removeTag'), tag: z.string().min(1).max(64) }),
  z.object({ op: z.literal('setStage'), stage: LifecycleStage }),
]);
export type UpdateOperation = z.infer<typeof UpdateOperation>;

export const UpdateConfig = z.object({ operations: z.array(UpdateOperation).min(1) });
export type UpdateConfig = z.infer<typeof UpdateConfig>;

/** What the workflow hands the `updateProfile` activity. */
export const UpdateCommand = actionCommand('update', UpdateConfig);

/** The profile after the update, so later branches in the same run see it. */
export function applyUpdate(customer: CustomerProfile, operations: readonly UpdateOperation[]): CustomerProfile {
  let next = customer;
  for (const operation of operations) {
    switch (operation.op) {
      case 'setAttribute':
        next = { ...next, attributes: { ...next.attributes, [operation.attribute]: operation.value } };
        break;
      case 'addTag':
        if (!next.tags.includes(operation.tag)) next = { ...next, tags: [...next.tags, operation.tag] };
        break;
      case 'removeTag':
        next = { ...next, tags: next.tags.filter((t) => t !== operation.tag) };
        break;
      case 'setStage':
        next = { ...next, computed: { ...next.computed, stage: operation.stage } };
        break;
    }
  }
  return next;
}

/** Sets attributes, tags or the lifecycle stage on the customer's profile. */
export const updateNode = defineNode(UpdateConfig)({
  kind: 'update',
  displayName: 'Update profile',
  description: 'Sets an attribute, adds or removes a tag, or changes the lifecycle stage.',
  category: 'action',
  defaults: () => ({ operations: [{ op: 'addTag', tag: 'journey-complete' }] }),
  exits: () => actionExits('updated', 'updated'),
  summary: (c) => `Update: ${c.operations.map((o) => o.op).join(', ')}`,
  check(c, ctx) {
    c.operations.forEach((operation, i) => {
      if (operation.op === 'setAttribute') ctx.checkAttribute(operation.attribute, `operations[${i}].attribute`);
    });
  },
  action: { activity: 'updateProfile', retry: 'effect', simulate: 'update' },
  ...actionSteps<UpdateConfig>({
    okExit: 'updated',
    quietHours: false,
    command: (config, base) => ({ ...base, kind: 'update', config }),
    onOk: (config, ctx) => ({ customer: applyUpdate(ctx.state.customer, config.operations) }),
  }),
});
