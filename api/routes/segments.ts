import { createSegment, countSegmentMembers, deleteSegment, getSegment, listSegments, previewSegment, segmentMembersPage, segmentSizes, SegmentExistsError, updateSegment } from '../../store/segments.ts';
import type { SegmentRecord } from '../../store/segments.ts';
import { readers } from '../auth.ts';
import type { ResolvedDeps } from '../deps.ts';
import { conflict, notFound } from '../problem.ts';
import { defineRoute } from '../route.ts';
import { Ok } from '../wire/common.ts';
import { Segment, SegmentCreate, SegmentList, SegmentMemberPage, SegmentMembers, SegmentMembersQuery, SegmentParams, SegmentPreviewRequest, SegmentUpdate } from '../wire/lifecycle.ts';

async function withCount(deps: ResolvedDeps, segment: SegmentRecord) {
  return { ...segment, count: await countSegmentMembers(deps.db, segment.id) };
}

/**
 * Re-evaluates membership now, for the customers whose membership can change, so the count is
 * live and entering/leaving reaches journeys.
 */
async function refresh(deps: ResolvedDeps, segment: SegmentRecord, now: Date) {
  await deps.pipeline.refreshSegment(segment.id, segment.condition, now);
}

export const segmentRoutes = [
  defineRoute({
    operationId: 'listSegments',
    method: 'get',
    path: '/segments',
    tag: 'Segments',
    summary: 'List segments with their member counts',
    access: readers,
    responses: { 200: { description: 'Every segment.', schema: SegmentList } },
    async handler({ deps }) {
      const [segments, sizes] = await Promise.all([listSegments(deps.db), segmentSizes(deps.db)]);
      return { status: 200, body: { items: segments.map((segment) => ({ ...segment, count: sizes[segment.id] ?? 0 })) } };
    },
  }),
  defineRoute({
    operationId: 'previewSegment',
    method: 'post',
    path: '/segments/preview',
    tag: 'Segments',
    summary: 'Count and sample the customers a draft rule matches',
    description: 'Evaluates the condition over every customer now, without saving anything.',
    access: readers,
    body: SegmentPreviewRequest,
    responses: { 200: { description: 'Count and sample.', schema: SegmentMembers } },
    async handler({ body, deps, now }) {
      return { status: 200, body: await previewSegment(deps.db, body.condition, now, body.sample) };
    },
  }),
  defineRoute({
    operationId: 'createSegment',
    method: 'post',
    path: '/segments',
    tag: 'Segments',
    summary: 'Create a segment',
    description: 'Membership is evaluated at once; customers who match get a `segment_entered` event.',
    access: ['marketer'],
    body: SegmentCreate,
    responses: { 201: { description: 'Created.', schema: Segment } },
    async handler({ body, deps, now }) {
      try {
        const segment = await createSegment(deps.db, body, now);
        await refresh(deps, segment, now);
        return { status: 201, body: await withCount(deps, segment) };
      } catch (error) {
        if (error instanceof SegmentExistsError) throw conflict(error.message, 'body.id');
        throw error;
      }
    },
  }),
  defineRoute({
    operationId: 'getSegment',
    method: 'get',
    path: '/segments/:id',
    tag: 'Segments',
    summary: 'Get a segment with its member count',
    access: readers,
    params: SegmentParams,
    responses: { 200: { description: 'The segment.', schema: Segment } },
    async handler({ params, deps }) {
      const segment = await getSegment(deps.db, params.id);
      if (segment === null) throw notFound(`segment ${params.id}`);
      return { status: 200, body: await withCount(deps, segment) };
    },
  }),
  defineRoute({
    operationId: 'updateSegment',
    method: 'put',
    path: '/segments/:id',
    tag: 'Segments',
    summary: "Change a segment's rule",
    description: 'Membership is re-evaluated at once: `segment_entered` / `segment_left` for those who change.',
    access: ['marketer'],
    params: SegmentParams,
    body: SegmentUpdate,
    responses: { 200: { description: 'Updated.', schema: Segment } },
    async handler({ params, body, deps, now }) {
      const segment = await updateSegment(deps.db, params.id, body, now);
      if (segment === null) throw notFound(`segment ${params.id}`);
      await refresh(deps, segment, now);
      return { status: 200, body: await withCount(deps, segment) };
    },
  }),
  defineRoute({
    operationId: 'deleteSegment',
    method: 'delete',
    path: '/segments/:id',
    tag: 'Segments',
    summary: 'Delete a segment',
    access: ['marketer'],
    params: SegmentParams,
    responses: { 200: { description: 'Deleted.', schema: Ok } },
    async handler({ params, deps }) {
      if (!(await deleteSegment(deps.db, params.id))) throw notFound(`segment ${params.id}`);
      return { status: 200, body: { ok: true } };
    },
  }),
  defineRoute({
    operationId: 'getSegmentMembers',
    method: 'get',
    path: '/segments/:id/members',
    tag: 'Segments',
    summary: 'Live member count and a page of members',
    description: 'Members by id, `sample` at a time; pass `nextCursor` back as `cursor` for the next ones. The count is the lifecycle counter (an estimate until the daily recount after a crash).',
    access: readers,
    params: SegmentParams,
    query: SegmentMembersQuery,
    responses: { 200: { description: 'Count and a page of members, ordered by id.', schema: SegmentMemberPage } },
    async handler({ params, query, deps }) {
      if ((await getSegment(deps.db, params.id)) === null) throw notFound(`segment ${params.id}`);
      const [count, page] = await Promise.all([countSegmentMembers(deps.db, params.id), segmentMembersPage(deps.db, params.id, { limit: query.sample, cursor: query.cursor })]);
      return { status: 200, body: { count, sample: page.items, nextCursor: page.nextCursor } };
    },
  }),
];
