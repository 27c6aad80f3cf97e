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

/** Write the rows named in `changes` from the projection's current state. */
export async function writeDerived(
  trx: Tx,
  shopId: string,
  p: ShopProjection,
  changes: ProjectionChanges,
): Promise<void> {
  const balances: { day: string; account: string; amount: number }[] = [];
  const zeroBalances: { day: string; account: string }[] = [];
  for (const [day, accounts] of changes.balances) {
    const onDay = p.balances.get(day);
    for (const account of accounts) {
      const amount = onDay?.get(account) ?? 0;
      if (amount === 0) zeroBalances.push({ day, account });
      else balances.push({ day, account, amount });
    }
  }
  for (const rows of chunks(balances)) {
    await trx
      .insertInto('balances')
      .values(rows.map((r) => ({ shop_id: shopId, ...r })))
      .onConflict((oc) =>
        oc
          .columns(['shop_id', 'day', 'account'])
          .doUpdateSet((eb) => ({ amount: eb.ref('excluded.amount') })),
      )
      .execute();
  }
  for (const { day, account } of zeroBalances) {
    await trx
      .deleteFrom('balances')
      .where('shop_id', '=', shopId)
      .where('day', '=', day)
      .where('account', '=', account)
      .execute();
  }
  const stock = [...changes.products].map((productId) => {
    const state = p.timelines.get(productId)?.state;
    return {
      shop_id: shopId,
      product_id: productId,
      qty: state?.qty ?? 0,
      value: state?.value ?? 0,
    };
  });
  for (const rows of chunks(stock)) {
    await trx
      .insertInto('stock')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['shop_id', 'product_id'])
          .doUpdateSet((eb) => ({ qty: eb.ref('excluded.qty'), value: eb.ref('excluded.value') })),
      )
      .execute();
  }
  const parties = [
    ...[...changes.khata].map((id) => ({
      shop_id: shopId,
      party_id: id,
      kind: 'khata',
      balance: partyTotal(p.khata.get(id)),
    })),
    ...[...changes.payables].map((id) => ({
      shop_id: shopId,
      party_id: id,
      kind: 'payable',
      balance: partyTotal(p.payables.get(id)),
    })),
  ];
  // A party whose balance is back to zero has no row, exactly as a rebuild leaves it.
  for (const { kind, party_id } of parties.filter((r) => r.balance === 0)) {
    await trx
      .deleteFrom('party_balances')
      .where('shop_id', '=', shopId)
      .where('kind', '=', kind)
      .where('party_id', '=', party_id)
      .execute();
  }
  for (const rows of chunks(parties.filter((r) => r.balance !== 0))) {
    await trx
      .insertInto('party_balances')
      .values(rows)
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
