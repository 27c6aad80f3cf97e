/**
 * Derived rows kept in SQL beside the log: stock per product, balances per day and account, and
 * khata / payable balances per party. Written in the ingest transaction from the projection's change
 * set, and rewritten whole by `rebuild`. They let reports and other tools read the books with SQL.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ProjectionChanges, ShopProjection } from '@smartkirana/domain/shop-projection';
import type { Database } from './db/schema.ts';

type Tx = Kysely<Database> | Transaction<Database>;

const CHUNK = 500;

/** The derived rows `changes` names, as they now are: rows to upsert and keys to delete. */
export interface DerivedRows {
  balances: { day: string; account: string; amount: number }[];
  /** Day balances back to zero: no row, exactly as a rebuild leaves them. */
  zeroBalances: { day: string; account: string }[];
  stock: { product_id: string; qty: number; value: number }[];
  parties: { kind: string; party_id: string; balance: number }[];
  /** A party whose balance is back to zero has no row, exactly as a rebuild leaves it. */
  zeroParties: { kind: string; party_id: string }[];
}

/** Which derived rows the projection's changes touch, with their current values. */
export function derivedRows(p: ShopProjection, changes: ProjectionChanges): DerivedRows {
  const out: DerivedRows = {
    balances: [],
    zeroBalances: [],
    stock: [],
    parties: [],
    zeroParties: [],
  };
  for (const [day, accounts] of changes.balances) {
    const onDay = p.balances.get(day);
    for (const account of accounts) {
      const amount = onDay?.get(account) ?? 0;
      if (amount === 0) out.zeroBalances.push({ day, account });
      else out.balances.push({ day, account, amount });
    }
  }
  for (const productId of changes.products) {
    const state = p.timelines.get(productId)?.state;
    out.stock.push({ product_id: productId, qty: state?.qty ?? 0, value: state?.value ?? 0 });
  }
  const party = (kind: string, party_id: string, entries: readonly { amount: number }[] = []) => {
    const balance = partyTotal(entries);
    if (balance === 0) out.zeroParties.push({ kind, party_id });
    else out.parties.push({ kind, party_id, balance });
  };
  for (const id of changes.khata) party('khata', id, p.khata.get(id));
  for (const id of changes.payables) party('payable', id, p.payables.get(id));
  return out;
}

/** Write the rows named in `changes` from the projection's current state. */
export async function writeDerived(
  trx: Tx,
  shopId: string,
  p: ShopProjection,
  changes: ProjectionChanges,
): Promise<void> {
  const rows = derivedRows(p, changes);
  for (const chunk of chunks(rows.balances)) {
    await trx
      .insertInto('balances')
      .values(chunk.map((r) => ({ shop_id: shopId, ...r })))
      .onConflict((oc) =>
        oc
          .columns(['shop_id', 'day', 'account'])
          .doUpdateSet((eb) => ({ amount: eb.ref('excluded.amount') })),
      )
      .execute();
  }
  for (const { day, account } of rows.zeroBalances) {
    await trx
      .deleteFrom('balances')
      .where('shop_id', '=', shopId)
      .where('day', '=', day)
      .where('account', '=', account)
      .execute();
  }
  for (const chunk of chunks(rows.stock)) {
    await trx
      .insertInto('stock')
      .values(chunk.map((r) => ({ shop_id: shopId, ...r })))
      .onConflict((oc) =>
        oc
          .columns(['shop_id', 'product_id'])
          .doUpdateSet((eb) => ({ qty: eb.ref('excluded.qty'), value: eb.ref('excluded.value') })),
      )
      .execute();
  }
  for (const { kind, party_id } of rows.zeroParties) {
    await trx
      .deleteFrom('party_balances')
      .where('shop_id', '=', shopId)
      .where('kind', '=', kind)
      .where('party_id', '=', party_id)
      .execute();
  }
  for (const chunk of chunks(rows.parties)) {
    await trx
      .insertInto('party_balances')
      .values(chunk.map((r) => ({ shop_id: shopId, ...r })))
      .onConflict((oc) =>
        oc
          .columns(['shop_id', 'kind', 'party_id'])
          .doUpdateSet((eb) => ({ balance: eb.ref('excluded.balance') })),
      )
      .execute();
  }
}

/** Replace every derived row of a shop with the projection's state (used by `rebuild`). */
export async function rewriteDerived(trx: Tx, shopId: string, p: ShopProjection): Promise<void> {
  await trx.deleteFrom('balances').where('shop_id', '=', shopId).execute();
  await trx.deleteFrom('stock').where('shop_id', '=', shopId).execute();
  await trx.deleteFrom('party_balances').where('shop_id', '=', shopId).execute();
  const changes: ProjectionChanges = {
    balances: new Map([...p.balances].map(([day, accounts]) => [day, new Set(accounts.keys())])),
    products: new Set(p.timelines.keys()),
    khata: new Set(p.khata.keys()),
    payables: new Set(p.payables.keys()),
  };
  await writeDerived(trx, shopId, p, changes);
}

/** Every derived row of a shop, sorted, for comparisons (rebuild = incremental). */
export async function readDerived(db: Tx, shopId: string) {
  const [balances, stock, parties] = await Promise.all([
    db
      .selectFrom('balances')
      .select(['day', 'account', 'amount'])
      .where('shop_id', '=', shopId)
      .orderBy('day')
      .orderBy('account')
      .execute(),
    db
      .selectFrom('stock')
      .select(['product_id', 'qty', 'value'])
      .where('shop_id', '=', shopId)
      .orderBy('product_id')
      .execute(),
    db
      .selectFrom('party_balances')
      .select(['kind', 'party_id', 'balance'])
      .where('shop_id', '=', shopId)
      .orderBy('kind')
      .orderBy('party_id')
      .execute(),
  ]);
  return { balances, stock, parties };
}

function partyTotal(entries: readonly { amount: number }[] | undefined): number {
  return (entries ?? []).reduce((s, e) => s + e.amount, 0);
}

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}
