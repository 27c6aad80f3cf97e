/**
 * The counter: search (name, SKU, barcode — a keyboard-wedge scanner types the code and Enter),
 * a bill with piece and loose items, MRP-inclusive GST, a bill discount (a manager's PIN above
 * 5 %), tender in one or several modes, park and recall, and the receipt. Keyboard-first: focus
 * stays in the search box.
 */
import type { Till } from '@smartkirana/client/till';
import type { CartItem } from '@smartkirana/client/till-commands';
import type { EventOfType } from '@smartkirana/domain/events';
import { formatINR } from '@smartkirana/domain/money';
import { formatQty, parseQty } from '@smartkirana/domain/quantity';
import { stockSummary, type StockRow } from '@smartkirana/domain/reports-stock';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { parkBill, parkedBills, type ParkedBill, unpark } from './parked.ts';
import { Receipt } from './receipt.tsx';
import { CameraScanner, cameraScanSupported } from './scanner.tsx';
import { ReturnsPanel } from './returns.tsx';
import { emptyTender, paymentsFor, safeRupees, TenderPanel, type TenderState } from './tender.tsx';

/** Above this share of the bill a discount needs a manager's PIN. */
const DISCOUNT_LIMIT_PCT = 5;

interface Line {
  productId: string;
  text: string;
  /** Line discount in rupees as typed. */
  discount?: string;
}

export function Counter({ till }: { till: Till }) {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const sub = till.version$.subscribe((v) => setVersion(v));
    return () => sub.unsubscribe();
  }, [till]);
  const products = useMemo(() => stockSummary(till.projection).rows, [till, version]);
  const customers = useMemo(
    () =>
      [...till.projection.customers.ids()].map((id) => ({
        id,
        name: till.projection.customers.get(id)?.get('name') ?? id,
      })),
    [till, version],
  );
  const [query, setQuery] = useState('');
  const [lines, setLines] = useState<Line[]>([]);
  const [tender, setTender] = useState<TenderState>(emptyTender);
  const [discountText, setDiscountText] = useState('');
  const [managerPin, setManagerPin] = useState('');
  const [sale, setSale] = useState<EventOfType<'v1.SaleCompleted'> | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [parked, setParked] = useState<ParkedBill[]>(() => parkedBills(till.credential.deviceId));
  const [returns, setReturns] = useState(false);
  const [upiRef, setUpiRef] = useState(() => newRef());
  const search = useRef<HTMLInputElement>(null);
  const [scanning, setScanning] = useState(false);

  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (!q) return products.slice(0, 12);
    const barcode = products.filter(
      (p) => till.projection.products.get(p.productId)?.get('barcode') === q,
    );
    if (barcode.length > 0) return barcode;
    return products
      .filter((p) => p.name.toLowerCase().includes(q) || p.sku.toLowerCase().includes(q))
      .slice(0, 12);
  }, [query, products, till]);

  const items: CartItem[] = [];
  for (const l of lines) {
    const row = products.find((p) => p.productId === l.productId);
    const qty = row ? toBase(l.text, row) : undefined;
    const lineDiscount = l.discount ? safeRupees(l.discount) : undefined;
    if (qty) items.push({ productId: l.productId, qty, ...(lineDiscount ? { lineDiscount } : {}) });
  }
  const billDiscount = safeRupees(discountText) ?? 0;
  let quote: ReturnType<Till['commands']['quote']> | undefined;
  try {
    quote = items.length > 0 ? till.commands.quote({ items, billDiscount }) : undefined;
  } catch {
    quote = undefined;
  }
  const tax = quote ? quote.lines.reduce((s, l) => s + l.cgst + l.sgst + l.igst, 0) : 0;
  // Every discount on the bill, line and bill-level, counts towards the approval limit.
  const discounts = quote ? quote.lines.reduce((s, l) => s + l.discount, 0) : 0;
  const gross = quote ? quote.subtotal + discounts : 0;
  const needsApproval = discounts * 100 > gross * DISCOUNT_LIMIT_PCT;

  const add = (row: StockRow): void => {
    setLines((ls) => {
      const i = ls.findIndex((l) => l.productId === row.productId);
      if (i >= 0 && row.unit === 'pc')
        return ls.map((l, j) => (j === i ? { ...l, text: String(Number(l.text) + 1) } : l));
      return i >= 0 ? ls : [...ls, { productId: row.productId, text: '1' }];
    });
    setQuery('');
    search.current?.focus();
  };

  const reset = (): void => {
    setLines([]);
    setTender(emptyTender());
    setDiscountText('');
    setManagerPin('');
    setUpiRef(newRef());
  };

  const complete = async (): Promise<void> => {
    if (!quote) return;
    setError(undefined);
    try {
      if (needsApproval && !(await till.approve(managerPin))) throw new Error(t('needsApproval'));
      const { payments, error: payError } = paymentsFor(tender, quote.total, upiRef);
      if (payError) throw new Error(payError);
      const cash = payments.filter((p) => p.mode === 'cash').reduce((s, p) => s + p.amount, 0);
      const tendered = safeRupees(tender.tendered);
      const done = await till.commands.sell({
        items,
        billDiscount,
        pay: payments,
        ...(tender.customerId && payments.some((p) => p.mode === 'khata')
          ? { customerId: tender.customerId }
          : {}),
        ...(cash > 0 && tendered !== undefined && tendered >= cash ? { tendered: tendered } : {}),
      });
      setSale(done);
      reset();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  if (sale) return <Receipt till={till} sale={sale} onDone={() => setSale(undefined)} />;
  if (returns) return <ReturnsPanel till={till} onDone={() => setReturns(false)} />;

  return (
    <div
      class="counter"
      onKeyDown={(e) => {
        // Keyboard-first: F9 or Ctrl+Enter completes the sale, F8 parks it.
        if (e.key === 'F9' || (e.key === 'Enter' && e.ctrlKey)) {
          e.preventDefault();
          void complete();
        } else if (e.key === 'F8' && lines.length > 0) {
          e.preventDefault();
          setParked(parkBill(till.credential.deviceId, { lines, discountText }));
          reset();
        }
      }}
    >
      <section class="pane">
        <input
          ref={search}
          class="search"
          autoFocus
          placeholder={t('search')}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && matches[0]) add(matches[0]);
          }}
          data-testid="search"
        />
        {cameraScanSupported() && !scanning && (
          <button onClick={() => setScanning(true)} data-testid="scan">
            {t('scan')}
          </button>
        )}
        {scanning && (
          <CameraScanner
            onCode={(code) => {
              setScanning(false);
              const row = products.find(
                (p) => till.projection.products.get(p.productId)?.get('barcode') === code,
              );
              if (row) add(row);
              else setQuery(code);
            }}
            onClose={() => setScanning(false)}
          />
        )}
        <ul class="products">
          {matches.map((p) => (
            <li key={p.productId}>
              <button class="product" onClick={() => add(p)} data-sku={p.sku}>
                <span>{p.name}</span>
                <span class="muted">
                  {formatINR(p.sellingPrice)}
                  {p.unit === 'pc' ? '' : p.unit === 'g' ? '/kg' : '/L'} · {t('stock')}{' '}
                  {formatQty(p.qty, p.unit)}
                </span>
              </button>
            </li>
          ))}
        </ul>
        <div class="actions">
          <button onClick={() => setReturns(true)} data-testid="open-returns">
            {t('returnsVoids')}
          </button>
          {parked.length > 0 && <span class="muted">{t('parked')}:</span>}
          {parked.map((b) => (
            <button
              key={b.id}
              onClick={() => {
                setLines(b.lines);
                setDiscountText(b.discountText);
                setParked(unpark(till.credential.deviceId, b.id));
              }}
              data-testid="recall"
            >
              {t('recall')} {b.label}
            </button>
          ))}
        </div>
      </section>
      <section class="pane bill">
        <h2>{t('cart')}</h2>
        {lines.length === 0 && <p class="muted">{t('empty')}</p>}
        <table class="lines">
          <tbody>
            {lines.map((l, i) => {
              const row = products.find((p) => p.productId === l.productId);
              const priced = quote?.lines.find((q) => q.productId === l.productId);
              return (
                <tr key={l.productId}>
                  <td>{row?.name}</td>
                  <td>
                    <input
                      class="qty"
                      aria-label={t('qty')}
                      inputMode="decimal"
                      value={l.text}
                      onInput={(e) => {
                        const text = e.currentTarget.value;
                        setLines((ls) => ls.map((x, j) => (j === i ? { ...x, text } : x)));
                      }}
                    />
                    <small>{row?.unit === 'pc' ? 'pc' : row?.unit === 'g' ? 'kg' : 'L'}</small>
                    <input
                      class="line-discount"
                      aria-label={t('lineDiscount')}
                      placeholder={t('lineDiscount')}
                      inputMode="decimal"
                      value={l.discount ?? ''}
                      onInput={(e) => {
                        const discount = e.currentTarget.value;
                        setLines((ls) => ls.map((x, j) => (j === i ? { ...x, discount } : x)));
                      }}
                      data-testid={`line-discount-${i}`}
                    />
                  </td>
                  <td class="num">
                    {priced
                      ? formatINR(priced.taxable + priced.cgst + priced.sgst + priced.igst)
                      : '—'}
                  </td>
                  <td>
                    <button
                      class="link"
                      onClick={() => setLines((ls) => ls.filter((_, j) => j !== i))}
                      aria-label={t('remove')}
                    >
                      ✕
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <label>
          {t('billDiscount')}
          <input
            inputMode="decimal"
            value={discountText}
            onInput={(e) => setDiscountText(e.currentTarget.value)}
            data-testid="discount"
          />
        </label>
        {needsApproval && (
          <label>
            {t('managerPin')}
            <input
              type="password"
              inputMode="numeric"
              value={managerPin}
              onInput={(e) => setManagerPin(e.currentTarget.value)}
              data-testid="manager-pin"
            />
          </label>
        )}
        {quote && (
          <dl class="totals">
            <dt>{t('subtotal')}</dt>
            <dd>{formatINR(quote.subtotal - tax)}</dd>
            <dt>{t('gst')}</dt>
            <dd>{formatINR(tax)}</dd>
            <dt>{t('roundOff')}</dt>
            <dd>{formatINR(quote.roundOff)}</dd>
            <dt class="big">{t('total')}</dt>
            <dd class="big" data-testid="total">
              {formatINR(quote.total)}
            </dd>
          </dl>
        )}
        <TenderPanel
          state={tender}
          onChange={setTender}
          total={quote?.total ?? 0}
          customers={customers}
          upi={{
            vpa: till.projection.shop.get('upiVpa'),
            payee: till.projection.shop.get('name') ?? 'Shop',
            ref: upiRef,
          }}
        />
        {error && <p class="error">{error}</p>}
        <div class="actions">
          <button
            disabled={lines.length === 0}
            onClick={() => {
              setParked(parkBill(till.credential.deviceId, { lines, discountText }));
              reset();
            }}
            data-testid="park"
          >
            {t('park')}
          </button>
        </div>
        <button
          class="primary big"
          disabled={!quote}
          onClick={() => void complete()}
          data-testid="complete"
        >
          {t('complete')} {quote ? formatINR(quote.total) : ''}
        </button>
      </section>
    </div>
  );
}

/** A quantity typed at the counter in pieces, kilograms or litres, as base units. */
function toBase(text: string, row: StockRow): number | undefined {
  try {
    const qty = parseQty(text, row.unit === 'pc' ? 'pc' : row.unit === 'g' ? 'kg' : 'l');
    return qty > 0 ? qty : undefined;
  } catch {
    return undefined;
  }
}

function newRef(): string {
  return `SK${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1296)
    .toString(36)
    .toUpperCase()}`;
}
