/**
 * Under `npm start` (which sets WAYMARK_EXIT_WITH_PARENT=1 for its children): calls `stop` once
 * `npm start` is gone (killed with SIGKILL, so it could not stop its children), instead of
 * holding the ports as an orphan. Elsewhere (a worker run on its own) it does nothing.
 */
export function exitWithParent(stop: () => void): void {
  if (process.env['WAYMARK_EXIT_WITH_PARENT'] !== '1') return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop();
  }, 1_000);
  timer.unref();
}
