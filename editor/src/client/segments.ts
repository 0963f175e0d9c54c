import type { z } from 'zod';
import { Segment, SegmentList, SegmentMembers } from '../../../api/wire/lifecycle.ts';
import type { ProfileCondition } from '../../../journey/condition.ts';
import type { SegmentDefinition, SegmentRule } from '../../../journey/lifecycle/segment.ts';
import { request } from './http.ts';

/** Segments (`/v1/segments`): list with counts, draft previews, create and update. */
export type Segment = z.infer<typeof Segment>;
export type SegmentMembers = z.infer<typeof SegmentMembers>;

const id = (segmentId: string) => encodeURIComponent(segmentId);

export const segmentsApi = {
  list: async () => (await request('GET', '/v1/segments', SegmentList)).items,
  get: (segmentId: string) => request('GET', `/v1/segments/${id(segmentId)}`, Segment),
  /** Count and sample of the customers a draft rule matches now (nothing saved). */
  preview: (condition: ProfileCondition, sample = 10) => request('POST', '/v1/segments/preview', SegmentMembers, { condition, sample }),
  create: (segment: SegmentDefinition) => request('POST', '/v1/segments', Segment, segment),
  update: (segmentId: string, rule: SegmentRule) => request('PUT', `/v1/segments/${id(segmentId)}`, Segment, rule),
};
