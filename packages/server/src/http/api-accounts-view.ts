/**
 * Account codes as people read them: sub-ledgers get the name of their till, customer or supplier
 * (`cash:<device>` → "Cash (T01)", `debtor:<customer>` → "Debtor: Asha Stores"), and a code in a
 * query is checked to be an account of this shop.
 */
import { accountDef, STANDARD_ACCOUNTS } from '@smartkirana/domain/accounts';
import type { JournalEntry } from '@smartkirana/domain/journal';
import type { AccountBalance } from '@smartkirana/domain/reports-books';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import { z } from 'zod';
import { invalid, notFound } from './api-support.ts';

/** An account code or a sub-ledger kind (`cash` matches every till's drawer). */
export const accountQuery = z
  .string()
  .regex(/^[a-z][a-z-]{0,30}(:[A-Za-z0-9-]{1,64})?$/, 'an account code such as sales or cash:<id>');

/** The display name of an account of this shop. */
export function accountName(p: ShopProjection, code: string): string {
  const i = code.indexOf(':');
  const kind = i < 0 ? code : code.slice(0, i);
  const key = i < 0 ? '' : code.slice(i + 1);
  switch (kind) {
    case 'cash':
      return `Cash (${p.devices.get(key)?.get('code') ?? key})`;
    case 'debtor':
      return `Debtor: ${p.customers.get(key)?.get('name') ?? key}`;
    case 'creditor':
      return `Creditor: ${p.suppliers.get(key)?.get('name') ?? key}`;
    default:
      return accountDef(code)?.name ?? code;
  }
}

/** Balances with the shop's names for sub-ledgers. */
export function named(p: ShopProjection, rows: readonly AccountBalance[]): AccountBalance[] {
  return rows.map((r) => ({ ...r, name: accountName(p, r.account) }));
}

/** Journal entries with account names on every posting. */
export function namedEntries(p: ShopProjection, entries: readonly JournalEntry[]) {
  return entries.map((e) => ({
    ...e,
    postings: e.postings.map((x) => ({ ...x, name: accountName(p, x.account) })),
  }));
}

/** Whether an account code matches a filter: the code itself, or every sub-ledger of a kind. */
export function matchesAccount(code: string, filter: string): boolean {
  return code === filter || (!filter.includes(':') && code.startsWith(`${filter}:`));
}

/**
 * Check an account code names an account of this shop: a standard account, an expense head, or the
 * sub-ledger of one of the shop's tills, customers or suppliers (another shop's party is 404).
 */
export function checkAccount(p: ShopProjection, code: string): void {
  const def = accountDef(code);
  if (!def) throw invalid(['query', 'account'], `no account ${code}`);
  const i = code.indexOf(':');
  if (i < 0) return;
  const kind = code.slice(0, i);
  const key = code.slice(i + 1);
  const known =
    kind === 'cash'
      ? p.devices.get(key) !== undefined
      : kind === 'debtor'
        ? p.customers.get(key)?.get('created') === true
        : kind === 'creditor'
          ? p.suppliers.get(key)?.get('created') === true
          : true;
  if (!known) throw notFound('account');
}

/** The chart of accounts: the standard accounts and every sub-ledger with postings. */
export function chartOfAccounts(p: ShopProjection) {
  const totals = new Map<string, number>();
  for (const accounts of p.balances.values())
    for (const [account, amount] of accounts)
      totals.set(account, (totals.get(account) ?? 0) + amount);
  const standard = STANDARD_ACCOUNTS.map((a) => ({
    code: a.code,
    name: a.name,
    group: a.group,
    nature: a.nature,
    kind: 'standard' as const,
    balance: totals.get(a.code) ?? 0,
  }));
  const codes = new Set<string>(STANDARD_ACCOUNTS.map((a) => a.code));
  const sub = [...totals.keys()]
    .filter((code) => !codes.has(code))
    .sort()
    .map((code) => {
      const def = accountDef(code);
      return {
        code,
        name: accountName(p, code),
        group: def?.group ?? 'Suspense',
        nature: def?.nature ?? 'asset',
        kind: 'sub-ledger' as const,
        balance: totals.get(code) ?? 0,
      };
    });
  return [...standard, ...sub];
}
