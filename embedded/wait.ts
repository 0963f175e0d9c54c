import { Connection } from '@temporalio/client';

/**
 * Waits until a Temporal frontend answers for `namespace` (the dev server opens its port a
 * moment before the default namespace is registered). `signal` gives up early (the server
 * process exited).
 */
export async function waitForTemporal(address: string, namespace = 'default', timeoutMs = 60_000, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new Error(`Temporal at ${address} stopped before it answered: ${String(lastError)}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`Temporal at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}
