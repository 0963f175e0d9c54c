import { z } from 'zod';
import { actionCommand, actionExits, actionSteps } from './action.ts';
import { defineNode } from './spec.ts';

export const TaskConfig = z.object({
  /** Handlebars with the customer's context, e.g. `Call {{customer.name}} about their order`. */
  title: z.string().min(1).max(200),
  body: z.string().max(5000).default(''),
  queue: z.string().min(1).max(64).default('customer-care'),
  /** `accountOwner` assigns the customer's account manager (else the queue); `queue` leaves it to the queue. */
  assignee: z.enum(['accountOwner', 'queue']).default('accountOwner'),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).default('normal'),
  dueInHours: z.number().positive().max(24 * 90).default(48),
});
export type TaskConfig = z.infer<typeof TaskConfig>;

/** What the workflow hands the `createTask` activity. */
export const TaskCommand = actionCommand('task', TaskConfig);

/** Opens a customer-service task, e.g. a personal call from the account manager. */
export const taskNode = defineNode(TaskConfig)({
  kind: 'task',
  displayName: 'Create CS task',
  description: 'Opens a task for the customer-service team, such as a personal call.',
  category: 'action',
  defaults: () => ({
    title: 'Call {{customer.name}}',
    body: '',
    queue: 'customer-care',
    assignee: 'accountOwner',
    priority: 'normal',
    dueInHours: 48,
  }),
  exits: () => actionExits('created', 'created'),
  summary: (c) => `Task “${c.title}” (${c.priority}, ${c.queue})`,
  action: { activity: 'createTask', retry: 'effect', simulate: 'task', variables: true },
  ...actionSteps<TaskConfig>({ okExit: 'created', quietHours: false, command: (config, base) => ({ ...base, kind: 'task', config }) }),
});
