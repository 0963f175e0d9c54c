// Replays the recorded histories of the built-in journeys against today's workflow code: a
// change that would break running journeys fails here with a non-determinism error. Record new
// histories (WAYMARK_RECORD_HISTORIES=1 npx vitest run workflows/journeys) when the workflow
// changes on purpose, and guard the changed branch with `patched()` so old runs keep replaying.
import { readdirSync, readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../worker/index.ts';

const dir = new URL('./histories/', import.meta.url);
const files = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();

describe('recorded journey histories', () => {
  it('covers every built-in journey', () => {
    for (const journey of ['welcome', 'activation', 'win-back', 'birthday-care']) expect(files).toContain(`${journey}.json`);
  });

  it('covers a run moved to another version by a migration', () => {
    // Recorded by workflows/migration.test.ts: the `migrate` signal and the run continuing under v2.
    const recorded = readFileSync(new URL('migrated.json', dir), 'utf8');
    expect(recorded).toContain('"signalName": "migrate"');
  });

  it('covers campaign launches, pages one after another and two pages in flight', () => {
    // Recorded by activities/campaign-prefix.test.ts: before and after `patched('campaign-pages-ahead')`.
    for (const launch of ['campaign-launch-serial', 'campaign-launch-pages']) {
      expect(readFileSync(new URL(`${launch}.json`, dir), 'utf8')).toContain('"name": "startCampaignBatch"');
    }
    expect(readFileSync(new URL('campaign-launch-pages.json', dir), 'utf8')).toContain('"name": "readCampaignPage"');
  });

  it('covers a campaign launch in two passes, the sends first and the starts behind them', () => {
    // Recorded by activities/campaign-prefix.test.ts: after `patched('campaign-starts-behind')`.
    const recorded = readFileSync(new URL('campaign-launch-two-passes.json', dir), 'utf8');
    for (const name of ['readCampaignPage', 'prefixCampaignPage', 'startCampaignPage']) expect(recorded).toContain(`"name": "${name}"`);
    expect(recorded).not.toContain('"name": "startCampaignBatch"');
  });

  it('covers a campaign launch that sends the whole audience before it starts the runs', () => {
    // Recorded by activities/campaign-prefix.test.ts: after `patched('campaign-sends-first')`.
    const recorded = readFileSync(new URL('campaign-launch-sends-first.json', dir), 'utf8');
    // The patch marker's data: {"id":"campaign-sends-first",…} in base64.
    const patches = [...recorded.matchAll(/"data": "([^"]+)"/g)].map((m) => Buffer.from(m[1] ?? '', 'base64').toString('utf8'));
    expect(patches).toContainEqual(expect.stringContaining('"id":"campaign-sends-first"'));
    for (const name of ['prefixCampaignPage', 'startCampaignPage']) expect(recorded).toContain(`"name": "${name}"`);
  });

  it('covers campaign runs started in their start delay, woken by a goal and by the delay’s end', () => {
    // Recorded by runtime/wake.temporal.test.ts: the start carries the delay, no timer follows.
    for (const name of ['campaign-delay-goal.json', 'campaign-delay-wake.json']) {
      const recorded = readFileSync(new URL(name, dir), 'utf8');
      expect(recorded).toContain('"firstWorkflowTaskBackoff"');
      expect(recorded).not.toContain('"timerStartedEventAttributes"');
    }
  });

  it('covers a run whose email and SMS activities recorded its progress (no progress marker after them)', () => {
    // Recorded by workflows/journeys.test.ts; the older win-back histories record it with a marker.
    const recorded = JSON.parse(readFileSync(new URL('win-back-action-records.json', dir), 'utf8')) as { history: { events: Array<Record<string, { result?: { payloads?: Array<{ data: string }> } } | undefined>> } };
    const results = recorded.history.events.flatMap((e) => e['activityTaskCompletedEventAttributes']?.result?.payloads ?? []);
    const outcomes = results.map((p) => JSON.parse(Buffer.from(p.data, 'base64').toString('utf8')) as { recorded?: boolean });
    expect(outcomes.filter((o) => o.recorded === true)).toHaveLength(2);
  });

  it('replay without non-determinism errors', async () => {
    const workflowBundle = await bundleWorkflows();
    const histories = files.map((name) => {
      const recorded = JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as { workflowId: string; history: Record<string, unknown> };
      // Stored as protobufjs JSON (enums by name, int64 and bytes as strings).
      return { workflowId: recorded.workflowId, history: temporal.api.history.v1.History.fromObject(recorded.history) };
    });
    const results: Array<{ workflowId: string; error: unknown }> = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'waymark-journeys' }, histories)) {
      results.push({ workflowId: result.workflowId, error: result.error });
    }
    expect(results).toHaveLength(files.length);
    expect(results.filter((r) => r.error !== undefined)).toEqual([]);
  });
});
