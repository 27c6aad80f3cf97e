/** Parked bills: a half-made bill set aside (the customer went to fetch something) and recalled later. */

export interface ParkedBill {
  id: string;
  label: string;
  lines: { productId: string; text: string }[];
  discountText: string;
}

const key = (deviceId: string): string => `smartkirana.parked.${deviceId}`;

/** The bills parked on this till. */
export function parkedBills(deviceId: string): ParkedBill[] {
  try {
    const raw = localStorage.getItem(key(deviceId));
    return raw ? (JSON.parse(raw) as ParkedBill[]) : [];
  } catch {
    return [];
  }
}

/** Park a bill; returns the new list. */
export function parkBill(deviceId: string, bill: Omit<ParkedBill, 'id' | 'label'>): ParkedBill[] {
  const list = parkedBills(deviceId);
  const next = [
    ...list,
    {
      ...bill,
      id: crypto.randomUUID(),
      label: `#${list.length + 1} ${new Date().toLocaleTimeString('en-IN', { hour: '2-digit', minute: '2-digit' })}`,
    },
  ];
  localStorage.setItem(key(deviceId), JSON.stringify(next));
  return next;
}

/** Remove a parked bill (recalled); returns the new list. */
export function unpark(deviceId: string, id: string): ParkedBill[] {
  const next = parkedBills(deviceId).filter((b) => b.id !== id);
  localStorage.setItem(key(deviceId), JSON.stringify(next));
  return next;
}
