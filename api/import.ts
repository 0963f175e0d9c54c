import { pipeline, Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { consentRecords } from '../journey/consent.ts';
import type { ConsentSource } from '../journey/consent.ts';
import { bulkUpsertCustomers } from '../store/customers.ts';
import type { CustomerFields } from '../store/customers.ts';
import { issuesOf } from '../store/documents.ts';
import { liftFinishedErasures } from '../store/erasures.ts';
import { invalidRequest, ProblemError } from './problem.ts';
import { unsafeKeys } from './safety.ts';
import { CustomerImportRow } from './wire/customers.ts';
import type { CustomerWrite, ImportReport } from './wire/customers.ts';

/**
 * Streamed bulk import of customers from CSV or JSON lines. Rows are parsed, validated and
 * upserted in batches while the upload is still arriving: memory holds one batch, not the
 * file. Every row is accepted or rejected on its own, with its line number and the reason.
 */

export type ImportFormat = 'csv' | 'ndjson';

/**
 * A profile write as the store takes it: consent sent as true/false becomes a record stamped
 * with where it came from (`api`, `import`) and `now`. Consent left out stays as it is (none,
 * for a new profile: nothing is assumed).
 */
export function toCustomerFields(write: CustomerWrite, source: ConsentSource, now: Date): CustomerFields {
  const { consent, ...rest } = write;
  return consent === undefined ? rest : { ...rest, consent: consentRecords(consent, source, now.toISOString()) };
}

const batchSize = 1000;
const maxListedErrors = 1000;

/** CSV columns: the writable profile fields; `attributes.<name>` for custom attributes. */
const scalarColumns = new Set(['id', 'email', 'phone', 'name', 'locale', 'timezone', 'birthday', 'accountOwner', 'tags']);
const consentColumns = new Set(['consent.email', 'consent.sms', 'consent.personalisation']);
const attributeColumn = /^attributes\.([A-Za-z_][A-Za-z0-9_]{0,63})$/;

function checkHeader(header: string[]): string[] {
  const errors = header
    .filter((column) => !scalarColumns.has(column) && !consentColumns.has(column) && !attributeColumn.test(column))
    .map((column) => ({ path: `body.columns.${column}`, message: 'unknown column' }));
  if (!header.includes('id')) errors.push({ path: 'body.columns.id', message: 'the id column is required' });
  if (errors.length > 0) throw invalidRequest(errors);
  return header;
}

const truthy = new Set(['true', 'yes', '1', 'y']);
const falsy = new Set(['false', 'no', '0', 'n']);

/** Custom attribute cells: `true`/`false` become booleans, plain numbers (no leading zero) numbers. */
function attributeValue(cell: string): string | number | boolean {
  if (cell === 'true' || cell === 'false') return cell === 'true';
  if (/^-?(0|[1-9]\d{0,14})(\.\d+)?$/.test(cell)) return Number(cell);
  return cell;
}

function consentValue(cell: string): boolean | string {
  const lower = cell.trim().toLowerCase();
  return truthy.has(lower) ? true : falsy.has(lower) ? false : cell;
}

/** Turns a CSV record into the JSON shape of an import row; empty cells are left out. */
function rowFromCsv(record: Record<string, string>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const attributes: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(record)) {
    const attribute = attributeColumn.exec(column);
    if (attribute?.[1] !== undefined) {
      if (cell !== '') attributes[attribute[1]] = attributeValue(cell);
    } else if (column === 'tags') {
      if (cell !== '') row['tags'] = cell.split(/[;|]/).map((t) => t.trim()).filter(Boolean);
    } else if (!consentColumns.has(column) && cell !== '') {
      row[column] = cell;
    }
  }
  // A consent cell left empty (or a column left out) records nothing: that channel gets no
  // marketing (for `personalisation`: no refusal, PIPL Art. 24).
  const consent: Record<string, unknown> = {};
  for (const channel of ['email', 'sms', 'personalisation']) {
    const cell = record[`consent.${channel}`];
    if (cell !== undefined && cell !== '') consent[channel] = consentValue(cell);
  }
  if (Object.keys(consent).length > 0) row['consent'] = consent;
  if (Object.keys(attributes).length > 0) row['attributes'] = attributes;
  return row;
}

/** Collects results and flushes valid rows in batches. */
class ImportRun {
  readonly report: ImportReport = { accepted: 0, rejected: 0, created: 0, updated: 0, errors: [], errorsTruncated: false };
  private batch: { line: number; id: string; fields: CustomerFields }[] = [];

  constructor(
    private readonly write: (rows: { id: string; fields: CustomerFields }[]) => ReturnType<typeof bulkUpsertCustomers>,
    private readonly now: Date,
    private readonly liftErasures: (ids: string[]) => Promise<Set<string>>,
  ) {}

  reject(line: number, reason: string): void {
    this.report.rejected++;
    if (this.report.errors.length < maxListedErrors) this.report.errors.push({ line, reason });
    else this.report.errorsTruncated = true;
  }

  async add(line: number, value: unknown): Promise<void> {
    const unsafe = unsafeKeys(value, 'row');
    if (unsafe.length > 0) return this.reject(line, unsafe.map((i) => `${i.path}: ${i.message}`).join('; '));
    const parsed = CustomerImportRow.safeParse(value);
    if (!parsed.success) {
      return this.reject(line, issuesOf(parsed.error).map((i) => `${i.path}: ${i.message}`).join('; '));
    }
    const { id, ...fields } = parsed.data;
    this.batch.push({ line, id, fields: toCustomerFields(fields, 'import', this.now) });
    if (this.batch.length >= batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    let batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    // Like PUT: an erased customer may be imported again, but not while their erasure is unfinished.
    const unfinished = await this.liftErasures(batch.map((row) => row.id));
    if (unfinished.size > 0) {
      for (const row of batch) if (unfinished.has(row.id)) this.reject(row.line, `the erasure of customer ${row.id} is not finished: erase it again first`);
      batch = batch.filter((row) => !unfinished.has(row.id));
    }
    const { created, updated, errors } = await this.write(batch);
    for (const error of errors) this.reject(batch[error.index]?.line ?? 0, error.message);
    this.report.created += created;
    this.report.updated += updated;
    this.report.accepted += batch.length - errors.length;
  }
}

/** Passes bytes through until `maxBytes`, then fails the stream with a 413 (customer and event imports). */
export function byteLimit(maxBytes: number): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(new ProblemError(413, 'too-large', 'Import too large', `imports are limited to ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
}

function csvParser(run: ImportRun) {
  return parse({
    columns: checkHeader,
    bom: true,
    trim: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    max_record_size: 64 * 1024,
    on_skip: (error) => {
      const line = typeof error?.['lines'] === 'number' ? error['lines'] : 0;
      run.reject(line, error?.message ?? 'malformed CSV record');
      return undefined;
    },
  });
}

/** Splits a byte stream into lines, one chunk at a time (backpressure kept). */
async function* lines(stream: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of stream) {
    rest += decoder.decode(chunk, { stream: true });
    let newline = rest.indexOf('\n');
    while (newline >= 0) {
      yield rest.slice(0, newline).replace(/\r$/, '');
      rest = rest.slice(newline + 1);
      newline = rest.indexOf('\n');
    }
    if (rest.length > 64 * 1024) throw invalidRequest([{ path: 'body', message: 'a line is longer than 64 KiB' }]);
  }
  rest += decoder.decode();
  if (rest !== '') yield rest;
}

async function readNdjson(stream: AsyncIterable<Buffer>, run: ImportRun): Promise<void> {
  let line = 0;
  for await (const text of lines(stream)) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      run.reject(line, 'not valid JSON');
      continue;
    }
    await run.add(line, value);
  }
}

/**
 * Imports customers from `source`. Header problems (unknown or missing columns) reject the
 * whole import with a 400 before any row is written; row problems reject that row only.
 *
 * @example await importCustomers(db, fs.createReadStream('customers.csv'), 'csv', new Date(), 1 << 30)
 */
export async function importCustomers(
  db: Parameters<typeof bulkUpsertCustomers>[0],
  source: Readable,
  format: ImportFormat,
  now: Date,
  maxBytes: number,
): Promise<ImportReport> {
  const run = new ImportRun((rows) => bulkUpsertCustomers(db, rows, now), now, (ids) => liftFinishedErasures(db, ids));
  // pipeline() destroys every stage on an error, so the loop below ends with it.
  const noop = () => undefined;
  if (format === 'csv') {
    const records = pipeline(source, byteLimit(maxBytes), csvParser(run), noop);
    for await (const item of records as AsyncIterable<{ info: { lines: number }; record: Record<string, string> }>) {
      await run.add(item.info.lines, rowFromCsv(item.record));
    }
  } else {
    await readNdjson(pipeline(source, byteLimit(maxBytes), noop), run);
  }
  await run.flush();
  return run.report;
}
