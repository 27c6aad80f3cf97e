/**
 * Returns and voids at the counter. Find a bill by its invoice number; return some or all of its
 * lines (back on the shelf or not) as a credit note with its own number; or void a bill entered by
 * mistake with a manager's PIN (the void is recorded as that manager).
 */
import type { Till } from '@smartkirana/client/till';
import { formatINR } from '@smartkirana/domain/money';
import { formatQty } from '@smartkirana/domain/quantity';
import { useState } from 'preact/hooks';
import { t } from '../i18n.ts';

export function ReturnsPanel({ till, onDone }: { till: Till; onDone: () => void }) {
  const [number, setNumber] = useState('');
  const [qty, setQty] = useState<Record<number, string>>({});
  const [restock, setRestock] = useState(true);
  const [reason, setReason] = useState('');
  const [pin, setPin] = useState('');
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const p = till.projection;
  const sale = [...p.sales.values()].find(
    (s) => s.payload.invoiceNo === number.trim().toUpperCase(),
  );
  const returned = new Map<number, number>();
  for (const id of sale ? (p.returnsBySale.get(sale.id) ?? []) : []) {
    for (const l of p.returns.get(id)?.payload.lines ?? [])
      returned.set(l.line, (returned.get(l.line) ?? 0) + l.qty);
  }
  const voided = sale ? p.isVoided(sale.id) : false;

  const run = async (fn: () => Promise<string>): Promise<void> => {
    setError(undefined);
    try {
      setMessage(await fn());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const issueReturn = (): Promise<void> =>
    run(async () => {
      if (!sale) throw new Error(t('noSuchInvoice'));
      const requests = Object.entries(qty)
        .map(([line, text]) => ({
          line: Number(line),
          qty: Math.round(
            Number(text) * (sale.payload.lines[Number(line)]?.unit === 'pc' ? 1 : 1000),
          ),
          restock,
        }))
        .filter((r) => Number.isSafeInteger(r.qty) && r.qty > 0);
      if (requests.length === 0) throw new Error(t('nothingToReturn'));
      await till.commands.returnSale(sale.id, requests);
      setQty({});
      return t('creditNoteIssued');
    });
  const voidBill = (): Promise<void> =>
    run(async () => {
      if (!sale) throw new Error(t('noSuchInvoice'));
      const manager = await till.approve(pin);
      if (!manager) throw new Error(t('needsApproval'));
      await till.actingAs(manager, () =>
        till.commands.voidSale(sale.id, reason || 'entered by mistake', manager.userId),
      );
      return t('billVoided');
    });

  return (
    <section class="pane returns">
      <h2>{t('returnsVoids')}</h2>
      <label>
        {t('invoice')}
        <input
          value={number}
          onInput={(e) => setNumber(e.currentTarget.value)}
          placeholder="T01/2627/000123"
          data-testid="return-invoice"
        />
      </label>
      {sale && (
        <>
          <p class="muted">
            {sale.payload.businessDay} · {formatINR(sale.payload.total)}{' '}
            {voided ? `· ${t('voided')}` : ''}
          </p>
          <table class="lines">
            <tbody>
              {sale.payload.lines.map((l, i) => (
                <tr key={i}>
                  <td>{l.name}</td>
                  <td>
                    {formatQty(l.qty - (returned.get(i) ?? 0), l.unit)} {t('left')}
                  </td>
                  <td>
                    <input
                      class="qty"
                      inputMode="decimal"
                      value={qty[i] ?? ''}
                      onInput={(e) => setQty({ ...qty, [i]: e.currentTarget.value })}
                      data-testid={`return-qty-${i}`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <label class="inline">
            <input
              type="checkbox"
              checked={restock}
              onChange={(e) => setRestock(e.currentTarget.checked)}
            />{' '}
            {t('backOnShelf')}
          </label>
          <button
            class="primary"
            onClick={() => void issueReturn()}
            disabled={voided}
            data-testid="issue-return"
          >
            {t('issueCreditNote')}
          </button>
          <hr />
          <label>
            {t('voidReason')}
            <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          <label>
            {t('managerPinShort')}
            <input
              type="password"
              inputMode="numeric"
              value={pin}
              onInput={(e) => setPin(e.currentTarget.value)}
              data-testid="void-pin"
            />
          </label>
          <button onClick={() => void voidBill()} disabled={voided} data-testid="void">
            {t('voidBill')}
          </button>
        </>
      )}
      {message && <p class="ok">{message}</p>}
      {error && <p class="error">{error}</p>}
      <button class="link" onClick={onDone}>
        {t('backToCounter')}
      </button>
    </section>
  );
}
