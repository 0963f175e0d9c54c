import type { z } from 'zod';
import { loadApiKey } from './session.ts';

/** A failed API call: the HTTP status, the server's message and, for compile refusals, its details. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, message: string, body: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

function messageOf(body: unknown, fallback: string): string {
  if (typeof body === 'object' && body !== null) {
    const record: Record<string, unknown> = { ...body };
    // RFC 9457 problem details: `detail` says what is wrong, `title` names the kind of problem.
    if (typeof record['detail'] === 'string') return record['detail'];
    if (typeof record['title'] === 'string') return record['title'];
    const error = record['error'];
    if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') return error.message;
    if (typeof record['message'] === 'string') return record['message'];
    if (typeof error === 'string') return error;
  }
  return fallback;
}

/** Called on 401 so the shell can return to the API key screen. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/**
 * Calls the Waymark API under `/v1` and parses the JSON answer with `schema`.
 *
 * @example await request('GET', '/v1/segments', SegmentList)
 */
export async function request<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = loadApiKey();
  if (key) headers['Authorization'] = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  if (response.status === 401) onUnauthorized();
  if (!response.ok) throw new ApiError(response.status, messageOf(json, `${response.status} ${response.statusText}`), json);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiError(response.status, `Unexpected answer from ${method} ${path}: ${parsed.error.message}`, json);
  return parsed.data;
}
