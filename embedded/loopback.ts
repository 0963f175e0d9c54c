import type { Server } from 'node:http';
import type { Express } from 'express';

/** An HTTP service of ours listening on 127.0.0.1 only: its base URL and how to stop it. */
export interface LoopbackService {
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts an Express app on 127.0.0.1:`port` (never another interface); rejects when the port is
 * taken.
 *
 * @example const { baseUrl, stop } = await listenOnLoopback(app, 8026);
 */
export async function listenOnLoopback(app: Express, port: number): Promise<LoopbackService> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
