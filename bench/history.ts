// A shop's event history as an NDJSON file (one event per line, the shape `POST /v1/events`
// takes, with ids), for the history-import case: orders over the past two years, a signed_up for
// most customers when they joined, a few survey answers. In time order, as an export would be.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createRandom } from '../journey/hash.ts';
import { DAY } from '../journey/time.ts';

/** Customer `n` of the history. */
export const historyCustomer = (n: number) => `hist-${String(n).padStart(7, '0')}`;

/**
 * Writes exactly `events` events for `customers` customers to `file`, the newest two days old
 * (older than any trigger's entry window). Deterministic for a size; memory is a few typed
 * arrays, not the events.
 */
export async function writeHistory(file: string, size: { customers: number; events: number }, now = new Date()): Promise<{ bytes: number; orders: number; signups: number; surveys: number }> {
  const random = createRandom(size.customers + size.events);
  const end = now.getTime() - 2 * DAY;
  const span = 728 * DAY;
  const joined = new Float64Array(size.customers);
  for (let c = 0; c < size.customers; c++) joined[c] = end - span * random();
  const at = new Float64Array(size.events);
  const who = new Uint32Array(size.events);
  const kind = new Uint8Array(size.events); // 0 order, 1 signed_up, 2 survey_answered
  let n = 0;
  // A signed_up for 60 % of customers, a survey answer for 3 %, orders for the rest.
  for (let c = 0; c < size.customers && n < size.events; c++) {
    if (random() < 0.6) {
      at[n] = joined[c] ?? end;
      who[n] = c;
      kind[n++] = 1;
    }
  }
  for (let c = 0; c < size.customers && n < size.events; c++) {
    if (random() < 0.03) {
      const from = joined[c] ?? end;
      at[n] = from + (end - from) * random();
      who[n] = c;
      kind[n++] = 2;
    }
  }
  // Orders: some customers buy far more often than others (a skewed pick).
  while (n < size.events) {
    const c = Math.min(size.customers - 1, Math.floor(size.customers * random() ** 1.3));
    const from = joined[c] ?? end;
    at[n] = from + (end - from) * random();
    who[n] = c;
    kind[n++] = 0;
  }
  const order = new Uint32Array(size.events);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => (at[a] ?? 0) - (at[b] ?? 0));

  const out = createWriteStream(file);
  let bytes = 0;
  const counts = { orders: 0, signups: 0, surveys: 0 };
  let buffer = '';
  for (const i of order) {
    const customerId = historyCustomer(who[i] ?? 0);
    const time = new Date(Math.floor(at[i] ?? end)).toISOString();
    let line: string;
    if (kind[i] === 1) {
      counts.signups++;
      line = JSON.stringify({ id: `h${i}`, customerId, type: 'signed_up', at: time, properties: { source: 'import' } });
    } else if (kind[i] === 2) {
      counts.surveys++;
      line = JSON.stringify({ id: `h${i}`, customerId, type: 'survey_answered', at: time, properties: { survey: 'nps', score: Math.floor(random() * 11) } });
    } else {
      counts.orders++;
      line = JSON.stringify({ id: `h${i}`, customerId, type: 'order_completed', at: time, properties: { amount: Math.round((12 + 240 * random() * random()) * 100) / 100, currency: 'USD' } });
    }
    buffer += `${line}\n`;
    if (buffer.length > 1 << 20) {
      bytes += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  bytes += Buffer.byteLength(buffer);
  out.end(buffer);
  await once(out, 'finish');
  return { bytes, ...counts };
}
