/**
 * The owner's dashboard: today's and this month's sales, stock value and alerts, what customers owe
 * and what the shop owes, and what needs attention (open conflicts, quarantined events). One call,
 * all derived from the projection; amounts in paise.
 */
import type { Hono } from 'hono';
import { listConflicts } from '@smartkirana/domain/conflicts';
import { khataBalances, supplierPayables } from '@smartkirana/domain/reports-parties';
import { salesSummary } from '@smartkirana/domain/reports-sales';
import { expiryList, stockSummary } from '@smartkirana/domain/reports-stock';
import type { AppEnv } from '../context.ts';
import { readAs, today } from './api-support.ts';
import { route } from './route.ts';

/** Register the dashboard route. */
export function dashboardRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'get',
      path: '/api/v1/reports/dashboard',
      summary:
        'Dashboard KPIs: sales today and this month, stock, khata, payables, attention items',
      tag: 'accounting',
      access: 'user',
    },
    async (c, { auth }) => {
      const p = await readAs(c, auth, 'books');
      const day = today();
      const todays = salesSummary(p, { from: day, to: day });
      const month = salesSummary(p, { from: `${day.slice(0, 7)}-01`, to: day });
      const stock = stockSummary(p);
      const khata = khataBalances(p).filter((r) => r.balance > 0);
      const { db } = c.get('services').db;
      const quarantined = await db
        .selectFrom('quarantine')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('shop_id', '=', auth.shopId)
        .where('resolved_at', 'is', null)
        .executeTakeFirst();
      return {
        day,
        sales: {
          today: { bills: todays.bills, total: todays.total, averageBill: todays.averageBill },
          month: { bills: month.bills, total: month.total, net: month.net, returns: month.returns },
          byModeToday: todays.byMode,
        },
        stock: {
          value: stock.totalValue,
          products: stock.rows.length,
          critical: stock.rows.filter((r) => r.status === 'critical').length,
          low: stock.rows.filter((r) => r.status === 'low').length,
          overstocked: stock.rows.filter((r) => r.status === 'overstocked').length,
          expiringIn7Days: expiryList(p, day, 7).length,
        },
        khata: {
          outstanding: khata.reduce((s, r) => s + r.balance, 0),
          customersOwing: khata.length,
          overLimit: khata.filter((r) => r.overLimit).length,
        },
        payables: {
          outstanding: supplierPayables(p, day).reduce((s, r) => s + Math.max(0, r.balance), 0),
        },
        attention: {
          openConflicts: listConflicts(p).filter((x) => x.status === 'open').length,
          quarantined: Number(quarantined?.n ?? 0),
        },
      };
    },
  );
}
