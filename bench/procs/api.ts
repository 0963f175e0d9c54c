// The Waymark API as `npm start` runs it (cli/api.ts `listen`), in its own process, on the
// endpoints in the environment. Unlike `npm start` it neither builds the editor nor seeds demo
// data nor supervises a worker: the bench starts the production worker (worker/main.ts) itself.
import { listen } from '../../cli/api.ts';
import { createClients } from '../../cli/clients.ts';
import { loadConfig } from '../../cli/config.ts';
import { createHealthCheck } from '../../cli/health.ts';
import type { Endpoints } from '../../embedded/index.ts';

const config = loadConfig(process.env);
const { temporal, mongo, smtp, twilio } = config;
if (!temporal.address || !mongo.url || !smtp.url || !twilio.accountSid || !twilio.authToken || !twilio.from) {
  throw new Error('bench api: set TEMPORAL_ADDRESS, MONGODB_URL, SMTP_URL and TWILIO_*');
}
const endpoints: Endpoints = {
  temporal: { address: temporal.address, namespace: temporal.namespace, embedded: false },
  mongo: { url: mongo.url, embedded: false },
  smtp: { url: smtp.url, embedded: false },
  twilio: { accountSid: twilio.accountSid, authToken: twilio.authToken, from: twilio.from, ...(twilio.baseUrl ? { baseUrl: twilio.baseUrl } : {}), embedded: false },
};
const clients = await createClients(config, endpoints);
const server = await listen({ config, clients, health: createHealthCheck(clients, twilio.accountSid) });
console.log(`bench api: listening on ${config.host}:${config.port} (pid ${process.pid})`);
process.on('SIGTERM', () => {
  server.close(() => void clients.close().finally(() => process.exit(0)));
});
