// Posting events to the API (or to the bare endpoint) the way the ingestion cases do: JSON in,
// JSON out, one API key per request from a pool (each key has its own rate bucket), a 429
// retried after the wait it names (and counted, so a row can say so).

/** One answered request. */
export interface Posted {
  status: number;
  body: unknown;
  /** From sending the request to the whole answer read. */
  ms: number;
  /** 429 answers retried before this one. */
  limited: number;
}

/** Posts `body` as JSON to `url` (with `key` as the bearer token); retries 429s up to 20 times. */
export function postJson(url: string, body: unknown, key?: string): Promise<Posted> {
  return postText(url, JSON.stringify(body), key);
}

/** `postJson` with the JSON already written (e.g. NDJSON lines joined into a batch). */
export async function postText(url: string, payload: string, key?: string): Promise<Posted> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) };
  let limited = 0;
  for (;;) {
    const t0 = performance.now();
    const response = await fetch(url, { method: 'POST', headers, body: payload });
    const text = await response.text();
    const ms = performance.now() - t0;
    if (response.status === 429 && limited < 20) {
      limited++;
      const wait = Number(response.headers.get('retry-after') ?? '1');
      await new Promise((resolve) => setTimeout(resolve, 1000 * (Number.isFinite(wait) && wait > 0 ? wait : 1)));
      continue;
    }
    return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown), ms, limited };
  }
}

/** The `results` of an EventAck that say a stage was left undone (`finished: false`). */
export function unfinishedIn(body: unknown): number {
  if (typeof body !== 'object' || body === null || !('results' in body) || !Array.isArray(body.results)) return 0;
  return body.results.filter((r: unknown) => typeof r === 'object' && r !== null && 'finished' in r && r.finished === false).length;
}

/** Round-robin over a pool of API keys. */
export function keyRing(keys: readonly string[]): () => string {
  let next = 0;
  return () => keys[next++ % keys.length] ?? '';
}
