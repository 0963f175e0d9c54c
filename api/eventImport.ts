import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import type { CustomerEvent } from '../journey/event.ts';
import type { EventPipeline } from '../runtime/pipeline.ts';
import { issuesOf } from '../store/documents.ts';
import type { FieldIssue } from '../store/documents.ts';
import { byteLimit } from './import.ts';
import { droppedKeys, unsafeKeys } from './safety.ts';
import { EventInput } from './wire/events.ts';
import type { EventImportReport } from './wire/events.ts';

/**
 * Streamed history import of events from JSON lines, one `EventInput` per line (the body of a
 * single `POST /events`). Lines are parsed and validated while the upload is still arriving;
 * valid events go through the event pipeline in batches of 1,000, each batch applied (stored,
 * folded into profiles, lifecycle rescored, routed) before the next is read: memory holds one
 * batch, not the file, and a client sending faster than the pipeline applies waits for it.
 * Every line is accepted or rejected on its own, with its line number and the field at fault.
 *
 * Once the whole file is in, one full lifecycle recompute rebuilds every customer's history
 * and the base model (quintiles, value tiers) from the stored events and routes the changes it
 * finds like any event: a customer whose imported orders make them dormant now enters the
 * journeys triggered by `dormant-90d`. Imported events older than a trigger's entry window
 * (`maxAgeHours`) start nothing by themselves: the pipeline's routing checks it.
 */

const batchSize = 1000;
const maxListedErrors = 1000;
/** Longest line, in UTF-16 code units (as the customer import). */
const maxLine = 64 * 1024;

/** The pipeline stages an import uses. */
export type ImportPipeline = Pick<EventPipeline, 'ingest' | 'runLifecycle' | 'prepareCustomers'>;

export interface EventImportOptions {
  /** When the import was received: the events' `receivedAt`, and `at` of events without one. */
  now: Date;
  /** Largest body, in bytes: beyond it the import fails with a 413. */
  maxBytes: number;
  /** The time of the end-of-import recompute (an import may last minutes); defaults to `now`. */
  clock?: () => Date;
}

/** Collects results and sends valid events through the pipeline in batches. */
class EventImportRun {
  readonly report: EventImportReport = {
    lines: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    unfinished: 0,
    errors: [],
    errorsTruncated: false,
    recompute: null,
  };
  private batch: CustomerEvent[] = [];

  constructor(
    private readonly events: ImportPipeline,
    private readonly now: Date,
  ) {}

  reject(line: number, issues: readonly { path?: string; message: string }[]): void {
    this.report.rejected++;
    for (const issue of issues) {
      if (this.report.errors.length >= maxListedErrors) {
        this.report.errorsTruncated = true;
        return;
      }
      this.report.errors.push({ line, ...(issue.path ? { path: issue.path } : {}), message: issue.message });
    }
  }

  async add(line: number, value: unknown): Promise<void> {
    // Paths are relative to the line's event: `properties.amount`.
    const unsafe = unsafeKeys(value, '');
    if (unsafe.length > 0) return this.reject(line, unsafe);
    const parsed = EventInput.safeParse(value);
    if (!parsed.success) return this.reject(line, issuesOf(parsed.error));
    const unknown: FieldIssue[] = droppedKeys(value, parsed.data, '');
    if (unknown.length > 0) return this.reject(line, unknown);
    this.batch.push({ ...parsed.data, at: parsed.data.at ?? this.now.toISOString() });
    if (this.batch.length >= batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    // `wait`: the batch is stored and routed before the next one is read. Not folded nor scored
    // batch by batch: a history split over batches would announce states the customer was only
    // in part-way through it. The one recompute at the end rebuilds every profile's aggregates
    // from its events, scores everyone and routes the net changes.
    await this.events.prepareCustomers(batch.map((e) => e.customerId), this.now);
    for (const result of await this.events.ingest(batch, { now: this.now, wait: true, stages: ['route'] })) {
      if (result.duplicate) this.report.duplicates++;
      else {
        this.report.accepted++;
        if (!result.finished) this.report.unfinished++;
      }
    }
  }
}

/**
 * Splits a byte stream into lines, one chunk at a time (backpressure kept). A line longer than
 * `maxLine` is not kept in memory: it comes out as `null`, and the next line is read normally.
 */
async function* lines(stream: AsyncIterable<Buffer>): AsyncGenerator<string | null> {
  const decoder = new TextDecoder();
  let rest = '';
  let overlong = false;
  for await (const chunk of stream) {
    rest += decoder.decode(chunk, { stream: true });
    let start = 0;
    let newline = rest.indexOf('\n');
    while (newline >= 0) {
      const text = rest.slice(start, newline);
      yield overlong || text.length > maxLine ? null : text.replace(/\r$/, '');
      overlong = false;
      start = newline + 1;
      newline = rest.indexOf('\n', start);
    }
    rest = rest.slice(start);
    if (rest.length > maxLine) {
      overlong = true;
      rest = '';
    }
  }
  rest += decoder.decode();
  if (overlong || rest.length > maxLine) yield null;
  else if (rest !== '') yield rest.replace(/\r$/, '');
}

/**
 * Imports events from `source` (JSON lines) through `events` (the event pipeline), then runs
 * one lifecycle recompute when any new event landed. A body over `maxBytes` fails with a 413;
 * the batches applied before that stay applied (a retry of the same file finds them duplicates).
 *
 * @example await importEvents(deps.pipeline, fs.createReadStream('events.jsonl'), { now: new Date(), maxBytes: 1 << 30 })
 */
export async function importEvents(events: ImportPipeline, source: Readable, options: EventImportOptions): Promise<EventImportReport> {
  const run = new EventImportRun(events, options.now);
  // pipeline() destroys every stage on an error, so the loop below ends with it.
  const body = pipeline(source, byteLimit(options.maxBytes), () => undefined);
  let line = 0;
  for await (const text of lines(body)) {
    line++;
    if (text === null) {
      run.reject(line, [{ message: `a line may be ${maxLine} characters at most` }]);
      continue;
    }
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      run.reject(line, [{ message: 'not valid JSON' }]);
      continue;
    }
    await run.add(line, value);
  }
  await run.flush();
  run.report.lines = line;
  if (run.report.accepted > 0) {
    const { customers, updated, events: changes, started, signalled } = await events.runLifecycle((options.clock ?? (() => options.now))(), 'recompute');
    run.report.recompute = { customers, updated, events: changes, started, signalled };
  }
  return run.report;
}
