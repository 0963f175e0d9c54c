// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18next from 'i18next';
import { afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { initI18n } from '../i18n/index.ts';
import { fakeApi } from '../console/testing/fakeApi.ts';
import { PublishDialog } from './PublishDialog.tsx';

beforeAll(() => {
  // jsdom has no modal dialogs.
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.open = false;
  };
});
beforeEach(async () => {
  await initI18n('en');
  await i18next.changeLanguage('en');
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const row = (nodeId: string, waiting: number, target: string | null) => ({
  version: 1,
  nodeId,
  kind: 'wait',
  label: null,
  waiting,
  target,
  keepsWaiting: target === nodeId,
  issue: target === null ? { code: 'TARGET_REQUIRED', nodeId, message: `Wait “${nodeId}” is not in the new version: pick the step its waiting customers move to.` } : null,
});
const targets = [
  { nodeId: 'short', kind: 'wait', label: 'Wait a day' },
  { nodeId: 'cool-off', kind: 'wait', label: null },
];

function migrationApi() {
  return fakeApi({
    'POST /v1/journeys/live-fix/migration-plan': (call) => {
      const mapping = (call.body as { mapping: Record<string, string> }).mapping;
      const nudge = mapping['nudge'] ?? null;
      return { version: 2, rows: [row('nudge', 2, nudge), row('cool-off', 1, 'cool-off')], targets, ready: nudge !== null };
    },
    'POST /v1/journeys/live-fix/publish': () => ({
      journeyId: 'live-fix',
      version: 2,
      note: 'shorter',
      definition: { schemaVersion: 1, id: 'live-fix', name: 'Live fix', settings: {}, entryNodeId: 'start', nodes: {}, wiring: {}, trackedEvents: [] },
      graph: { schemaVersion: 1, id: 'live-fix', name: 'Live fix', nodes: [], edges: [], settings: {} },
      publishedAt: '2026-12-01T10:00:00.000Z',
      publishedBy: 'marketer key',
      publisherRole: 'marketer',
      migrationId: 'live-fix-v2',
    }),
    'GET /v1/journeys/live-fix/migrations/live-fix-v2': () => ({
      id: 'live-fix-v2',
      journeyId: 'live-fix',
      version: 2,
      mapping: { nudge: 'short' },
      requestedBy: 'marketer key',
      createdAt: '2026-12-01T10:00:00.000Z',
      status: 'completed',
      signalled: 3,
      ended: 0,
      failed: 0,
      moved: 3,
      skipped: {},
    }),
  });
}

describe('publish dialog', () => {
  test('moving the customers in flight: the per-step table, a target picked for the removed step, then the progress', async () => {
    const api = migrationApi();
    const published = vi.fn();
    render(<PublishDialog journeyId="live-fix" beforePublish={async () => true} onClose={() => {}} onPublished={published} />);
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'shorter' } });
    const publish = screen.getByRole('button', { name: 'Publish' });
    fireEvent.click(screen.getByLabelText('Move the customers in flight to this version'));
    await screen.findByText('Pick a step for every row before publishing.');
    expect(publish).toHaveProperty('disabled', true);
    expect(screen.getAllByRole('row').map((r) => r.textContent)).toEqual(expect.arrayContaining([expect.stringContaining('nudge2'), expect.stringContaining('cool-off1')]));

    fireEvent.change(screen.getByLabelText('Goes to nudge'), { target: { value: 'short' } });
    await waitFor(() => expect(publish).toHaveProperty('disabled', false));
    fireEvent.click(publish);
    await screen.findByText('Published as version 2.');
    expect(api.callsTo('POST', '/v1/journeys/live-fix/publish')[0]?.body).toEqual({ note: 'shorter', inFlight: 'move', mapping: { nudge: 'short' } });
    expect(published).toHaveBeenCalledWith(2);
    await screen.findByText('3 signalled · 3 moved · 0 skipped · 0 had ended · 0 failed');
  });

  test('a rollback publishes the earlier version; customers stay unless moved', async () => {
    const api = migrationApi();
    render(<PublishDialog journeyId="live-fix" from={1} beforePublish={async () => false} onClose={() => {}} onPublished={() => {}} />);
    expect(screen.getByRole('heading').textContent).toBe('Roll back to version 1');
    fireEvent.click(screen.getByRole('button', { name: 'Publish' }));
    await screen.findByText('Published as version 2.');
    expect(api.callsTo('POST', '/v1/journeys/live-fix/publish')[0]?.body).toEqual({ note: 'rollback to v1', from: 1, inFlight: 'stay', mapping: {} });
  });
});
