/**
 * The till's session: its enrolled credential (kept on this device), the open `Till`, and the
 * person signed in. Enrollment needs the network once; everything after works offline.
 *
 * The credential is what names the till's database, so losing it strands every unsynced sale in a
 * database nothing opens. It is kept in IndexedDB, committed before the till opens: Chromium writes
 * localStorage to disk only seconds after a change, and a browser killed in that window comes back
 * without it. localStorage keeps a copy, and the key other tests and tools read.
 */
import { Till, type TillCredential } from '@smartkirana/client/till';
import { signal } from './signal.ts';

const KEY = 'smartkirana.credential';
const DEVICE_DB = 'smartkirana-device';
const STORE = 'credential';

export const till = signal<Till | undefined>(undefined);

/**
 * The credential this browser was enrolled with, if any: from IndexedDB, else from localStorage (a
 * till enrolled before the credential was kept in IndexedDB, which is then copied there).
 */
export async function loadCredential(): Promise<TillCredential | undefined> {
  const local = localCredential();
  const durable = await readDurable();
  if (local && !durable) await writeDurable(local);
  if (durable && !local) localStorage.setItem(KEY, JSON.stringify(durable));
  return durable ?? local;
}

function localCredential(): TillCredential | undefined {
  const raw = localStorage.getItem(KEY);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as TillCredential;
  } catch {
    return undefined;
  }
}

/** Owner signs in, enrolls this browser as a till, and (optionally) sets their own PIN. */
export async function enroll(input: {
  phone: string;
  password: string;
  tillName: string;
  pin: string;
}): Promise<void> {
  const serverUrl = location.origin;
  const login = await post<{ accessToken: string; user: { id: string }; shop: { id: string } }>(
    '/api/v1/auth/login',
    { phone: input.phone, password: input.password },
  );
  const auth = { authorization: `Bearer ${login.accessToken}` };
  const device = await post<{ deviceId: string; code: string; secret: string }>(
    '/api/v1/devices',
    { name: input.tillName, kind: 'till' },
    auth,
  );
  if (input.pin)
    await request('PUT', `/api/v1/staff/${login.user.id}/pin`, { pin: input.pin }, auth);
  const credential: TillCredential = {
    serverUrl,
    shopId: login.shop.id,
    deviceId: device.deviceId,
    code: device.code,
    secret: device.secret,
  };
  await writeDurable(credential);
  localStorage.setItem(KEY, JSON.stringify(credential));
  await openTill(credential);
}

/** Open the till's local replica and start syncing. */
export async function openTill(credential: TillCredential): Promise<Till> {
  const opened = await Till.open({ credential, multiInstance: true });
  await opened.storage().catch(() => undefined);
  till.value = opened;
  opened.refreshStaff().catch(() => undefined);
  return opened;
}

async function post<T>(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  return request<T>('POST', path, body, headers);
}

async function request<T>(
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!res.ok) throw new Error(json.error?.message ?? `request failed (${res.status})`);
  return json as T;
}

function openDeviceDb(): Promise<IDBDatabase> {
  return new Promise((ok, fail) => {
    const req = indexedDB.open(DEVICE_DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => ok(req.result);
    req.onerror = () => fail(req.error ?? new Error(`cannot open ${DEVICE_DB}`));
  });
}

async function readDurable(): Promise<TillCredential | undefined> {
  const db = await openDeviceDb();
  try {
    return await new Promise((ok, fail) => {
      const req = db.transaction(STORE, 'readonly').objectStore(STORE).get(KEY);
      req.onsuccess = () => ok(req.result as TillCredential | undefined);
      req.onerror = () => fail(req.error ?? new Error('cannot read the till credential'));
    });
  } finally {
    db.close();
  }
}

/** Store the credential; resolves once the write is committed (flushed to disk where supported). */
async function writeDurable(credential: TillCredential): Promise<void> {
  const db = await openDeviceDb();
  try {
    await new Promise<void>((ok, fail) => {
      const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
      tx.objectStore(STORE).put(credential, KEY);
      tx.oncomplete = () => ok();
      tx.onerror = () => fail(tx.error ?? new Error('cannot store the till credential'));
      tx.onabort = () => fail(tx.error ?? new Error('storing the till credential was aborted'));
    });
  } finally {
    db.close();
  }
}
