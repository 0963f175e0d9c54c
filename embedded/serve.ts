// Runs one of Waymark's own embedded services (the SMTP inbox, the SMS and robot sandboxes) as a process of
// its own, so `npm start` can supervise it like the others: it can crash or be killed alone and
// is restarted. `node --import tsx embedded/serve.ts <inbox|sms|aliyun-sms|robots>`, options as JSON in
// WAYMARK_SERVICE_OPTIONS. SIGTERM or SIGINT stops it.
import { startInbox } from './inbox.ts';
import { exitWithParent } from './parent.ts';
import { startRobotSandbox } from './robot-sandbox.ts';
import { startSmsSandbox } from './sms-sandbox.ts';
import { startAliyunSmsSandbox } from './aliyun-sms-sandbox.ts';

const services = {
  inbox: (options: Parameters<typeof startInbox>[0]) => startInbox(options),
  sms: (options: Parameters<typeof startSmsSandbox>[0]) => startSmsSandbox(options),
  'aliyun-sms': (options: Parameters<typeof startAliyunSmsSandbox>[0]) => startAliyunSmsSandbox(options),
  robots: (options: Parameters<typeof startRobotSandbox>[0]) => startRobotSandbox(options),
} satisfies Record<string, (options: never) => Promise<{ stop(): Promise<void> }>>;

export type ServiceKind = keyof typeof services;

async function main(): Promise<void> {
  const kind = process.argv[2];
  if (kind === undefined || !Object.hasOwn(services, kind)) throw new Error(`unknown service ${kind ?? '(none)'}; expected ${Object.keys(services).join(' or ')}`);
  const options: unknown = JSON.parse(process.env['WAYMARK_SERVICE_OPTIONS'] ?? '{}');
  const service = await services[kind as ServiceKind](options as never);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 3_000).unref(); // clients that keep connections open do not hold it up
    void service.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  exitWithParent(stop);
}

main().catch((error: unknown) => {
  console.error(`waymark ${process.argv[2] ?? ''}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
