import { listMessages } from '../../store/messages.ts';
import { listSuppressions } from '../../store/suppressions.ts';
import { readers } from '../auth.ts';
import { defineRoute } from '../route.ts';
import { PageQuery } from '../wire/common.ts';
import { MessagePage, MessageQuery, SuppressionPage } from '../wire/messages.ts';

export const ledgerRoutes = [
  defineRoute({
    operationId: 'listMessages',
    method: 'get',
    path: '/messages',
    tag: 'Messages',
    summary: 'The message ledger: what was sent to whom, and what became of it',
    access: readers,
    query: MessageQuery,
    responses: { 200: { description: 'A page of messages, oldest first.', schema: MessagePage } },
    async handler({ query, deps }) {
      const { limit, cursor, ...filter } = query;
      return { status: 200, body: await listMessages(deps.db, filter, { limit, cursor }) };
    },
  }),
  defineRoute({
    operationId: 'listSuppressions',
    method: 'get',
    path: '/suppressions',
    tag: 'Messages',
    summary: 'Addresses and numbers that are never messaged',
    access: readers,
    query: PageQuery,
    responses: { 200: { description: 'A page of suppressions.', schema: SuppressionPage } },
    async handler({ query, deps }) {
      return { status: 200, body: await listSuppressions(deps.db, query) };
    },
  }),
];
