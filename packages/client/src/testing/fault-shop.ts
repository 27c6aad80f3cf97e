/**
 * The shop the fault tests sell in: an owner, a cashier, `tills` enrolled tills, four demo products
 * with opening stock and two khata customers, all set up through the server's own routes.
 */
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import { enrollDevice } from '@smartkirana/server/shops';
import { createTestShop, type TestServer } from '@smartkirana/server/testing';
import type { TillCredential } from '../till.ts';
import type { Catalog } from './counter-work.ts';

export interface FaultShop {
  shopId: string;
  cashierId: string;
  cashierPin: string;
  /** One per till, pointing at the server they were set up on (tests point them elsewhere). */
  credentials: TillCredential[];
  catalog: Catalog;
}

/** Set up the shop on a running server. */
export async function setUpFaultShop(
  server: TestServer,
  tills: number,
  seed: number,
): Promise<FaultShop> {
  const shop = await createTestShop(server, { seed });
  const credentials: TillCredential[] = [
    { serverUrl: server.url, shopId: shop.shopId, ...shop.till },
  ];
  for (let i = 2; i <= tills; i++) {
    const t = await enrollDevice(server.services, shop.shopId, shop.ownerId, {
      name: `Counter ${i}`,
      kind: 'till',
    });
    credentials.push({ serverUrl: server.url, shopId: shop.shopId, ...t });
  }
  const asOwner = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await server.app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${shop.ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const productIds: string[] = [];
  for (const spec of DEMO_PRODUCTS.slice(0, 4))
    productIds.push((await asOwner<{ productId: string }>('/api/v1/products', spec)).productId);
  await asOwner('/api/v1/inventory/receipts', {
    paidBy: 'opening',
    lines: productIds.map((productId) => ({ productId, qty: 500_000 })),
  });
  const customerIds: string[] = [];
  for (const name of ['Meena', 'Ravi'])
    customerIds.push(
      (await asOwner<{ customerId: string }>('/api/v1/customers', { name, creditLimit: 5_000_000 }))
        .customerId,
    );
  return {
    shopId: shop.shopId,
    cashierId: shop.cashierId,
    cashierPin: '1234',
    credentials: credentials.map(({ serverUrl, shopId, deviceId, code, secret }) => ({
      serverUrl,
      shopId,
      deviceId,
      code,
      secret,
    })),
    catalog: { productIds, customerIds },
  };
}
