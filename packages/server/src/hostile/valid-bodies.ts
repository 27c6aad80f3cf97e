/**
 * A valid body for each write route, naming a shop's own records. An attack that is refused with a
 * valid body proves the refusal came from the access check, not from input validation: a 403 or
 * 404 here cannot be a 422 in disguise. Routes missing from the table are sent `{}`; the few that
 * need a query string or a fixed path parameter to be valid get one too.
 */
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';

type Ids = Readonly<Record<string, string>>;

const BODIES: Record<string, (ids: Ids) => unknown> = {
  'POST /api/v1/products': () => ({ ...DEMO_PRODUCTS[2], sku: 'HOSTILE-1', barcode: undefined }),
  'PATCH /api/v1/products/:productId': () => ({ name: 'Renamed by an attacker' }),
  'POST /api/v1/products/:productId/price': () => ({ sellingPrice: 1 }),
  'POST /api/v1/sales': (ids) => ({ lines: [{ productId: ids.productId, qty: 1 }] }),
  'POST /api/v1/sales/:saleId/void': () => ({ reason: 'voided by an attacker' }),
  'POST /api/v1/sales/:saleId/refund': () => ({ lines: [{ line: 0, qty: 1 }] }),
  'POST /api/v1/orders': (ids) => ({ lines: [{ productId: ids.productId, qty: 1 }] }),
  'POST /api/v1/orders/:orderId/status': () => ({ status: 'cancelled' }),
  'POST /api/v1/inventory/receipts': (ids) => ({
    paidBy: 'opening',
    lines: [{ productId: ids.productId, qty: 1 }],
  }),
  'POST /api/v1/inventory/adjustments': (ids) => ({
    productId: ids.productId,
    qtyDelta: -1,
    reason: 'damage',
  }),
  'POST /api/v1/inventory/counts': (ids) => ({ productId: ids.productId, countedQty: 1 }),
  'POST /api/v1/customers': () => ({ name: 'Planted Customer' }),
  'PATCH /api/v1/customers/:customerId': () => ({ creditLimit: 999_999_00 }),
  'POST /api/v1/customers/:customerId/payments': () => ({ amount: 100, mode: 'cash' }),
  'POST /api/v1/suppliers': () => ({ name: 'Planted Supplier' }),
  'PATCH /api/v1/suppliers/:supplierId': () => ({ name: 'Renamed Supplier' }),
  'POST /api/v1/suppliers/:supplierId/payments': () => ({ amount: 100, mode: 'bank' }),
  'POST /api/v1/expenses': () => ({ category: 'rent', amount: 100, mode: 'cash' }),
  'POST /api/v1/conflicts/:conflictId{.+}/resolve': () => ({
    action: 'acknowledge',
    note: 'acknowledged by an attacker',
  }),
  'PATCH /api/v1/staff/:userId': () => ({ role: 'manager' }),
  'PUT /api/v1/staff/:userId/pin': () => ({ pin: '2468' }),
  'POST /api/v1/staff': () => ({ name: 'Planted', phone: '6999999999', role: 'cashier' }),
  'POST /api/v1/devices': () => ({ name: 'Planted till', kind: 'till' }),
  'PATCH /api/v1/shop': () => ({ name: 'Renamed Shop' }),
  'POST /api/v1/shops': () => ({ name: 'Second Shop', stateCode: '27' }),
  'POST /sync/v1/enroll': (ids) => ({ name: 'Planted', kind: 'till', actorId: ids.actorId }),
  'POST /api/v1/auth/switch-shop': (ids) => ({ shopId: ids.shopId }),
  'POST /api/v1/auth/logout': () => ({}),
  'PATCH /api/v1/auth/me': () => ({ name: 'Renamed Person' }),
};

/** Path parameters that name no record (an enum such as a GSTR-1 section): a valid value each. */
export const FIXED_PARAMS: Readonly<Record<string, string>> = { section: 'b2b' };

/** Query strings a route needs to get past validation, by route. */
const QUERIES: Record<string, string> = { 'GET /api/v1/ledger': 'account=sales' };

/** A valid query string for `routeKey` (without `?`), often empty. */
export function validQuery(routeKey: string): string {
  return QUERIES[routeKey] ?? '';
}

/** A valid body for `routeKey` naming the records in `ids`, or `{}` when the table has none. */
export function validBody(routeKey: string, ids: Ids): unknown {
  return BODIES[routeKey]?.(ids) ?? {};
}
