import type { CampaignProgress, JourneyRun, NodeOccupant, NodeStats } from './wire/runs.ts';
import type { JourneyRuntime } from '../runtime/runtime.ts';

/** One recorded call: the method name and its arguments. */
export type RuntimeCall = { [M in keyof JourneyRuntime]: { method: M; args: Parameters<JourneyRuntime[M]> } }[keyof JourneyRuntime];

/** What the fake answers; tests set these before calling the API. */
export interface FakeRuntimeState {
  runs: JourneyRun[];
  stats: Map<string, NodeStats[]>;
  occupants: Map<string, NodeOccupant[]>;
  progress: Map<string, CampaignProgress>;
}

/**
 * An in-memory `JourneyRuntime` for tests: records every call in order and answers from
 * `state`. `routeEvent` reports every entry as started, `describeRun` finds runs in
 * `state.runs`.
 *
 * @example const runtime = createFakeRuntime(); ...; expect(runtime.callsTo('routeEvent')).toHaveLength(1)
 */
export function createFakeRuntime(): JourneyRuntime & {
  calls: RuntimeCall[];
  state: FakeRuntimeState;
  callsTo<M extends keyof JourneyRuntime>(method: M): Parameters<JourneyRuntime[M]>[];
} {
  const calls: RuntimeCall[] = [];
  const state: FakeRuntimeState = { runs: [], stats: new Map(), occupants: new Map(), progress: new Map() };
  const record = <M extends keyof JourneyRuntime>(method: M, args: Parameters<JourneyRuntime[M]>) => {
    calls.push({ method, args } as RuntimeCall);
  };
  const page = <T>(items: T[], limit: number, cursor?: string) => {
    // Cursors of the `PageCursor` form: `n<offset>.` (a number and an empty id).
    const start = cursor === undefined ? 0 : Number(cursor.slice(1, cursor.lastIndexOf('.')));
    const slice = items.slice(start, start + limit);
    return { items: slice, nextCursor: start + limit < items.length ? `n${start + limit}.` : null };
  };
  return {
    calls,
    state,
    callsTo: <M extends keyof JourneyRuntime>(method: M) =>
      calls.filter((c): c is Extract<RuntimeCall, { method: M }> => c.method === method).map((c) => c.args as Parameters<JourneyRuntime[M]>),
    async routeEvent(input) {
      record('routeEvent', [input]);
      return { signalled: input.signal.length, started: input.entries.length, gone: [] };
    },
    async startJourney(input) {
      record('startJourney', [input]);
      return { started: !state.runs.some((r) => r.journeyId === input.journey.journeyId && r.customerId === input.customer.id && r.status === 'running') };
    },
    async cancelCustomerJourneys(customerId) {
      record('cancelCustomerJourneys', [customerId]);
      return { cancelled: state.runs.filter((r) => r.customerId === customerId && r.status === 'running').length };
    },
    async removeFromJourney(journeyId, customerId) {
      record('removeFromJourney', [journeyId, customerId]);
      return state.runs.some((r) => r.journeyId === journeyId && r.customerId === customerId && r.status === 'running');
    },
    async describeRun(journeyId, customerId) {
      record('describeRun', [journeyId, customerId]);
      return state.runs.find((r) => r.journeyId === journeyId && r.customerId === customerId) ?? null;
    },
    async customerRuns(customerId, request) {
      record('customerRuns', [customerId, request]);
      return page(state.runs.filter((r) => r.customerId === customerId), request.limit, request.cursor);
    },
    async nodeStats(journeyId) {
      record('nodeStats', [journeyId]);
      return state.stats.get(journeyId) ?? [];
    },
    async customersAtNode(journeyId, nodeId, request) {
      record('customersAtNode', [journeyId, nodeId, request]);
      return page(state.occupants.get(`${journeyId}/${nodeId}`) ?? [], request.limit, request.cursor);
    },
    async launchCampaign(input) {
      record('launchCampaign', [input]);
      state.progress.set(input.campaignId, { audience: 0, started: 0, skipped: 0, failed: 0, done: false });
    },
    async campaignProgress(campaignId) {
      record('campaignProgress', [campaignId]);
      return state.progress.get(campaignId) ?? null;
    },
    async pauseCampaign(campaignId) {
      record('pauseCampaign', [campaignId]);
    },
    async resumeCampaign(campaignId) {
      record('resumeCampaign', [campaignId]);
    },
    async cancelCampaign(campaignId) {
      record('cancelCampaign', [campaignId]);
    },
    async startMigration(input) {
      record('startMigration', [input]);
    },
  };
}
