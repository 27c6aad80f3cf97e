/**
 * A signal that aborts after `ms`, or as soon as any of `also` aborts. `AbortSignal.any` with
 * `AbortSignal.timeout` should do this, but the combined signal holds its sources weakly: once
 * nothing else refers to the timeout signal it can be collected before it fires, and a request
 * the network never answers then waits forever (seen as a shop server's replication hanging after
 * a link was cut mid-request). Here an ordinary timer holds the deadline. When it fires it also
 * unhooks from `also`, so a long-lived signal (the server's shutdown) does not collect one
 * listener per request.
 */
export function deadline(ms: number, ...also: (AbortSignal | undefined)[]): AbortSignal {
  const controller = new AbortController();
  const sources = also.filter((s): s is AbortSignal => s !== undefined);
  const follow = (): void => {
    const aborted = sources.find((s) => s.aborted);
    settle(aborted?.reason);
  };
  const settle = (reason: unknown): void => {
    clearTimeout(timer);
    for (const s of sources) s.removeEventListener('abort', follow);
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const timer = setTimeout(
    () => settle(new DOMException('the request took too long', 'TimeoutError')),
    ms,
  );
  // The deadline alone does not keep the process alive.
  timer.unref();
  if (sources.some((s) => s.aborted)) follow();
  else for (const s of sources) s.addEventListener('abort', follow, { once: true });
  return controller.signal;
}
