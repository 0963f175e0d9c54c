/** Plain wire objects for the console's component tests. */

export const now = Date.parse('2026-11-20T10:00:00Z');
export const iso = (hoursFromNow: number) => new Date(now + hoursFromNow * 3_600_000).toISOString();

export function task(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'task_1',
    customerId: 'mei',
    journeyId: 'win-back',
    queue: 'customer-care',
    title: 'Win-back call: Mei',
    body: 'Mei has not ordered since March and got coupon COMEBACK-7KQ2M9.',
    priority: 'high',
    status: 'open',
    dueAt: iso(24),
    createdAt: iso(-48),
    updatedAt: iso(-48),
    ...overrides,
  };
}

export function customer(overrides: Record<string, unknown> = {}) {
  return {
    id: 'mei',
    name: 'Mei Chen',
    email: 'mei@example.com',
    phone: '+8613800138000',
    locale: 'zh-CN',
    timezone: 'Asia/Shanghai',
    consent: { email: { granted: true, at: '2026-01-01T00:00:00.000Z', source: 'form' }, sms: { granted: true, at: '2026-01-01T00:00:00.000Z', source: 'form' } },
    attributes: {},
    tags: ['vip'],
    computed: {
      stage: 'dormant',
      rfm: { recency: 1, frequency: 5, monetary: 5, cell: 'cantLose' },
      valueTier: 'high',
      clv: { historical: 1830, predicted: 2400 },
      churnRisk: 0.82,
      lastPurchaseAt: '2026-03-02T08:00:00.000Z',
      orderCount: 14,
      totalSpend: 1830,
      segments: ['dormant-90d'],
    },
    ...overrides,
  };
}

export const coupon = {
  code: 'COMEBACK-7KQ2M9',
  customerId: 'mei',
  journeyId: 'win-back',
  offer: { type: 'percent', percent: 20 },
  status: 'issued',
  issuedAt: iso(-60),
  expiresAt: iso(24 * 10),
};

export function taskContext(t: Record<string, unknown> = task()) {
  return {
    task: t,
    customer: customer(),
    step: { journeyId: 'win-back', journeyName: 'Win-back', version: 1, nodeId: 'call-task', label: 'Account manager calls', kind: 'task' },
    coupon,
    run: null,
  };
}
