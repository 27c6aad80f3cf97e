/**
 * Building blocks of the owner's dashboard: the projection's change counter as a hook, a report
 * table with its CSV export, the period picker, and formatting of money, times and account names.
 */
import type { Till } from '@smartkirana/client/till';
import { addDays, istDate } from '@smartkirana/domain/calendar';
import { accountDef } from '@smartkirana/domain/accounts';
import { formatINR } from '@smartkirana/domain/money';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { downloadCsv, type CsvValue } from '../csv.ts';
import { t } from '../i18n.ts';

/** Re-render whenever the till's projection changes; returns the change counter. */
export function useVersion(till: Till): number {
  const [version, setVersion] = useState(till.version$.value);
  useEffect(() => {
    const sub = till.version$.subscribe((v) => setVersion(v));
    return () => sub.unsubscribe();
  }, [till]);
  return version;
}

/** The current time, refreshed every `everyMs` (for "online within 2 minutes" and similar). */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export interface Column<R> {
  key: string;
  label: string;
  /** What goes into the CSV (and, unless `show` is given, on screen). */
  value: (row: R) => CsvValue;
  show?: (row: R) => ComponentChildren;
  num?: boolean;
}

/** A money column: ₹1,234.50 on screen, 1234.50 in the CSV. */
export function money<R>(key: string, label: string, get: (row: R) => number): Column<R> {
  return {
    key,
    label,
    num: true,
    value: (r) => plainRupees(get(r)),
    show: (r) => formatINR(get(r)),
  };
}

/** A report table with a CSV button; rows carry `data-key`, cells `data-col` for tests. */
export function DataTable<R>(props: {
  name: string;
  title: string;
  columns: readonly Column<R>[];
  rows: readonly R[];
  rowKey: (row: R) => string;
  /** A totals row: values by column key. */
  footer?: Record<string, ComponentChildren>;
  note?: ComponentChildren;
}) {
  const { name, title, columns, rows, rowKey, footer, note } = props;
  const exportCsv = (): void =>
    downloadCsv(
      `smartkirana-${name}-${istDate(Date.now())}`,
      columns.map((c) => c.label),
      rows.map((r) => columns.map((c) => c.value(r))),
    );
  return (
    <section class="report" data-report={name}>
      <header class="report-head">
        <h3>{title}</h3>
        <button class="link" onClick={exportCsv} data-csv={name} disabled={rows.length === 0}>
          {t('exportCsv')}
        </button>
      </header>
      {note}
      <div class="table-wrap">
        <table class="data">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.key} class={c.num ? 'num' : undefined}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={columns.length} class="muted">
                  {t('noRows')}
                </td>
              </tr>
            )}
            {rows.map((r) => (
              <tr key={rowKey(r)} data-key={rowKey(r)}>
                {columns.map((c) => (
                  <td key={c.key} class={c.num ? 'num' : undefined} data-col={c.key}>
                    {c.show ? c.show(r) : c.value(r)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
          {footer && (
            <tfoot>
              <tr>
                {columns.map((c, i) => (
                  <td key={c.key} class={c.num ? 'num' : undefined} data-col={c.key}>
                    {footer[c.key] ?? (i === 0 ? t('total') : '')}
                  </td>
                ))}
              </tr>
            </tfoot>
          )}
        </table>
      </div>
    </section>
  );
}

export interface Period {
  from: string;
  to: string;
}

/** From / to dates with shortcuts for today, the last 7 days and this month. */
export function PeriodPicker({
  value,
  onChange,
}: {
  value: Period;
  onChange: (p: Period) => void;
}) {
  const today = istDate(Date.now());
  const presets: [string, Period][] = [
    [t('today'), { from: today, to: today }],
    [t('last7Days'), { from: addDays(today, -6), to: today }],
    [t('thisMonth'), { from: `${today.slice(0, 7)}-01`, to: today }],
  ];
  return (
    <div class="period">
      <label>
        {t('from')}
        <input
          type="date"
          name="from"
          value={value.from}
          max={value.to}
          onChange={(e) =>
            e.currentTarget.value && onChange({ ...value, from: e.currentTarget.value })
          }
        />
      </label>
      <label>
        {t('to')}
        <input
          type="date"
          name="to"
          value={value.to}
          min={value.from}
          onChange={(e) =>
            e.currentTarget.value && onChange({ ...value, to: e.currentTarget.value })
          }
        />
      </label>
      <div class="tenders">
        {presets.map(([label, p]) => (
          <button
            key={label}
            class={p.from === value.from && p.to === value.to ? 'chip active' : 'chip'}
            onClick={() => onChange(p)}
          >
            {label}
          </button>
        ))}
      </div>
    </div>
  );
}

/** Big figures in a row. */
export function Kpis({ items }: { items: [string, string, string?][] }) {
  return (
    <dl class="kpis">
      {items.map(([label, value, id]) => (
        <div key={label} class="kpi">
          <dt>{label}</dt>
          <dd data-kpi={id}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Paise as a plain decimal rupee string for CSV: 123456 → "1234.56" (no float involved). */
export function plainRupees(paise: number): string {
  return formatINR(paise, { symbol: false }).replace(/,/g, '');
}

/** A time of day today, or date and time otherwise (IST). */
export function formatWhen(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  const time = d.toLocaleTimeString('en-IN', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Asia/Kolkata',
  });
  return istDate(ms) === istDate(now) ? time : `${istDate(ms)} ${time}`;
}

/** How long ago, coarsely: "just now", "5 min ago", "3 h ago", "2 d ago". */
export function formatAgo(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined) return '—';
  const age = Math.max(0, now - ms);
  if (age < 60_000) return t('justNow');
  if (age < 3_600_000) return `${Math.floor(age / 60_000)} ${t('minutesAgo')}`;
  if (age < 86_400_000) return `${Math.floor(age / 3_600_000)} ${t('hoursAgo')}`;
  return `${Math.floor(age / 86_400_000)} ${t('daysAgo')}`;
}

/** A clock skew, coarsely: "1 d fast", "3 h slow", "12 min fast". */
export function skewText(skewMs: number): string {
  const off = Math.abs(skewMs);
  const dir = skewMs > 0 ? t('fast') : t('slow');
  // A measured skew is a little under the true one (transit time): round to the nearest unit.
  if (off >= 23.5 * 3_600_000) return `${Math.round(off / 86_400_000)} d ${dir}`;
  if (off >= 59.5 * 60_000) return `${Math.round(off / 3_600_000)} h ${dir}`;
  return `${Math.max(1, Math.round(off / 60_000))} min ${dir}`;
}

/** An account's name for this shop: tills by code, khata customers and suppliers by name. */
export function accountName(p: ShopProjection, code: string): string {
  const i = code.indexOf(':');
  const kind = i < 0 ? code : code.slice(0, i);
  const id = i < 0 ? '' : code.slice(i + 1);
  if (kind === 'cash') return `${t('cash')} (${p.devices.get(id)?.get('code') ?? id.slice(0, 8)})`;
  if (kind === 'debtor')
    return `${t('debtor')}: ${p.customers.get(id)?.get('name') ?? id.slice(0, 8)}`;
  if (kind === 'creditor')
    return `${t('creditor')}: ${p.suppliers.get(id)?.get('name') ?? id.slice(0, 8)}`;
  return accountDef(code)?.name ?? code;
}

/** Base-unit label a person types quantities in: pc, kg or L. */
export function displayUnit(unit: string | undefined): 'pc' | 'kg' | 'l' {
  return unit === 'g' ? 'kg' : unit === 'ml' ? 'l' : 'pc';
}

/** How often the owner's screens ask the server again while shown. */
export const SERVER_REFRESH_MS = 20_000;

/** A server answer and when it came. */
export interface Polled<T> {
  at: number;
  value: T;
}

/**
 * A server answer refreshed every `SERVER_REFRESH_MS` while mounted. Offline the last answer stays
 * (`fresh` is false); with `storageKey` it also survives a reload.
 */
export function usePolled<T>(
  till: Till,
  load: (till: Till) => Promise<T>,
  storageKey?: string,
): { known: Polled<T> | undefined; fresh: boolean } {
  const [known, setKnown] = useState<Polled<T> | undefined>(() => stored<T>(storageKey));
  const [fresh, setFresh] = useState(false);
  useEffect(() => {
    let live = true;
    let busy = false;
    const refresh = async (): Promise<void> => {
      // A hanging request (LAN up, server down) must not pile up behind the timer.
      if (busy) return;
      busy = true;
      try {
        const next = { at: Date.now(), value: await load(till) };
        if (storageKey) localStorage.setItem(storageKey, JSON.stringify(next));
        if (live) {
          setKnown(next);
          setFresh(true);
        }
      } catch {
        if (live) setFresh(false);
      } finally {
        busy = false;
      }
    };
    void refresh();
    const timer = setInterval(() => void refresh(), SERVER_REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
    // `load` is a module-level function in every caller: the till and key decide what is asked.
  }, [till, storageKey]);
  return { known, fresh };
}

function stored<T>(key: string | undefined): Polled<T> | undefined {
  if (!key) return undefined;
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as Polled<T>) : undefined;
  } catch {
    return undefined;
  }
}
