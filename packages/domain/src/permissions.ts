/**
 * Who may record what. The server checks every pushed event against this table (a cashier cannot
 * change prices; an accountant records nothing), and tills use it to hide what a person may not do.
 * Events a role may not emit are quarantined with `forbidden_event`, never silently dropped.
 */
import type { Role } from './event-fields.ts';
import type { DomainEvent, EventType } from './events.ts';

/** Everything that happens at the counter. */
const COUNTER: readonly EventType[] = [
  'v1.SaleCompleted',
  'v1.SaleReturned',
  'v1.KhataPaymentReceived',
  'v1.CustomerCreated',
  'v1.TillOpened',
  'v1.TillClosed',
  'v1.StaffClockedIn',
  'v1.StaffClockedOut',
  'v1.OrderPlaced',
  'v1.OrderStatusChanged',
];

/** Everything that happens in the stock room. */
const STOCK_ROOM: readonly EventType[] = [
  'v1.StockReceived',
  'v1.StockAdjusted',
  'v1.StockCounted',
  'v1.SupplierCreated',
  'v1.StaffClockedIn',
  'v1.StaffClockedOut',
];

/** Catalogue, money and corrections a manager handles. */
const MANAGEMENT: readonly EventType[] = [
  ...COUNTER,
  ...STOCK_ROOM,
  'v1.SaleVoided',
  'v1.ProductCreated',
  'v1.ProductUpdated',
  'v1.PriceChanged',
  'v1.TaxRateScheduled',
  'v1.ProductDiscontinued',
  'v1.CustomerUpdated',
  'v1.SupplierUpdated',
  'v1.SupplierPaid',
  'v1.ExpenseRecorded',
  'v1.CashMoved',
  'v1.DayClosed',
  'v1.ConflictAcknowledged',
];

/** The owner configures the shop and moves capital; devices and staff are shared with managers. */
const OWNER_ONLY: readonly EventType[] = [
  'v1.ShopConfigured',
  'v1.DeviceEnrolled',
  'v1.DeviceRevoked',
  'v1.StaffAdded',
  'v1.StaffRemoved',
  'v1.OwnerFundsMoved',
];

const ALLOWED: Record<Role, ReadonlySet<EventType>> = {
  owner: new Set([...MANAGEMENT, ...OWNER_ONLY]),
  manager: new Set([
    ...MANAGEMENT,
    'v1.DeviceEnrolled',
    'v1.DeviceRevoked',
    'v1.StaffAdded',
    'v1.StaffRemoved',
  ]),
  cashier: new Set(COUNTER),
  stockkeeper: new Set(STOCK_ROOM),
  accountant: new Set<EventType>(),
  customer: new Set<EventType>(['v1.OrderPlaced']),
};

/** Whether a person with `role` may record an event of `type`. */
export function mayRecord(role: Role, type: EventType): boolean {
  return ALLOWED[role].has(type);
}

/** Roles a manager may hand out: never owner or manager (no one promotes themselves). */
const MANAGER_GRANTS = new Set<Role>(['cashier', 'stockkeeper', 'accountant', 'customer']);

/**
 * Whether a person with `role` may record this particular event: the type must be allowed, and
 * some payloads are checked too (a manager may add a cashier but not another owner).
 */
export function mayRecordEvent(role: Role, event: DomainEvent): boolean {
  if (!mayRecord(role, event.type)) return false;
  if (event.type === 'v1.StaffAdded' && role === 'manager')
    return MANAGER_GRANTS.has(event.payload.role);
  return true;
}

/** Read access to reports: books are for owner, manager and accountant. */
export type ReadScope = 'books' | 'stock' | 'sales' | 'khata' | 'own-orders';

const READS: Record<Role, ReadonlySet<ReadScope>> = {
  owner: new Set(['books', 'stock', 'sales', 'khata']),
  manager: new Set(['books', 'stock', 'sales', 'khata']),
  accountant: new Set(['books', 'stock', 'sales', 'khata']),
  cashier: new Set(['stock', 'khata']),
  stockkeeper: new Set(['stock']),
  customer: new Set(['own-orders']),
};

/** Whether a person with `role` may read a kind of report. */
export function mayRead(role: Role, scope: ReadScope): boolean {
  return READS[role].has(scope);
}
