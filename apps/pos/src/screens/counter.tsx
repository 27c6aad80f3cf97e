/**
 * The counter: search (name, SKU, barcode — a keyboard-wedge scanner types the code and Enter),
 * a bill with piece and loose items, MRP-inclusive GST, tender (cash with change, UPI, card,
 * khata for a customer), and the receipt. Keyboard-first: focus stays in the search box.
 */
import type { Till } from '@smartkirana/client/till';
import type { CartItem } from '@smartkirana/client/till-commands';
import type { EventOfType } from '@smartkirana/domain/events';
import { formatINR, parseRupees } from '@smartkirana/domain/money';
import { formatQty, parseQty } from '@smartkirana/domain/quantity';
import { stockSummary, type StockRow } from '@smartkirana/domain/reports-stock';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { Receipt } from './receipt.tsx';
import { UpiQr, upiLink } from './upi-qr.tsx';

type Tender = 'cash' | 'upi' | 'card' | 'khata';

interface Line {
  productId: string;
  text: string;
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
  const [tender, setTender] = useState<Tender>('cash');
  const [customerId, setCustomerId] = useState('');
  const [tendered, setTendered] = useState('');
  const [sale, setSale] = useState<EventOfType<'v1.SaleCompleted'> | undefined>();
  const [error, setError] = useState<string | undefined>();
  const search = useRef<HTMLInputElement>(null);
  const vpa = till.projection.shop.get('upiVpa');
  const shopName = till.projection.shop.get('name') ?? 'Shop';
  // One reference per bill, carried on the UPI payment so the bank credit matches the invoice.
  const [upiRef, setUpiRef] = useState(() => newRef());

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
    if (qty) items.push({ productId: l.productId, qty });
  }
  let quote: ReturnType<Till['commands']['quote']> | undefined;
  try {
    quote = items.length > 0 ? till.commands.quote({ items }) : undefined;
  } catch {
    quote = undefined;
  }
  const tax = quote ? quote.lines.reduce((s, l) => s + l.cgst + l.sgst + l.igst, 0) : 0;
  const cashIn = tender === 'cash' && tendered ? safeRupees(tendered) : undefined;

  const add = (row: StockRow): void => {
    setLines((ls) => {
      const i = ls.findIndex((l) => l.productId === row.productId);
      if (i >= 0 && row.unit === 'pc')
        return ls.map((l, j) => (j === i ? { ...l, text: String(Number(l.text) + 1) } : l));
      return i >= 0
        ? ls
        : [...ls, { productId: row.productId, text: row.unit === 'pc' ? '1' : '1' }];
    });
    setQuery('');
    search.current?.focus();
  };

  const complete = async (): Promise<void> => {
    if (!quote) return;
    setError(undefined);
    try {
      if (tender === 'khata' && !customerId) throw new Error(t('chooseCustomer'));
      const done = await till.commands.sell({
        items,
        pay: tender === 'upi' ? [{ mode: 'upi', amount: quote.total, ref: upiRef }] : tender,
        ...(tender === 'khata' ? { customerId } : {}),
        ...(cashIn !== undefined && cashIn >= quote.total ? { tendered: cashIn } : {}),
      });
      setSale(done);
      setUpiRef(newRef());
      setLines([]);
      setTendered('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  if (sale) return <Receipt till={till} sale={sale} onDone={() => setSale(undefined)} />;

  return (
    <div class="counter">
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
        <div class="tenders" role="radiogroup">
          {(['cash', 'upi', 'card', 'khata'] as const).map((m) => (
            <button
              key={m}
              class={tender === m ? 'chip active' : 'chip'}
              onClick={() => setTender(m)}
              data-tender={m}
            >
              {t(m)}
            </button>
          ))}
        </div>
        {tender === 'cash' && (
          <label>
            {t('tendered')}
            <input
              inputMode="decimal"
              value={tendered}
              onInput={(e) => setTendered(e.currentTarget.value)}
              data-testid="tendered"
            />
            {quote && cashIn !== undefined && cashIn >= quote.total && (
              <span class="change">
                {t('change')}: {formatINR(cashIn - quote.total)}
              </span>
            )}
          </label>
        )}
        {tender === 'upi' && quote && vpa && (
          <UpiQr link={upiLink({ vpa, payee: shopName, amountPaise: quote.total, ref: upiRef })} />
        )}
        {tender === 'upi' && !vpa && <p class="muted">UPI: {formatINR(quote?.total ?? 0)}</p>}
        {tender === 'khata' && (
          <select
            value={customerId}
            onChange={(e) => setCustomerId(e.currentTarget.value)}
            data-testid="customer"
          >
            <option value="">{t('chooseCustomer')}</option>
            {customers.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        )}
        {error && <p class="error">{error}</p>}
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

function safeRupees(text: string): number | undefined {
  try {
    return parseRupees(text);
  } catch {
    return undefined;
  }
}

function newRef(): string {
  return `SK${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1296)
    .toString(36)
    .toUpperCase()}`;
}
