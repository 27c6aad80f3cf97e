/**
 * Settings and small helpers shared by the fault tests (`pnpm test:faults`): the seed of their
 * random schedules, how many rounds to run, waiting with a deadline, and tracing. Under CI the
 * seed is fixed so a red run replays its schedule; locally each run explores a new one, printed in
 * its summary line. `FAULT_SEED` replays a seed, `FAULT_ROUNDS` runs longer than the short form
 * that `pnpm test` runs, `FAULT_TRACE=1` prints each phase.
 */

/** The seed of a fault run: `FAULT_SEED`, else `FC_SEED`, else fixed under CI, else fresh. */
export function faultSeed(): number {
  const given = process.env.FAULT_SEED ?? process.env.FC_SEED;
  if (given !== undefined) return Number(given);
  if (process.env.CI === 'true') return 20260401;
  return Math.floor(Math.random() * 2 ** 31);
}

/** Rounds to run: `FAULT_ROUNDS`, else the short form. */
export function faultRounds(short: number): number {
  const given = Number(process.env.FAULT_ROUNDS);
  return Number.isInteger(given) && given > 0 ? given : short;
}

const started = Date.now();

/** With `FAULT_TRACE=1`, print a phase of a fault test with the seconds since its file started. */
export function trace(what: string): void {
  if (process.env.FAULT_TRACE)
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${what}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `work`, or a rejection if it has not settled within `ms` (the work itself goes on). */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Retry `check` until it passes; fail with its last complaint after `seconds`. */
export async function eventually(
  seconds: number,
  what: string,
  check: () => Promise<void>,
): Promise<void> {
  const until = Date.now() + seconds * 1000;
  let last: unknown;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until)
      throw new Error(
        `waited ${seconds} s for ${what}: ${last instanceof Error ? last.message : String(last)}`,
      );
    await sleep(200);
  }
}
