/**
 * Deadlines and waits that a signal cuts short, shared by the till (browser or Node) and the
 * server. The domain compiles against the language alone, so the platform parts used here, which
 * browsers and Node both provide, are declared by shape and the caller's own signal type flows
 * through.
 */

/** The part of an `AbortSignal` used here. */
export interface AbortSource {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** The part of an `AbortController` used here. */
export interface Aborter<S extends AbortSource> {
  readonly signal: S;
  abort(reason?: unknown): void;
}

declare function setTimeout(callback: () => void, ms: number): unknown;
declare function clearTimeout(timer: unknown): void;
declare const DOMException: new (message: string, name: string) => Error;

/** A timer that does not by itself keep a Node process alive (browsers have nothing to undo). */
function timer(callback: () => void, ms: number): unknown {
  const handle = setTimeout(callback, ms);
  (handle as { unref?: () => void }).unref?.();
  return handle;
}

/**
 * `controller`'s signal, aborted after `ms` or as soon as any of `also` aborts (with its reason).
 * `AbortSignal.any` with `AbortSignal.timeout` should do this, but the combined signal holds its
 * sources weakly: once nothing else refers to the timeout signal it can be collected before it
 * fires, and a request the network never answers then waits forever (seen as a shop server's
 * replication hanging after a link was cut mid-request). Here an ordinary timer holds the
 * deadline. When it fires it also unhooks from `also`, so a long-lived signal (a shutdown, a
 * till's sync session) does not collect one listener per request.
 */
export function deadline<S extends AbortSource>(
  controller: Aborter<S>,
  ms: number,
  ...also: (S | null | undefined)[]
): S {
  const sources = also.filter((s): s is S => s !== undefined && s !== null);
  const follow = (): void => {
    settle(sources.find((s) => s.aborted)?.reason);
  };
  const settle = (reason: unknown): void => {
    clearTimeout(handle);
    for (const s of sources) s.removeEventListener('abort', follow);
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const handle = timer(
    () => settle(new DOMException('the request took too long', 'TimeoutError')),
    ms,
  );
  if (sources.some((s) => s.aborted)) follow();
  else for (const s of sources) s.addEventListener('abort', follow, { once: true });
  return controller.signal;
}

/** Wait `ms`, or less if `signal` aborts first; never rejects, and leaves no listener behind. */
export function sleep(ms: number, signal: AbortSource): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(handle);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const handle = timer(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
