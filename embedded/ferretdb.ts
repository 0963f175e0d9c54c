import { mkdirSync } from 'node:fs';
import { startProcess, type ManagedProcess } from './process.ts';
import { tools } from './tools.ts';

/** Starts FerretDB (MongoDB wire protocol) on 127.0.0.1 with its SQLite backend in `dataDir`. */
export async function startFerretDb(options: {
  port: number;
  dataDir: string;
  logFile: string;
}): Promise<ManagedProcess & { url: string }> {
  const { port, dataDir, logFile } = options;
  mkdirSync(dataDir, { recursive: true });
  const proc = await startProcess({
    name: 'FerretDB',
    cmd: tools.ferretdb,
    args: [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--state-dir=${dataDir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=warn',
    ],
    port,
    logFile,
  });
  return Object.assign(proc, { url: `mongodb://127.0.0.1:${port}/` });
}
