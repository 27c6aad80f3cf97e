/**
 * Shops, devices and staff: the records behind authentication, each mirrored by an event so every
 * replica knows the shop's devices and people (`v1.ShopConfigured`, `v1.DeviceEnrolled`,
 * `v1.StaffAdded`, …). The rows are written first; the events go through the normal ingest path.
 */
import type { Role } from '@smartkirana/domain/event-fields';
import type { PayloadOf } from '@smartkirana/domain/events';
import { newId } from '@smartkirana/domain/ids';
import type { Transaction } from 'kysely';
import type { Services } from './context.ts';
import type { Database } from './db/schema.ts';
import { ApiError } from './errors.ts';
import { ingestWith, type IngestOutcome, type Sender } from './ingest.ts';
import { ServerWriter } from './server-device.ts';
import { hashSecret, randomToken, verifySecret } from './auth/secrets.ts';

export interface NewShop {
  name: string;
  stateCode: string;
  gstin?: string | undefined;
  registration: 'regular' | 'composition' | 'unregistered';
  /** UPI address customers pay to (shown as a QR at the counter). */
  upiVpa?: string | undefined;
  owner: { name: string; phone: string; password: string };
}

/** Register a shop with its owner. Throws `phone_taken` if the phone already has an account. */
export async function createShop(
  s: Services,
  input: NewShop,
): Promise<{ shopId: string; ownerId: string; serverDeviceId: string }> {
  const ownerId = newId();
  const passwordHash = await hashSecret(input.owner.password);
  return openShop(s, ownerId, input, async (trx) => {
    const taken = await trx
      .selectFrom('users')
      .select('id')
      .where('phone', '=', input.owner.phone)
      .executeTakeFirst();
    if (taken)
      throw new ApiError('phone_taken', 'this phone already has an account; sign in to add a shop');
    await trx
      .insertInto('users')
      .values({
        id: ownerId,
        phone: input.owner.phone,
        name: input.owner.name,
        password_hash: passwordHash,
        created_at: Date.now(),
        updated_at: Date.now(),
      })
      .execute();
  });
}

/** A signed-in person opens another shop and owns it (one login for several shops). */
export async function addShopFor(
  s: Services,
  ownerId: string,
  input: Omit<NewShop, 'owner'>,
): Promise<{ shopId: string; ownerId: string; serverDeviceId: string }> {
  const user = await s.db.db
    .selectFrom('users')
    .select(['name', 'phone'])
    .where('id', '=', ownerId)
    .executeTakeFirst();
  if (!user) throw new ApiError('not_found', 'no such person');
  return openShop(
    s,
    ownerId,
    { ...input, owner: { name: user.name, phone: user.phone, password: '' } },
    () => Promise.resolve(),
  );
}

/** Write a shop, its owner's membership and its server device, then mirror them as events. */
async function openShop(
  s: Services,
  ownerId: string,
  input: NewShop,
  before: (trx: Transaction<Database>) => Promise<void>,
): Promise<{ shopId: string; ownerId: string; serverDeviceId: string }> {
  const now = Date.now();
  const shopId = newId();
  const serverDeviceId = newId();
  const unusable = await hashSecret(randomToken());
  await s.db.db.transaction().execute(async (trx) => {
    await before(trx);
    await trx
      .insertInto('shops')
      .values({
        id: shopId,
        name: input.name,
        gstin: input.gstin ?? null,
        state_code: input.stateCode,
        registration: input.registration,
        seq: 0,
        server_device_id: serverDeviceId,
        created_at: now,
      })
      .execute();
    await trx
      .insertInto('memberships')
      .values({
        user_id: ownerId,
        shop_id: shopId,
        role: 'owner',
        pin_hash: null,
        created_at: now,
        removed_at: null,
        updated_at: now,
      })
      .execute();
    await trx
      .insertInto('devices')
      .values({
        id: serverDeviceId,
        shop_id: shopId,
        code: 'S01',
        name: 'Shop server',
        kind: 'server',
        secret_hash: unusable,
        created_at: now,
        revoked_at: null,
        last_seen_at: null,
        updated_at: now,
      })
      .execute();
  });
  await recordAsServer(s, shopId, ownerId, (w) => {
    w.emit('v1.ShopConfigured', {
      name: input.name,
      stateCode: input.stateCode,
      registration: input.registration,
      ...(input.gstin ? { gstin: input.gstin } : {}),
      ...(input.upiVpa ? { upiVpa: input.upiVpa } : {}),
    });
    w.emit('v1.StaffAdded', {
      userId: ownerId,
      name: input.owner.name,
      role: 'owner',
      phone: input.owner.phone,
    });
    w.emit('v1.DeviceEnrolled', {
      deviceId: serverDeviceId,
      code: 'S01',
      name: 'Shop server',
      kind: 'server',
    });
  });
  return { shopId, ownerId, serverDeviceId };
}

/** Enroll a device: it gets an id, a code for its invoice series, and a secret shown once. */
export async function enrollDevice(
  s: Services,
  shopId: string,
  actorId: string,
  input: { name: string; kind: 'till' | 'server' | 'phone' },
): Promise<{ deviceId: string; code: string; secret: string }> {
  const deviceId = newId();
  const secret = randomToken();
  const secretHash = await hashSecret(secret);
  const prefix = input.kind === 'till' ? 'T' : input.kind === 'phone' ? 'M' : 'S';
  let code = '';
  await s.db.db.transaction().execute(async (trx) => {
    // Serialize enrollments of one shop so two never pick the same code.
    const lock = trx.selectFrom('shops').select('id').where('id', '=', shopId);
    if (!(await (s.db.dialect === 'postgres' ? lock.forUpdate() : lock).executeTakeFirst()))
      throw new ApiError('not_found', 'no such shop');
    const used = new Set(
      (await trx.selectFrom('devices').select('code').where('shop_id', '=', shopId).execute()).map(
        (r) => r.code,
      ),
    );
    for (let n = 1; n <= 99 && !code; n++) {
      const candidate = `${prefix}${String(n).padStart(2, '0')}`;
      if (!used.has(candidate)) code = candidate;
    }
    if (!code) throw new ApiError('conflict', 'the shop has 99 devices of this kind already');
    await trx
      .insertInto('devices')
      .values({
        id: deviceId,
        shop_id: shopId,
        code,
        name: input.name,
        kind: input.kind,
        secret_hash: secretHash,
        created_at: Date.now(),
        revoked_at: null,
        last_seen_at: null,
        updated_at: Date.now(),
      })
      .execute();
  });
  await recordAsServer(s, shopId, actorId, (w) => {
    w.emit('v1.DeviceEnrolled', { deviceId, code, name: input.name, kind: input.kind });
  });
  return { deviceId, code, secret };
}

/** Revoke a device: it can no longer sign in as itself; what it pushes goes to quarantine. */
export async function revokeDevice(
  s: Services,
  shopId: string,
  actorId: string,
  deviceId: string,
  reason?: string,
): Promise<void> {
  const result = await s.db.db
    .updateTable('devices')
    .set({ revoked_at: Date.now(), updated_at: Date.now() })
    .where('id', '=', deviceId)
    .where('shop_id', '=', shopId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    const exists = await s.db.db
      .selectFrom('devices')
      .select('id')
      .where('id', '=', deviceId)
      .where('shop_id', '=', shopId)
      .executeTakeFirst();
    if (!exists) throw new ApiError('not_found', 'no such device');
    return;
  }
  await recordAsServer(s, shopId, actorId, (w) => {
    w.emit('v1.DeviceRevoked', { deviceId, ...(reason ? { reason } : {}) });
  });
}

/** Check a device's secret; returns the device row or throws `invalid_credentials`. */
export async function authenticateDevice(s: Services, deviceId: string, secret: string) {
  const device = await s.db.db
    .selectFrom('devices')
    .selectAll()
    .where('id', '=', deviceId)
    .executeTakeFirst();
  // Verify against a dummy hash when the device is unknown, so timing does not reveal which ids exist.
  const ok = await verifySecret(device?.secret_hash ?? DUMMY_HASH, secret);
  // Nobody signs in here as this server's own identity (it records the server's REST writes).
  const own =
    device?.kind === 'server' &&
    (device.code === 'S01' ||
      (await s.db.db
        .selectFrom('shops')
        .select('id')
        .where('server_device_id', '=', device.id)
        .executeTakeFirst()) !== undefined);
  if (!device || !ok || own)
    throw new ApiError('invalid_credentials', 'device id or secret is wrong');
  return device;
}

/** Add a person to a shop (creating their account if the phone is new). */
export async function addStaff(
  s: Services,
  shopId: string,
  actorId: string,
  input: {
    name: string;
    phone: string;
    role: Role;
    pin?: string | undefined;
    password?: string | undefined;
  },
): Promise<{ userId: string }> {
  const { db } = s.db;
  const pinHash = input.pin ? await hashSecret(input.pin) : null;
  const passwordHash = input.password ? await hashSecret(input.password) : null;
  let userId = '';
  await db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('users')
      .select('id')
      .where('phone', '=', input.phone)
      .executeTakeFirst();
    userId = existing?.id ?? newId();
    if (existing) {
      // Adding someone who is already active in the shop must not silently change their role.
      const member = await trx
        .selectFrom('memberships')
        .select(['removed_at'])
        .where('user_id', '=', existing.id)
        .where('shop_id', '=', shopId)
        .executeTakeFirst();
      if (member && member.removed_at === null)
        throw new ApiError('conflict', 'this person is already staff of the shop');
    }
    if (!existing)
      await trx
        .insertInto('users')
        .values({
          id: userId,
          phone: input.phone,
          name: input.name,
          password_hash: passwordHash,
          created_at: Date.now(),
          updated_at: Date.now(),
        })
        .execute();
    await trx
      .insertInto('memberships')
      .values({
        user_id: userId,
        shop_id: shopId,
        role: input.role,
        pin_hash: pinHash,
        created_at: Date.now(),
        removed_at: null,
        updated_at: Date.now(),
      })
      .onConflict((oc) =>
        oc.columns(['user_id', 'shop_id']).doUpdateSet({
          role: input.role,
          pin_hash: pinHash,
          removed_at: null,
          updated_at: Date.now(),
        }),
      )
      .execute();
  });
  const payload: PayloadOf<'v1.StaffAdded'> = {
    userId,
    name: input.name,
    role: input.role,
    phone: input.phone,
  };
  await recordAsServer(s, shopId, actorId, (w) => {
    w.emit('v1.StaffAdded', payload);
  });
  return { userId };
}

/** Record events as the shop's server device, acting for `actorId`, and notify live streams. */
export async function recordAsServer(
  s: Services,
  shopId: string,
  actorId: string,
  build: (w: ServerWriter) => void | Promise<void>,
): Promise<IngestOutcome> {
  const shop = await s.db.db
    .selectFrom('shops')
    .select('server_device_id')
    .where('id', '=', shopId)
    .executeTakeFirst();
  if (!shop) throw new ApiError('not_found', 'no such shop');
  const sender: Sender = {
    shopId,
    deviceId: shop.server_device_id,
    kind: 'server',
    revoked: false,
  };
  const outcome = await ingestWith(s.db, s.cache, sender, async (ctx) => {
    const writer = await ServerWriter.open(ctx, shopId, actorId);
    await build(writer);
    return writer.events;
  }).catch((err: unknown) => {
    // Folding it would take a stock value or balance beyond what the books hold exactly.
    if (err instanceof RangeError)
      throw new ApiError(
        'validation_failed',
        'amounts or quantities too large for the books',
        undefined,
        { cause: err },
      );
    throw err;
  });
  const refused = outcome.results.find(
    (r) => r.status === 'quarantined' || r.status === 'rejected',
  );
  if (refused?.status === 'quarantined' || refused?.status === 'rejected')
    throw new ApiError('forbidden', refused.reason);
  if (outcome.accepted.length > 0) s.feed.publish(shopId, outcome.seq);
  return outcome;
}

const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Wq6YtKt3xJ1Jv2h0d3mYQ0lHq2c8a1Xz0m8b3c4d5e4';
