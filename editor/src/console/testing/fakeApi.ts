import { vi } from 'vitest';

/** One request the component made. */
export interface Call {
  method: string;
  path: string;
  url: URL;
  body: unknown;
}

type Handler = (call: Call) => unknown;

/**
 * A stand-in for the Waymark API in component tests: `fetch` answers from `routes`
 * ("GET /v1/tasks" → handler), records every call, and 404s anything unknown.
 *
 * @example const api = fakeApi({ 'GET /v1/tasks': () => ({ items: [], nextCursor: null }) });
 */
export function fakeApi(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const match = (method: string, path: string): Handler | undefined => {
    for (const [key, handler] of Object.entries(routes)) {
      const [m, pattern = ''] = key.split(' ');
      const re = new RegExp(`^${pattern.replace(/:[A-Za-z]+/g, '[^/]+')}$`);
      if (m === method && re.test(path)) return handler;
    }
    return undefined;
  };
  const fetchStub = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input), 'http://console.test');
    const method = init?.method ?? 'GET';
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const call = { method, path: url.pathname, url, body };
    calls.push(call);
    const handler = match(method, url.pathname);
    if (!handler) return new Response(JSON.stringify({ title: 'Not found', status: 404 }), { status: 404 });
    const answer = handler(call);
    return answer === undefined ? new Response(null, { status: 204 }) : new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchStub);
  return { calls, callsTo: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path) };
}

/** Page envelope of a list endpoint. */
export const page = <T>(items: T[]) => ({ items, nextCursor: null });
