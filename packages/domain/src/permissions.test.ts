import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from './events.ts';
import { mayRead, mayRecord, mayRecordEvent } from './permissions.ts';
import { ShopSim } from './testing/shop-sim.ts';

describe('permissions', () => {
  it('a cashier sells but cannot change prices, void, or read the books', () => {
    expect(mayRecord('cashier', 'v1.SaleCompleted')).toBe(true);
    expect(mayRecord('cashier', 'v1.PriceChanged')).toBe(false);
    expect(mayRecord('cashier', 'v1.SaleVoided')).toBe(false);
    expect(mayRead('cashier', 'books')).toBe(false);
  });

  it('an accountant reads the books and records nothing', () => {
    expect(EVENT_TYPES.filter((t) => mayRecord('accountant', t))).toEqual([]);
    expect(mayRead('accountant', 'books')).toBe(true);
  });

  it('only the owner configures the shop and moves capital; the owner may do everything a manager may', () => {
    for (const t of ['v1.ShopConfigured', 'v1.OwnerFundsMoved'] as const) {
      expect(mayRecord('owner', t)).toBe(true);
      expect(mayRecord('manager', t)).toBe(false);
    }
    for (const t of EVENT_TYPES)
      if (mayRecord('manager', t)) expect(mayRecord('owner', t)).toBe(true);
  });

  it('a manager may add a cashier but not another owner or manager', () => {
    const owner = new ShopSim({ seed: 2 }).addDevice('M01');
    expect(mayRecordEvent('manager', owner.addStaff('Ravi', 'cashier'))).toBe(true);
    expect(mayRecordEvent('manager', owner.addStaff('Ravi', 'owner'))).toBe(false);
    expect(mayRecordEvent('manager', owner.addStaff('Ravi', 'manager'))).toBe(false);
    expect(mayRecordEvent('owner', owner.addStaff('Ravi', 'manager'))).toBe(true);
  });
});
