// Runs bench/lifecycle.ts (case 7) in its own process, so the runner can hold it to a time
// budget: it sends its rows to the parent over IPC and exits.
import { benchLifecycle } from '../lifecycle.ts';

const rows = await benchLifecycle({ quick: process.env['BENCH_QUICK'] === '1', mongoUrl: process.env['MONGODB_URL'] ?? '' });
process.send?.({ type: 'rows', rows }, () => process.exit(0));
