/**
 * GST for the period: output tax, input tax and the net payable per head, output and input by
 * rate, the HSN summary and the document summary of every invoice and credit-note series.
 */
import type { Till } from '@smartkirana/client/till';
import { formatINR } from '@smartkirana/domain/money';
import {
  gstr1,
  gstSummary,
  type DocRow,
  type HsnRow,
  type RateAmounts,
} from '@smartkirana/domain/reports-gst';
import { useMemo } from 'preact/hooks';
import { t } from '../i18n.ts';
import { DataTable, money, type Column, type Period } from './owner-kit.tsx';

interface HeadRow {
  head: string;
  output: number;
  input: number;
  net: number;
}

/** 500 basis points → "5%". */
function rate(bps: number): string {
  return `${bps / 100}%`;
}

export function GstPanel({
  till,
  version,
  period,
}: {
  till: Till;
  version: number;
  period: Period;
}) {
  const p = till.projection;
  const g = useMemo(() => gstSummary(p, period), [p, version, period]);
  const r1 = useMemo(() => gstr1(p, period), [p, version, period]);
  const heads: HeadRow[] = (['cgst', 'sgst', 'igst'] as const).map((h) => ({
    head: h.toUpperCase(),
    output: g.output[h],
    input: g.input[h],
    net: g.net[h],
  }));
  const total = (f: (r: HeadRow) => number): string =>
    formatINR(heads.reduce((a, r) => a + f(r), 0));

  const headColumns: Column<HeadRow>[] = [
    { key: 'head', label: t('taxHead'), value: (r) => r.head },
    money('output', t('outputTax'), (r) => r.output),
    money('input', t('inputTax'), (r) => r.input),
    money('net', t('netPayable'), (r) => r.net),
  ];
  const rateColumns: Column<RateAmounts>[] = [
    { key: 'rate', label: t('rate'), num: true, value: (r) => rate(r.rateBps) },
    money('taxable', t('taxable'), (r) => r.taxable),
    money('cgst', 'CGST', (r) => r.cgst),
    money('sgst', 'SGST', (r) => r.sgst),
    money('igst', 'IGST', (r) => r.igst),
  ];
  const hsnColumns: Column<HsnRow>[] = [
    { key: 'hsn', label: 'HSN', value: (r) => r.hsn },
    { key: 'uqc', label: 'UQC', value: (r) => r.uqc },
    { key: 'qty', label: t('qty'), num: true, value: (r) => r.qty },
    { key: 'rate', label: t('rate'), num: true, value: (r) => rate(r.rateBps) },
    money('value', t('value'), (r) => r.value),
    money('taxable', t('taxable'), (r) => r.taxable),
    money('cgst', 'CGST', (r) => r.cgst),
    money('sgst', 'SGST', (r) => r.sgst),
    money('igst', 'IGST', (r) => r.igst),
  ];
  const docColumns: Column<DocRow>[] = [
    { key: 'series', label: t('series'), value: (r) => r.series },
    {
      key: 'kind',
      label: t('document'),
      value: (r) => (r.kind === 'invoice' ? t('invoice') : t('creditNote')),
    },
    { key: 'from', label: t('from'), value: (r) => r.from },
    { key: 'to', label: t('to'), value: (r) => r.to },
    { key: 'total', label: t('issued'), num: true, value: (r) => r.total },
    { key: 'cancelled', label: t('cancelled'), num: true, value: (r) => r.cancelled },
  ];

  return (
    <div class="reports">
      <DataTable
        name="gst-summary"
        title={`${t('gstSummary')} · ${period.from} – ${period.to}`}
        columns={headColumns}
        rows={heads}
        rowKey={(r) => r.head}
        footer={{
          output: total((r) => r.output),
          input: total((r) => r.input),
          net: <strong>{total((r) => r.net)}</strong>,
        }}
      />
      <DataTable
        name="gst-output-by-rate"
        title={t('outputByRate')}
        columns={rateColumns}
        rows={g.outputByRate}
        rowKey={(r) => String(r.rateBps)}
      />
      <DataTable
        name="gst-input-by-rate"
        title={t('inputByRate')}
        columns={rateColumns}
        rows={g.inputByRate}
        rowKey={(r) => String(r.rateBps)}
      />
      <DataTable
        name="gst-hsn"
        title={t('hsnSummary')}
        columns={hsnColumns}
        rows={r1.hsn}
        rowKey={(r) => `${r.hsn}-${r.rateBps}-${r.uqc}`}
      />
      <DataTable
        name="gst-documents"
        title={t('documentSummary')}
        columns={docColumns}
        rows={r1.doc}
        rowKey={(r) => `${r.kind}-${r.series}`}
      />
    </div>
  );
}
