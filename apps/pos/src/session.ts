/**
 * The till's session: its enrolled credential (kept on this device), the open `Till`, and the
 * person signed in. Enrollment needs the network once; everything after works offline.
 */
import { Till, type TillCredential } from '@smartkirana/client/till';
import { signal } from './signal.ts';

const KEY = 'smartkirana.credential';

export const till = signal<Till | undefined>(undefined);

/** The stored credential, if this browser was enrolled as a till. */
export function storedCredential(): TillCredential | undefined {
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
