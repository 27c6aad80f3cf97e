/**
 * One writer per till at a time. In the browser the Web Locks API serialises across every tab of
 * the origin, so two tabs of one till never allocate the same device sequence or invoice number;
 * elsewhere (Node tests, old browsers) an in-process queue does the same within the process.
 */

const queues = new Map<string, Promise<unknown>>();

/** Run `fn` holding the lock `name`. */
export async function withDeviceLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (locks) return locks.request(name, { mode: 'exclusive' }, fn);
  const previous = queues.get(name) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(name, tail);
  try {
    return await run;
  } finally {
    if (queues.get(name) === tail) queues.delete(name);
  }
}
