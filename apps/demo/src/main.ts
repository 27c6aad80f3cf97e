/**
 * A domain demo: simulate a few days of "Demo Kirana Store" with three tills that go offline and sync
 * at random, merge every till's events in a shuffled order, and print what the shop's books say.
 * (The server and the PWA take over `pnpm start` once they exist.)
 */
import { formatINR } from '@smartkirana/domain/money';
import { formatQty } from '@smartkirana/domain/quantity';
import { ShopProjection } from '@smartkirana/domain/shop-projection';
import { listConflicts } from '@smartkirana/domain/conflicts';
import { balanceSheet, profitAndLoss, trialBalance } from '@smartkirana/domain/reports-books';
import { stockSummary } from '@smartkirana/domain/reports-stock';
import { gstSummary } from '@smartkirana/domain/reports-gst';
import { khataBalances } from '@smartkirana/domain/reports-parties';
import { salesSummary } from '@smartkirana/domain/reports-sales';
import { generateShop, Rng } from '@smartkirana/domain/testing';

const seed = Number(process.env.DEMO_SEED ?? 2026);
const { events, sim } = generateShop({ seed, tills: 3, days: 3, salesPerDay: 20, stockFactor: 8 });
const projection = new ShopProjection();
// Arrival order is scrambled on purpose: the books depend only on the set of events.
projection.apply(new Rng(seed).shuffle(events));

const all = { to: sim.today() };
const line = (label: string, value: string): void => {
  console.log(`  ${label.padEnd(28)} ${value.padStart(16)}`);
};

console.log(
  `\nSmartKirana domain demo — Demo Kirana Store, ${events.length} events from 3 tills and the owner's phone\n`,
);

const sales = salesSummary(projection, all);
console.log('Sales');
line('bills', String(sales.bills));
line('billed (incl. GST)', formatINR(sales.total));
line('returns (credit notes)', formatINR(sales.returns));
for (const mode of sales.byMode) line(`  by ${mode.key}`, formatINR(mode.total));

console.log('\nStock');
for (const row of stockSummary(projection).rows) {
  line(`${row.name} [${row.status}]`, `${formatQty(row.qty, row.unit)}  ${formatINR(row.value)}`);
}

const pl = profitAndLoss(projection, all);
console.log('\nProfit and loss');
line('net sales', formatINR(pl.netSales));
line('cost of goods sold', formatINR(pl.costOfGoodsSold));
line('gross profit', formatINR(pl.grossProfit));
line('net profit', formatINR(pl.netProfit));

const bs = balanceSheet(projection, sim.today());
const tb = trialBalance(projection);
console.log('\nBooks');
line('trial balance debits', formatINR(tb.totalDebit));
line('trial balance credits', formatINR(tb.totalCredit));
line('total assets', formatINR(bs.totalAssets));
line('liabilities + equity + profit', formatINR(bs.totalLiabilitiesAndEquity));

const gst = gstSummary(projection, all);
console.log('\nGST');
line('output CGST + SGST', formatINR(gst.output.cgst + gst.output.sgst));
line('input credit', formatINR(gst.input.cgst + gst.input.sgst + gst.input.igst));
line('net payable', formatINR(gst.net.cgst + gst.net.sgst + gst.net.igst));

console.log('\nKhata');
for (const k of khataBalances(projection))
  line(`${k.name}${k.overLimit ? ' (over limit)' : ''}`, formatINR(k.balance));

const conflicts = listConflicts(projection);
console.log(
  `\nConflict inbox: ${conflicts.filter((c) => c.status === 'open').length} open of ${conflicts.length}`,
);
for (const c of conflicts.slice(0, 8)) console.log(`  [${c.status}] ${c.kind}: ${c.message}`);
console.log('');
