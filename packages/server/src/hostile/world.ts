/**
 * The world hostile tests attack: a real server on a fresh database with two shops that hold real
 * records (products, a customer, a supplier, stock, a khata sale, an order), and every kind of
 * credential an attacker might hold or forge — a shop's owner and cashier, its till, phone and
 * shop-server devices, a revoked till, another shop's owner and till, expired, forged and `alg: none`
 * tokens. Every plaintext secret the world used is listed, so tests can prove none reaches a log or
 * an error.
 */
import { SignJWT } from 'jose';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import type { Role } from '@smartkirana/domain/event-fields';
import type { DialectName } from '../db/connect.ts';
import { AUDIENCE, ISSUER, signAccessToken } from '../auth/tokens.ts';
import { addStaff, enrollDevice } from '../shops.ts';
import {
  createTestShop,
  pushRequest,
  startTestServer,
  type TestServer,
  type TestShop,
} from '../testing/index.ts';

/** The credentials a request may carry, by name. */
export const TOKEN_NAMES = [
  'ownerA',
  'cashierA',
  'tillA',
  'phoneA',
  'serverA',
  'revokedTillA',
  'ownerB',
  'tillB',
  'expiredOwnerA',
  'futureOwnerA',
  'forgedOwnerA',
  'noneOwnerA',
  'refreshAsAccessA',
  'garbage',
] as const;
export type TokenName = (typeof TOKEN_NAMES)[number];

/** A password for a shop's owner (createTestShop's). */
export const OWNER_PASSWORD = 'correct horse';
/** A till sign-in PIN set through the API during set-up. */
export const CASHIER_PIN = '739146';

export interface World {
  server: TestServer;
  a: TestShop;
  b: TestShop;
  /** Ids of each shop's records by the route parameter and body field names that take them. */
  ids: { a: Record<string, string>; b: Record<string, string> };
  phones: { ownerA: string; cashierA: string; ownerB: string };
  tokens: Record<TokenName, string>;
  /** A user token of shop A for a person of each role. */
  roles: Record<Role, string>;
  /** Every plaintext secret used: passwords, PIN, OTP code, refresh tokens, device secrets, JWTs. */
  secrets: string[];
  /** Refresh tokens of shop A's owner (from a password and an OTP sign-in). */
  refreshTokens: string[];
  /** Device ids of shop A beyond its first till. */
  devices: { phoneA: string; serverA: string; revokedTillA: string };
}

/** Start a server of `dialect` and build the world in it; close `world.server` when done. */
export async function buildWorld(
  dialect: DialectName,
  env: Record<string, string> = {},
): Promise<World> {
  const server = await startTestServer(dialect, { PUSH_RATE_PER_MINUTE: '100000', ...env });
  try {
    return await populate(server);
  } catch (err) {
    await server.close();
    throw err;
  }
}

async function populate(server: TestServer): Promise<World> {
  const s = server.services;
  const phoneA = uniquePhone('9');
  const phoneB = uniquePhone('9');
  const a = await createTestShop(server, { phone: phoneA, seed: 31 });
  const b = await createTestShop(server, { phone: phoneB, seed: 32 });
  const ids = { a: await records(server, a, 'A'), b: await records(server, b, 'B') };
  const secrets: string[] = [OWNER_PASSWORD, CASHIER_PIN, a.till.secret, b.till.secret];

  const enroll = async (kind: 'phone' | 'server' | 'till') => {
    const d = await enrollDevice(s, a.shopId, a.ownerId, { name: `Hostile ${kind}`, kind });
    secrets.push(d.secret);
    const token = await signAccessToken(s.jwtKey, {
      typ: 'device',
      sub: d.deviceId,
      shop: a.shopId,
    });
    return { ...d, token };
  };
  const phone = await enroll('phone');
  const box = await enroll('server');
  const revoked = await enroll('till');

  const json = { 'content-type': 'application/json' };
  const call = async (method: string, path: string, body: unknown, token?: string) => {
    const res = await server.app.request(path, {
      method,
      headers: token === undefined ? json : { ...json, authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  await call('DELETE', `/api/v1/devices/${revoked.deviceId}`, undefined, a.ownerToken);
  ids.a.eventId = await quarantineOne(server, a, revoked);
  await call('PUT', `/api/v1/staff/${a.cashierId}/pin`, { pin: CASHIER_PIN }, a.ownerToken);
  // Real sessions: a refresh token from a password sign-in and one from an OTP sign-in.
  const byPassword = await call('POST', '/api/v1/auth/login', {
    phone: phoneA,
    password: OWNER_PASSWORD,
  });
  await call('POST', '/api/v1/auth/otp/send', { phone: phoneA });
  const code = server.otp.sent.get(phoneA);
  if (code === undefined) throw new Error('no OTP was sent');
  const byOtp = await call('POST', '/api/v1/auth/otp/verify', { phone: phoneA, code });
  const refreshA = String(byPassword.refreshToken);
  secrets.push(code, refreshA, String(byOtp.refreshToken));

  const tokens: Record<TokenName, string> = {
    ownerA: String(byPassword.accessToken),
    cashierA: a.cashierToken,
    tillA: a.till.token,
    phoneA: phone.token,
    serverA: box.token,
    revokedTillA: revoked.token,
    ownerB: b.ownerToken,
    tillB: b.till.token,
    ...(await hostileTokens(s.jwtKey, a)),
    refreshAsAccessA: refreshA,
    garbage: 'x'.repeat(40),
  };
  secrets.push(...Object.values(tokens).filter((t) => t !== tokens.garbage));
  const roles: Record<Role, string> = {
    owner: a.ownerToken,
    cashier: a.cashierToken,
    manager: '',
    stockkeeper: '',
    accountant: '',
    customer: '',
  };
  for (const role of ['manager', 'stockkeeper', 'accountant', 'customer'] as const) {
    const { userId } = await addStaff(s, a.shopId, a.ownerId, {
      name: `A ${role}`,
      phone: uniquePhone('6'),
      role,
    });
    roles[role] = await signAccessToken(s.jwtKey, {
      typ: 'user',
      sub: userId,
      shop: a.shopId,
      role,
    });
  }
  secrets.push(...Object.values(roles));
  return {
    server,
    a,
    b,
    ids,
    phones: { ownerA: phoneA, cashierA: `8${phoneA.slice(1)}`, ownerB: phoneB },
    tokens,
    roles,
    secrets,
    refreshTokens: [refreshA, String(byOtp.refreshToken)],
    devices: { phoneA: phone.deviceId, serverA: box.deviceId, revokedTillA: revoked.deviceId },
  };
}

/** Tokens for shop A's owner that must all be refused: expired, not yet valid, forged, unsigned. */
async function hostileTokens(key: Uint8Array, a: TestShop) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { typ: 'user', shop: a.shopId, role: 'owner' };
  const base = () =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(a.ownerId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return {
    expiredOwnerA: await base()
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(key),
    futureOwnerA: await base()
      .setNotBefore(now + 3600)
      .setExpirationTime(now + 7200)
      .sign(key),
    forgedOwnerA: await base()
      .setExpirationTime(now + 3600)
      .sign(new TextEncoder().encode('an attacker guessed this key, wrongly')),
    noneOwnerA: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, sub: a.ownerId, iss: ISSUER, aud: AUDIENCE, exp: now + 3600 })}.`,
  };
}

/** Records of a shop pushed by its till; their ids keyed by the names routes use for them. */
async function records(
  server: TestServer,
  shop: TestShop,
  label: string,
): Promise<Record<string, string>> {
  const t = shop.tillSim;
  t.actorId = shop.ownerId;
  const product = t.createProduct(DEMO_PRODUCTS[1]);
  const customer = t.createCustomer(`Hostile Customer ${label}`, 100_000);
  const supplier = t.createSupplier(`Hostile Supplier ${label}`);
  const productId = product.payload.productId;
  const receipt = t.receiveStock([{ productId, qty: 5_000 }], { paidBy: 'opening' });
  const sale = t.sell([{ productId, qty: 2_000 }], {
    pay: 'khata',
    customerId: customer.payload.customerId,
  });
  const oversell = t.sell([{ productId, qty: 4_000 }], { pay: 'cash' });
  const order = t.emit('v1.OrderPlaced', {
    orderId: crypto.randomUUID(),
    channel: 'phone',
    lines: [{ productId, qty: 1 }],
  });
  const events = [product, customer, supplier, receipt, sale, oversell, order];
  const res = await server.app.request('/sync/v1/push', pushRequest(shop.till.token, events));
  if (res.status !== 200) throw new Error(`populating a shop: ${res.status} ${await res.text()}`);
  const conflictId = `oversell:${productId}:${oversell.id}`;
  return {
    productId,
    customerId: customer.payload.customerId,
    supplierId: supplier.payload.supplierId,
    saleId: sale.id,
    orderId: order.payload.orderId,
    invoiceNo: sale.payload.invoiceNo,
    userId: shop.cashierId,
    actorId: shop.ownerId,
    deviceId: shop.till.deviceId,
    shopId: shop.shopId,
    conflictId,
    eventId: sale.id,
  };
}

/** A revoked till pushes a customer: it is kept in quarantine; returns the event's id. */
async function quarantineOne(
  server: TestServer,
  shop: TestShop,
  device: { deviceId: string; code: string; token: string },
): Promise<string> {
  const sim = shop.sim.addDevice(device.code, { deviceId: device.deviceId, actorId: shop.ownerId });
  const event = sim.createCustomer('Held Customer');
  const res = await server.app.request('/sync/v1/push', pushRequest(device.token, [event]));
  const body = (await res.json()) as { results?: { status: string }[] };
  if (body.results?.[0]?.status !== 'quarantined') throw new Error('the event was not quarantined');
  return event.id;
}

let phoneCounter = 0;

/** A 10-digit mobile number unique within this process, starting with `first`. */
export function uniquePhone(first: '6' | '7' | '9'): string {
  phoneCounter += 1;
  const rest = `${String(process.pid % 10_000).padStart(4, '0')}${String(phoneCounter).padStart(5, '0')}`;
  return `${first}${rest}`;
}
