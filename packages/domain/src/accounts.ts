/**
 * Chart of accounts (Tally-style groups, BRIEF §3). Ledger accounts are identified by a stable code;
 * sub-ledgers carry their party or till: `cash:<deviceId>`, `debtor:<customerId>`,
 * `creditor:<supplierId>`, `expense:<category>`.
 */

/** The five primary groups, and which side a normal balance sits on. */
export type AccountNature = 'asset' | 'liability' | 'equity' | 'income' | 'expense';

/** A Tally group name for presentation. */
export type AccountGroup =
  | 'Cash-in-Hand'
  | 'Bank Accounts'
  | 'Current Assets'
  | 'Stock-in-Hand'
  | 'Sundry Debtors'
  | 'Sundry Creditors'
  | 'Duties & Taxes'
  | 'Capital Account'
  | 'Sales Accounts'
  | 'Purchase Accounts'
  | 'Direct Expenses'
  | 'Indirect Expenses'
  | 'Indirect Incomes';

export interface AccountDef {
  code: string;
  name: string;
  group: AccountGroup;
  nature: AccountNature;
}

/** The fixed accounts every shop has. */
export const STANDARD_ACCOUNTS = [
  { code: 'bank', name: 'Bank', group: 'Bank Accounts', nature: 'asset' },
  { code: 'upi', name: 'UPI Clearing', group: 'Bank Accounts', nature: 'asset' },
  { code: 'card', name: 'Card Clearing', group: 'Bank Accounts', nature: 'asset' },
  { code: 'inventory', name: 'Inventory', group: 'Stock-in-Hand', nature: 'asset' },
  { code: 'in-cgst', name: 'Input CGST', group: 'Duties & Taxes', nature: 'asset' },
  { code: 'in-sgst', name: 'Input SGST', group: 'Duties & Taxes', nature: 'asset' },
  { code: 'in-igst', name: 'Input IGST', group: 'Duties & Taxes', nature: 'asset' },
  { code: 'out-cgst', name: 'Output CGST', group: 'Duties & Taxes', nature: 'liability' },
  { code: 'out-sgst', name: 'Output SGST', group: 'Duties & Taxes', nature: 'liability' },
  { code: 'out-igst', name: 'Output IGST', group: 'Duties & Taxes', nature: 'liability' },
  { code: 'capital', name: 'Capital', group: 'Capital Account', nature: 'equity' },
  { code: 'drawings', name: 'Drawings', group: 'Capital Account', nature: 'equity' },
  { code: 'sales', name: 'Sales', group: 'Sales Accounts', nature: 'income' },
  { code: 'sales-returns', name: 'Sales Returns', group: 'Sales Accounts', nature: 'income' },
  { code: 'purchases', name: 'Purchases', group: 'Purchase Accounts', nature: 'expense' },
  { code: 'cogs', name: 'Cost of Goods Sold', group: 'Direct Expenses', nature: 'expense' },
  { code: 'stock-loss', name: 'Stock Loss', group: 'Indirect Expenses', nature: 'expense' },
  {
    code: 'discount-allowed',
    name: 'Discount Allowed',
    group: 'Indirect Expenses',
    nature: 'expense',
  },
  {
    code: 'cash-short-excess',
    name: 'Cash Short & Excess',
    group: 'Indirect Expenses',
    nature: 'expense',
  },
  { code: 'round-off', name: 'Round Off', group: 'Indirect Incomes', nature: 'income' },
] as const satisfies readonly AccountDef[];

export type StandardAccountCode = (typeof STANDARD_ACCOUNTS)[number]['code'];

/** Account code of a till's cash drawer. */
export const cashAccount = (deviceId: string): string => `cash:${deviceId}`;
/** Account code of a khata customer. */
export const debtorAccount = (customerId: string): string => `debtor:${customerId}`;
/** Account code of a supplier. */
export const creditorAccount = (supplierId: string): string => `creditor:${supplierId}`;
/** Account code of an expense head. */
export const expenseAccount = (category: string): string => `expense:${category}`;

const BY_CODE = new Map<string, AccountDef>(STANDARD_ACCOUNTS.map((a) => [a.code, a]));

/** The definition of any account code, standard or sub-ledger; undefined for unknown codes. */
export function accountDef(code: string): AccountDef | undefined {
  const standard = BY_CODE.get(code);
  if (standard) return standard;
  const [kind, key] = splitCode(code);
  switch (kind) {
    case 'cash':
      return { code, name: `Cash (${key})`, group: 'Cash-in-Hand', nature: 'asset' };
    case 'debtor':
      return { code, name: `Debtor ${key}`, group: 'Sundry Debtors', nature: 'asset' };
    case 'creditor':
      return { code, name: `Creditor ${key}`, group: 'Sundry Creditors', nature: 'liability' };
    case 'expense':
      return { code, name: `Expenses: ${key}`, group: 'Indirect Expenses', nature: 'expense' };
    default:
      return undefined;
  }
}

/** Nature of an account code; throws for a code that is not in the chart. */
export function natureOf(code: string): AccountNature {
  const def = accountDef(code);
  if (!def) throw new RangeError(`unknown account ${code}`);
  return def.nature;
}

function splitCode(code: string): [string, string] {
  const i = code.indexOf(':');
  return i < 0 ? [code, ''] : [code.slice(0, i), code.slice(i + 1)];
}
