import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkReceiptArithmetic, priceReceipt, type PurchaseLine } from './purchase-pricing.ts';

const TEA = '0190e8a2-7b3c-7d4e-8f5a-1b2c3d4e5f61';
const RICE = '0190e8a2-7b3c-7d4e-8f5a-1b2c3d4e5f62';

const line = (over: Partial<PurchaseLine> = {}): PurchaseLine => ({
  productId: TEA,
  qty: 24,
  unitCost: 12_000,
  per: 1,
  rateBps: 500,
  ...over,
});

describe('priceReceipt', () => {
  it('24 packets at ₹120 pre-tax, 5 % intra-state: ₹2,880 + ₹72 CGST + ₹72 SGST', () => {
    expect(priceReceipt([line()], 'intra')).toEqual({
      lines: [
        {
          productId: TEA,
          qty: 24,
          taxable: 288_000,
          rateBps: 500,
          cgst: 7200,
          sgst: 7200,
          igst: 0,
        },
      ],
      total: 302_400,
    });
  });

  it('from another state the same line carries IGST', () => {
    const { lines, total } = priceReceipt([line()], 'inter');
    expect(lines[0]).toMatchObject({ taxable: 288_000, cgst: 0, sgst: 0, igst: 14_400 });
    expect(total).toBe(302_400);
  });

  it('costs loose goods per kg: 2.5 kg of rice at ₹80.01/kg rounds to the paisa', () => {
    const { lines } = priceReceipt(
      [line({ productId: RICE, qty: 2500, unitCost: 8001, per: 1000, rateBps: 0 })],
      'intra',
    );
    expect(lines[0]).toMatchObject({ taxable: 20_003, cgst: 0, sgst: 0, igst: 0 }); // 20 002.5
  });

  it("takes the supplier's line amount over the unit cost", () => {
    const { lines } = priceReceipt([line({ qty: 50, cost: 700_000, rateBps: 500 })], 'intra');
    expect(lines[0]).toMatchObject({ taxable: 700_000, cgst: 17_500, sgst: 17_500 });
  });

  it('keeps a batch and an expiry, and drops an empty expiry', () => {
    const [kept, dropped] = priceReceipt(
      [line({ batch: 'B7', expiry: '2026-12-31' }), line({ expiry: '' })],
      'intra',
    ).lines;
    expect(kept).toMatchObject({ batch: 'B7', expiry: '2026-12-31' });
    expect(dropped).not.toHaveProperty('expiry');
    expect(dropped).not.toHaveProperty('batch');
  });

  it('refuses amounts beyond the safe-integer range', () => {
    expect(() => priceReceipt([line({ qty: 1e12, unitCost: 1e13 })], 'intra')).toThrow(RangeError);
  });

  it('always passes its own arithmetic check, with the total the sum of the lines', () => {
    const lineArb = fc.record({
      productId: fc.constant(TEA),
      qty: fc.integer({ min: 1, max: 1_000_000 }),
      unitCost: fc.integer({ min: 0, max: 10_000_000 }),
      per: fc.constantFrom(1, 1000),
      rateBps: fc.constantFrom(0, 250, 500, 1200, 1800, 2800, 4000),
    });
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 20 }),
        fc.constantFrom('intra' as const, 'inter' as const),
        (lines, supply) => {
          const receipt = priceReceipt(lines, supply);
          expect(checkReceiptArithmetic(receipt)).toEqual([]);
          receipt.lines.forEach((l, i) => {
            const input = lines[i];
            // The exact rounding the till once did with floats, for every amount it could meet.
            if (input) expect(l.taxable).toBe(Math.round((input.unitCost * input.qty) / input.per));
            expect(supply === 'inter' ? l.cgst + l.sgst : l.igst).toBe(0);
          });
        },
      ),
    );
  });
});

describe('checkReceiptArithmetic', () => {
  it('accepts a supplier rounding a tax head by one paisa, and reports a wrong total', () => {
    const { lines, total } = priceReceipt(
      [line({ qty: 3, unitCost: 333, rateBps: 1800 })],
      'intra',
    );
    const first = lines[0];
    if (!first) throw new Error('no line');
    const rounded = { ...first, cgst: first.cgst + 1 };
    expect(checkReceiptArithmetic({ lines: [rounded], total: total + 1 })).toEqual([]);
    expect(checkReceiptArithmetic({ lines: [{ ...first, cgst: first.cgst + 2 }], total })).toEqual([
      { path: ['lines', 0, 'cgst'], message: `expected ${first.cgst}` },
      { path: ['total'], message: `expected ${total + 2}` },
    ]);
  });
});
