/**
 * The owner's dashboard, from this till's full replica (so it works offline): every till and how
 * far behind it is, the server's links to the cloud and to shop servers (from the network), sales
 * by till / cashier / mode / hour, stock with valuation and item profit, the books, GST, the day
 * book, and the conflict inbox with one-step resolutions. Owners and managers may resolve; an
 * accountant sees everything read-only.
 */
import type { Till } from '@smartkirana/client/till';
import { istDate } from '@smartkirana/domain/calendar';
import type { EventType } from '@smartkirana/domain/events';
import { mayRead, mayRecord, type ReadScope } from '@smartkirana/domain/permissions';
import { useMemo, useState } from 'preact/hooks';
import { t, type StringKey } from '../i18n.ts';
import { ConflictInbox, KIND_LABEL, sortedConflicts } from './conflict-inbox.tsx';
import { BooksPanel } from './owner-books.tsx';
import { DayBookPanel } from './owner-daybook.tsx';
import { GstPanel } from './owner-gst.tsx';
import { PeriodPicker, useVersion, type Period } from './owner-kit.tsx';
import { SalesPanel } from './owner-sales.tsx';
import { ServersPanel } from './owner-servers.tsx';
import { StockPanel } from './owner-stock.tsx';
import { TillsPanel } from './owner-tills.tsx';

type Section = 'overview' | 'sales' | 'stock' | 'books' | 'gst' | 'daybook' | 'conflicts';

const SECTIONS: { id: Section; label: StringKey; scope?: ReadScope }[] = [
  { id: 'overview', label: 'ownerOverview' },
  { id: 'conflicts', label: 'conflicts' },
  { id: 'sales', label: 'sales', scope: 'sales' },
  { id: 'stock', label: 'stock', scope: 'stock' },
  { id: 'books', label: 'books', scope: 'books' },
  { id: 'gst', label: 'gst', scope: 'books' },
  { id: 'daybook', label: 'dayBook', scope: 'books' },
];

/** Sections that report over a period share one period picker. */
const PERIODIC = new Set<Section>(['sales', 'stock', 'books', 'gst']);

export function OwnerScreen({ till }: { till: Till }) {
  const version = useVersion(till);
  const role = till.actor?.role;
  const [section, setSection] = useState<Section>('overview');
  const today = istDate(Date.now());
  const [period, setPeriod] = useState<Period>({ from: today, to: today });
  const conflicts = useMemo(() => sortedConflicts(till), [till, version]);
  const open = conflicts.filter((c) => c.status === 'open');

  const visible = SECTIONS.filter(
    (s) => !s.scope || (role !== undefined && mayRead(role, s.scope)),
  );
  const readOnly =
    role === undefined ||
    !(['v1.StockCounted', 'v1.ConflictAcknowledged'] as EventType[]).some((type) =>
      mayRecord(role, type),
    );
  const todayPeriod = useMemo(() => ({ from: today, to: today }), [today]);

  return (
    <div class="owner" data-testid="owner">
      <nav class="tabs sub-tabs" aria-label={t('navOwner')}>
        {visible.map((s) => (
          <button
            key={s.id}
            class={section === s.id ? 'tab active' : 'tab'}
            onClick={() => setSection(s.id)}
            data-owner-tab={s.id}
          >
            {t(s.label)}
            {s.id === 'conflicts' && open.length > 0 && (
              <span class="count" data-testid="open-conflicts">
                {open.length}
              </span>
            )}
          </button>
        ))}
      </nav>
      {readOnly && <p class="warn small">{t('readOnly')}</p>}
      {PERIODIC.has(section) && <PeriodPicker value={period} onChange={setPeriod} />}
      <section class="pane owner-body">
        {section === 'overview' && (
          <>
            {open.length > 0 && (
              <button
                class="alert-strip"
                onClick={() => setSection('conflicts')}
                data-testid="conflict-alert"
              >
                <strong>
                  {t('openConflicts')}: {open.length}
                </strong>
                <span>{[...new Set(open.map((c) => t(KIND_LABEL[c.kind])))].join(' · ')} →</span>
              </button>
            )}
            <TillsPanel till={till} version={version} />
            <ServersPanel till={till} />
            {role !== undefined && mayRead(role, 'sales') && (
              <SalesPanel till={till} version={version} period={todayPeriod} compact />
            )}
          </>
        )}
        {section === 'conflicts' && <ConflictInbox till={till} version={version} />}
        {section === 'sales' && <SalesPanel till={till} version={version} period={period} />}
        {section === 'stock' && <StockPanel till={till} version={version} period={period} />}
        {section === 'books' && <BooksPanel till={till} version={version} period={period} />}
        {section === 'gst' && <GstPanel till={till} version={version} period={period} />}
        {section === 'daybook' && (
          <DayBookPanel till={till} version={version} initialDay={period.to} />
        )}
      </section>
    </div>
  );
}
