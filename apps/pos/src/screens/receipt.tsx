/**
 * The receipt after a sale: printable on 58 mm and 80 mm thermal paper or as an A4 tax invoice
 * (print styles pick the width), and shareable as plain text (WhatsApp, SMS).
 */
import type { Till } from '@smartkirana/client/till';
import type { EventOfType } from '@smartkirana/domain/events';
import { formatINR } from '@smartkirana/domain/money';
import { formatQty } from '@smartkirana/domain/quantity';
import { t } from '../i18n.ts';

type Sale = EventOfType<'v1.SaleCompleted'>;

/** The receipt as plain text (for sharing). */
export function receiptText(till: Till, sale: Sale): string {
  const p = sale.payload;
  const shop = till.projection.shop.value();
  const lines = p.lines.map(
    (l) =>
      `${l.name}  ${formatQty(l.qty, l.unit)}  ${formatINR(l.taxable + l.cgst + l.sgst + l.igst)}`,
  );
  const tax = p.lines.reduce((s, l) => s + l.cgst + l.sgst + l.igst, 0);
  return [
    shop.name ?? '',
    shop.gstin ? `GSTIN ${shop.gstin}` : '',
    `${p.documentType === 'tax-invoice' ? 'Tax invoice' : 'Bill of supply'} ${p.invoiceNo}  ${p.businessDay}`,
    ...lines,
    `GST ${formatINR(tax)}  Round off ${formatINR(p.roundOff)}`,
    `Total ${formatINR(p.total)}`,
    ...p.payments.map((x) => `${x.mode.toUpperCase()} ${formatINR(x.amount)}`),
  ]
    .filter(Boolean)
    .join('\n');
}

export function Receipt({ till, sale, onDone }: { till: Till; sale: Sale; onDone: () => void }) {
  const p = sale.payload;
  const shop = till.projection.shop.value();
  const print = (paper: 'p58' | 'p80' | 'a4'): void => {
    document.body.dataset.paper = paper;
    window.print();
  };
  const share = async (): Promise<void> => {
    const text = receiptText(till, sale);
    // Web Share where the browser has it (phones), else the clipboard.
    const nav: Partial<Navigator> = navigator;
    if (nav.share) await nav.share({ text }).catch(() => undefined);
    else await nav.clipboard?.writeText(text).catch(() => undefined);
  };
  const byRate = new Map<number, { taxable: number; cgst: number; sgst: number; igst: number }>();
  for (const l of p.lines) {
    const r = byRate.get(l.rateBps) ?? { taxable: 0, cgst: 0, sgst: 0, igst: 0 };
    r.taxable += l.taxable;
    r.cgst += l.cgst;
    r.sgst += l.sgst;
    r.igst += l.igst;
    byRate.set(l.rateBps, r);
  }
  return (
    <div class="receipt-screen">
      <p class="ok">{t('saleDone')}</p>
      <article class="receipt" data-testid="receipt">
        <header>
          <strong>{shop.name}</strong>
          {shop.gstin && <div>GSTIN {shop.gstin}</div>}
          <div>{p.documentType === 'tax-invoice' ? 'TAX INVOICE' : 'BILL OF SUPPLY'}</div>
          <div>
            {t('invoice')} <span data-testid="invoice-no">{p.invoiceNo}</span> · {p.businessDay}
          </div>
        </header>
        <table>
          <tbody>
            {p.lines.map((l, i) => (
              <tr key={i}>
                <td>
                  {l.name}
                  {l.hsn ? <small> HSN {l.hsn}</small> : null}
                </td>
                <td>{formatQty(l.qty, l.unit)}</td>
                <td class="num">{formatINR(l.taxable + l.cgst + l.sgst + l.igst)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table class="tax">
          <tbody>
            {[...byRate].map(([rate, r]) => (
              <tr key={rate}>
                <td>GST {rate / 100}%</td>
                <td class="num">{formatINR(r.taxable)}</td>
                <td class="num">
                  {r.igst
                    ? `IGST ${formatINR(r.igst)}`
                    : `CGST ${formatINR(r.cgst)} SGST ${formatINR(r.sgst)}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="num">
          {t('roundOff')} {formatINR(p.roundOff)}
        </div>
        <div class="num big">
          {t('total')} {formatINR(p.total)}
        </div>
        {p.payments.map((x, i) => (
          <div key={i} class="num">
            {x.mode.toUpperCase()} {formatINR(x.amount)}
          </div>
        ))}
        {p.change !== undefined && p.change > 0 && (
          <div class="num">
            {t('change')} {formatINR(p.change)}
          </div>
        )}
      </article>
      <div class="actions no-print">
        <button onClick={() => print('p58')}>{t('print58')}</button>
        <button onClick={() => print('p80')}>{t('print80')}</button>
        <button onClick={() => print('a4')}>{t('printA4')}</button>
        <button onClick={() => void share()}>{t('share')}</button>
        <button class="primary" onClick={onDone} autoFocus data-testid="new-sale">
          {t('newSale')}
        </button>
      </div>
    </div>
  );
}
