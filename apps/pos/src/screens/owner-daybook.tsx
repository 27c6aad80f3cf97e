/**
 * The day book: every journal entry of one business day in canonical order, each with its
 * postings (debits and credits add up per entry). The events are the till's own copies.
 */
import type { Till } from '@smartkirana/client/till';
import { istDate } from '@smartkirana/domain/calendar';
import type { JournalEntry } from '@smartkirana/domain/journal';
import { formatINR } from '@smartkirana/domain/money';
import { dayBook } from '@smartkirana/domain/reports-journal';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { accountName, DataTable, money, type Column } from './owner-kit.tsx';

interface PostingRow {
  id: string;
  entry: number;
  first: boolean;
  eventId: string;
  type: string;
  narration: string;
  account: string;
  debit: number;
  credit: number;
}

export function DayBookPanel({
  till,
  version,
  initialDay,
}: {
  till: Till;
  version: number;
  initialDay?: string;
}) {
  const [day, setDay] = useState(initialDay ?? istDate(Date.now()));
  const [entries, setEntries] = useState<JournalEntry[] | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    const ids = (till.projection.dayEvents.get(day) ?? []).map((e) => e.eventId);
    const load = (): Promise<JournalEntry[]> =>
      Promise.resolve(ids.length === 0 ? [] : dayBook(till.projection, till.events(ids), day));
    load()
      .then((list) => {
        if (!live) return;
        setEntries(list);
        setError(undefined);
      })
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [till, version, day]);

  const p = till.projection;
  const rows: PostingRow[] = (entries ?? []).flatMap((e, n) =>
    e.postings.map((x, i) => ({
      id: `${e.eventId}-${i}`,
      entry: n + 1,
      first: i === 0,
      eventId: e.eventId,
      type: e.type.replace(/^v1\./, ''),
      narration: e.narration,
      account: accountName(p, x.account),
      debit: x.amount > 0 ? x.amount : 0,
      credit: x.amount < 0 ? -x.amount : 0,
    })),
  );
  const columns: Column<PostingRow>[] = [
    {
      key: 'entry',
      label: '#',
      num: true,
      value: (r) => r.entry,
      show: (r) => (r.first ? r.entry : ''),
    },
    {
      key: 'narration',
      label: t('narration'),
      value: (r) => r.narration,
      show: (r) =>
        r.first ? (
          <>
            {r.narration} <small class="muted">{r.type}</small>
          </>
        ) : (
          ''
        ),
    },
    { key: 'account', label: t('account'), value: (r) => r.account },
    money('debit', t('debit'), (r) => r.debit),
    money('credit', t('credit'), (r) => r.credit),
    {
      key: 'eventId',
      label: t('event'),
      value: (r) => r.eventId,
      show: (r) => (r.first ? <code>{r.eventId.slice(-8)}</code> : ''),
    },
  ];
  const sum = (f: (r: PostingRow) => number): string =>
    formatINR(rows.reduce((a, r) => a + f(r), 0));

  return (
    <div class="reports">
      <label class="day-pick">
        {t('day')}
        <input
          type="date"
          name="day"
          value={day}
          onChange={(e) => e.currentTarget.value && setDay(e.currentTarget.value)}
        />
      </label>
      {error && <p class="error">{error}</p>}
      <DataTable
        name={`day-book-${day}`}
        title={`${t('dayBook')} · ${day}`}
        columns={columns}
        rows={rows}
        rowKey={(r) => r.id}
        note={entries === undefined ? <p class="muted">{t('loading')}</p> : undefined}
        footer={{ debit: sum((r) => r.debit), credit: sum((r) => r.credit) }}
      />
    </div>
  );
}
