/**
 * The till page: the till runtime exactly as the counter PWA opens it (`Till.open` with
 * several-tab support, IndexedDB through RxDB's Dexie storage, live sync with the server the page
 * came from), driven by the harness through `globalThis.bench`.
 */
import { openTillDatabase } from '@smartkirana/client/database';
import { Till } from '@smartkirana/client/till';
import type { CartItem, SellInput } from '@smartkirana/client/till-commands';
import { tillViews } from '@smartkirana/client/views';
import { stockSummary } from '@smartkirana/domain/reports-stock';
import type {
  BulkPutInput,
  CommitInput,
  FreshTillInput,
  PageCredential,
  TillPageApi,
} from './api.ts';
import { pullAll } from './pull-all.ts';

let till: Till | undefined;

const api: TillPageApi = {
  async freshTill(input: FreshTillInput) {
    if (till) throw new Error('a till is already open');
    const started = performance.now();
    const since = (): number => performance.now() - started;
    const opened = await Till.open({
      credential: withServer(input.credential),
      multiInstance: true,
    });
    till = opened;
    const openMs = since();
    // The cashier types their PIN while the first sync runs.
    const signedIn = (async () => {
      await opened.refreshStaff();
      const who = await opened.signIn(input.staff.userId, input.staff.pin);
      if (!who) throw new Error('the cashier could not sign in');
      return since();
    })();
    // Stored: every event of the log at the start is in the till's IndexedDB.
    const stored = untilStored(opened, input.expected).then(since);
    await opened.ready();
    const seeded = opened.history$.value.seeded;
    const signedInMs = await signedIn;
    const sale = await opened.commands.sell(randomSale(opened, rng(input.seed)));
    const readyMs = since();
    const storedMs = await stored;
    await opened.historyComplete();
    const foldedMs = since();
    return {
      folded: opened.projection.size,
      openMs,
      storedMs,
      foldedMs,
      signedInMs,
      readyMs,
      seeded,
      invoiceNo: sale.payload.invoiceNo,
    };
  },

  async commitSales(input: CommitInput) {
    const t = till;
    if (!t) throw new Error('no till is open');
    const random = rng(input.seed);
    const views = tillViews(t);
    let stockEmissions = 0;
    let otherEmissions = 0;
    let stock = new Map<string, number>();
    // The counter screen shows stock; with `every`, the other views of the till are live too.
    const subs = [
      views.stock$.subscribe((s) => {
        stockEmissions += 1;
        stock = new Map(s.rows.map((r) => [r.productId, r.qty]));
      }),
    ];
    if (input.views === 'every')
      subs.push(
        views.khata$.subscribe(() => (otherEmissions += 1)),
        views.todaySales$.subscribe(() => (otherEmissions += 1)),
        views.trialBalance$.subscribe(() => (otherEmissions += 1)),
        views.conflicts$.subscribe(() => (otherEmissions += 1)),
      );
    const others = subs.length - 1;
    const samples: number[] = [];
    const invoices: string[] = [];
    try {
      for (let i = 0; i < input.warmup + input.sales; i++) {
        const order = randomSale(t, random);
        const first = order.items[0];
        const before = {
          stock: stockEmissions,
          other: otherEmissions,
          qty: first ? (stock.get(first.productId) ?? 0) : 0,
        };
        const startedAt = performance.now();
        const sale = await t.commands.sell(order);
        const ms = performance.now() - startedAt;
        // Not timed: the views had already recomputed with the sale in them.
        if (stockEmissions <= before.stock || otherEmissions < before.other + others)
          throw new Error('the views did not update with the sale');
        if (first && stock.get(first.productId) !== before.qty - first.qty)
          throw new Error('the stock view does not show the sale');
        invoices.push(sale.payload.invoiceNo);
        if (i >= input.warmup) samples.push(ms);
        // Customers are seconds apart: the next sale starts once this one is acknowledged.
        await acknowledged(t, sale.id);
        await pause(input.gapMs);
      }
    } finally {
      for (const s of subs) s.unsubscribe();
    }
    return {
      samples,
      stored: t.projection.size,
      firstInvoice: invoices[0] ?? '',
      lastInvoice: invoices.at(-1) ?? '',
    };
  },

  async rxdbBulkInsert(input: BulkPutInput) {
    const events = await pullAll(input.credential, input.expected);
    const db = await openTillDatabase({ name: `rxdb-bulkinsert-${crypto.randomUUID()}` });
    try {
      const started = performance.now();
      for (let i = 0; i < events.length; i += input.batch)
        await db.events.bulkInsert(events.slice(i, i + input.batch).map((e) => ({ ...e })));
      const ms = performance.now() - started;
      const stored = await db.events.count().exec();
      if (stored !== events.length) throw new Error(`RxDB stored ${stored} of ${events.length}`);
      return { events: stored, ms };
    } finally {
      await db.remove();
    }
  },

  async progress() {
    if (!till) return { stored: 0, folded: 0, error: null };
    const status = await till.status();
    return { stored: status.pulled, folded: till.projection.size, error: status.lastError ?? null };
  },

  async closeTill() {
    await till?.close();
    till = undefined;
  },
};

(globalThis as unknown as { bench: TillPageApi }).bench = api;

function withServer(c: PageCredential) {
  return { ...c, serverUrl: location.origin };
}

/** Resolve once the till's history holds `expected` positions of the shop's log. */
function untilStored(t: Till, expected: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const status = t.status$;
    if (!status) {
      reject(new Error('the till does not sync'));
      return;
    }
    const sub = status.subscribe((s) => {
      if (s.pulled < expected) return;
      resolve();
      // The first check runs inside `subscribe`, before `sub` is assigned.
      queueMicrotask(() => sub.unsubscribe());
    });
  });
}

/** Resolve once the server's answer for this till's event `id` is stored. */
async function acknowledged(t: Till, id: string): Promise<void> {
  while (!(await t.db.receipts.findOne(id).exec())) await pause(5);
}

/** A bill like the workload's: 1–3 lines, a few pieces or 250 g steps of loose goods. */
function randomSale(t: Till, random: () => number): SellInput {
  const rows = stockSummary(t.projection).rows;
  if (rows.length === 0) throw new Error('the till knows no products');
  const lines = [1, 1, 1, 2, 2, 3][Math.floor(random() * 6)] ?? 1;
  const picked = new Map<string, CartItem>();
  while (picked.size < Math.min(lines, rows.length)) {
    const row = rows[Math.floor(random() * rows.length)];
    if (!row) continue;
    const qty =
      row.unit === 'pc' ? 1 + Math.floor(random() * 3) : (1 + Math.floor(random() * 10)) * 250;
    picked.set(row.productId, { productId: row.productId, qty });
  }
  return { items: [...picked.values()], pay: random() < 0.6 ? 'cash' : 'upi' };
}

/** A small seeded generator (mulberry32), so runs ring up the same bills. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
