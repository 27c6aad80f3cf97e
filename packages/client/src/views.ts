/**
 * Live derived views for screens: each recomputes from the till's projection whenever it changes
 * (a local sale, a pulled event), so the counter sees a sale in stock the instant it is made and,
 * once synced, exactly what the server derives.
 */
import { istDate } from '@smartkirana/domain/calendar';
import { listConflicts } from '@smartkirana/domain/conflicts';
import { trialBalance } from '@smartkirana/domain/reports-books';
import { khataBalances } from '@smartkirana/domain/reports-parties';
import { salesSummary } from '@smartkirana/domain/reports-sales';
import { stockSummary } from '@smartkirana/domain/reports-stock';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import { map, shareReplay, type Observable } from 'rxjs';
import type { Till } from './till.ts';

/** Observe any function of the projection; emits at once and after every change. */
export function select<T>(till: Till, fn: (p: ShopProjection) => T): Observable<T> {
  return till.version$.pipe(
    map(() => fn(till.projection)),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
}

/** The views a till's screens use. */
export function tillViews(till: Till, clock: () => number = Date.now) {
  return {
    stock$: select(till, (p) => stockSummary(p)),
    khata$: select(till, (p) => khataBalances(p)),
    todaySales$: select(till, (p) => {
      const today = istDate(clock());
      return salesSummary(p, { from: today, to: today });
    }),
    trialBalance$: select(till, (p) => trialBalance(p)),
    conflicts$: select(till, (p) => listConflicts(p)),
  };
}
