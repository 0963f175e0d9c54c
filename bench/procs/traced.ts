// Entry wrapper for `--trace-db`: loads the MongoDB command tracer, then the real entry
// ($BENCH_ENTRY). A wrapper rather than `node --import`, which worker threads (Temporal's
// workflow thread) would inherit without tsx's loader.
import './db-trace.ts';

const entry = process.env['BENCH_ENTRY'];
if (!entry) throw new Error('set BENCH_ENTRY');
await import(entry);
