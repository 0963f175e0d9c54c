// Small measuring helpers shared by the service benchmarks: percentiles, rates, rounding, and a
// wall clock that child processes share (so a receipt time taken in the SMTP sink compares with
// a send time taken here).

/** Milliseconds since the epoch with sub-millisecond precision; comparable across processes. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The `p`-th percentile (0–100) of `values`, nearest-rank; 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** Rounds to `digits` decimals (1 by default). */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A count over a span of milliseconds, per second. */
export function perSecond(count: number, ms: number): number {
  return ms <= 0 ? 0 : (count * 1000) / ms;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work(i)` for i in [0, count) with at most `lanes` in flight; resolves when all are done.
 * A failure is rethrown after the lanes stop taking new work.
 */
export async function inLanes(count: number, lanes: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    while (failure === null) {
      const i = next++;
      if (i >= count) return;
      try {
        await work(i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, count) }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
}

/** Polls `check` every `everyMs` until it returns true; throws with `what` after `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, what: string | (() => string), timeoutMs: number, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(everyMs);
  }
}

/** Resident set size of a process in MiB, from /proc (Linux). */
export async function rssMiB(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) / 1024;
}

const began = Date.now();

/** A progress line on stderr, with the seconds since the run began. */
export function note(message: string): void {
  process.stderr.write(`bench: [${((Date.now() - began) / 1000).toFixed(1)} s] ${message}\n`);
}

/** CPU time (user + system, all threads) a process has used so far, in seconds, from /proc (Linux). */
export async function cpuSeconds(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is the 3rd, utime the 14th, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** CPU seconds each watched process has used so far (NaN for one that is gone). */
export async function cpuOf(pids: Record<string, number>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) out[name] = await cpuSeconds(pid).catch(() => Number.NaN);
  return out;
}

/** What each process used since `before` (a `cpuOf` snapshot), most first: "Temporal 34.8 s, worker 22.3 s". */
export async function cpuSince(pids: Record<string, number>, before: Record<string, number>): Promise<string> {
  const after = await cpuOf(pids);
  return Object.keys(pids)
    .map((name) => ({ name, s: (after[name] ?? 0) - (before[name] ?? 0) }))
    .filter((p) => Number.isFinite(p.s))
    .sort((a, b) => b.s - a.s)
    .map((p) => `${p.name} ${p.s.toFixed(1)} s`)
    .join(', ');
}

/** A ratio for the table: two decimals, or two significant digits below 0.1 (e.g. 0.0048×). */
export function formatRatio(ratio: number): string {
  return `${ratio < 0.1 ? Number(ratio.toPrecision(2)) : ratio.toFixed(2)}×`;
}

/**
 * Watches a process's peak resident memory from now on: resets the kernel's high-water mark
 * (`/proc/<pid>/clear_refs`, Linux ≥ 4.0) and also samples VmRSS every `everyMs`, in case the
 * reset is not allowed. `stop()` returns the peak and the RSS when watching began, in MiB.
 */
export async function watchPeakRss(pid: number, everyMs = 250): Promise<{ stop(): Promise<{ peakMiB: number; startMiB: number }> }> {
  const { readFile, writeFile } = await import('node:fs/promises');
  const field = async (name: string) => {
    const kb = new RegExp(`${name}:\\s+(\\d+)\\s+kB`).exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? 0 : Number(kb) / 1024;
  };
  const reset = await writeFile(`/proc/${pid}/clear_refs`, '5').then(
    () => true,
    () => false,
  );
  const startMiB = await field('VmRSS');
  let sampled = startMiB;
  const timer = setInterval(() => {
    field('VmRSS').then(
      (mib) => (sampled = Math.max(sampled, mib)),
      () => undefined,
    );
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      const hwm = reset ? await field('VmHWM').catch(() => 0) : 0;
      return { peakMiB: Math.max(sampled, hwm, await field('VmRSS').catch(() => 0)), startMiB };
    },
  };
}
