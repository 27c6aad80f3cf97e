/**
 * The conflict inbox (BRIEF invariant 6): conflicts derived from the replica, open ones first, each
 * with a one-step resolution that records an ordinary event through the till, offline too:
 * oversell → recount or write off the shortfall; concurrent price edits → set the price;
 * anything → acknowledge. Actions the signed-in role may not record are not shown.
 */
import type { Till } from '@smartkirana/client/till';
import { listConflicts, type Conflict, type ConflictKind } from '@smartkirana/domain/conflicts';
import type { EventType } from '@smartkirana/domain/events';
import { formatINR } from '@smartkirana/domain/money';
import { mayRecord } from '@smartkirana/domain/permissions';
import { formatQty } from '@smartkirana/domain/quantity';
import { useMemo } from 'preact/hooks';
import { downloadCsv } from '../csv.ts';
import { t, type StringKey } from '../i18n.ts';
import { ConflictActions } from './conflict-actions.tsx';
import { istDate } from '@smartkirana/domain/calendar';
import type { MovementKind } from '@smartkirana/domain/stock-timeline';
import { QuarantineList } from './quarantine.tsx';

export const KIND_LABEL: Record<ConflictKind, StringKey> = {
  oversell: 'kindOversell',
  'late-event': 'kindLate',
  'price-edit': 'kindPrice',
  'khata-over-limit': 'kindKhata',
  'over-return': 'kindOverReturn',
  'void-after-return': 'kindVoidReturn',
  'duplicate-invoice': 'kindDuplicate',
};

const KIND_HELP: Record<ConflictKind, StringKey> = {
  oversell: 'helpOversell',
  'late-event': 'helpLate',
  'price-edit': 'helpPrice',
  'khata-over-limit': 'helpKhata',
  'over-return': 'helpOverReturn',
  'void-after-return': 'helpVoidReturn',
  'duplicate-invoice': 'helpDuplicate',
};

const STATUS_LABEL: Record<Conflict['status'], StringKey> = {
  open: 'statusOpen',
  acknowledged: 'statusAcknowledged',
  resolved: 'statusResolved',
};

const ORDER: Record<Conflict['status'], number> = { open: 0, acknowledged: 1, resolved: 2 };

/** Open first, then acknowledged, then resolved; newest day first within each. */
export function sortedConflicts(till: Till): Conflict[] {
  return listConflicts(till.projection).sort(
    (a, b) =>
      ORDER[a.status] - ORDER[b.status] ||
      (a.day < b.day ? 1 : a.day > b.day ? -1 : a.id < b.id ? -1 : 1),
  );
}

export function ConflictInbox({ till, version }: { till: Till; version: number }) {
  const conflicts = useMemo(() => sortedConflicts(till), [till, version]);
  const role = till.actor?.role;
  const may = (type: EventType): boolean => role !== undefined && mayRecord(role, type);
  const open = conflicts.filter((c) => c.status === 'open').length;

  const exportCsv = (): void =>
    downloadCsv(
      `smartkirana-conflicts-${istDate(Date.now())}`,
      [
        t('conflict'),
        t('kind'),
        t('status'),
        t('day'),
        t('subject'),
        t('figures'),
        t('events'),
        t('resolvedBy'),
      ],
      conflicts.map((c) => [
        c.id,
        t(KIND_LABEL[c.kind]),
        t(STATUS_LABEL[c.status]),
        c.day,
        subject(till, c),
        figures(till, c),
        c.eventIds.join(' '),
        c.resolvedBy ?? '',
      ]),
    );

  return (
    <section class="inbox" data-testid="conflict-inbox">
      <header class="report-head">
        <h3>
          {t('conflictInbox')} <span class="badge">{open}</span>
        </h3>
        <button
          class="link"
          onClick={exportCsv}
          data-csv="conflicts"
          disabled={conflicts.length === 0}
        >
          {t('exportCsv')}
        </button>
      </header>
      {conflicts.length === 0 && <p class="muted">{t('noConflicts')}</p>}
      <ul class="conflicts">
        {conflicts.map((c) => (
          <li
            key={c.id}
            class={`conflict ${c.status}`}
            data-conflict-id={c.id}
            data-kind={c.kind}
            data-status={c.status}
          >
            <div class="conflict-head">
              <strong>{t(KIND_LABEL[c.kind])}</strong>
              <span class={`badge status-${c.status}`} data-testid="conflict-status">
                {t(STATUS_LABEL[c.status])}
              </span>
              <span class="muted small">{c.day}</span>
            </div>
            <p class="conflict-subject">{subject(till, c)}</p>
            <p class="muted small">{t(KIND_HELP[c.kind])}</p>
            {figures(till, c) && <p class="small">{figures(till, c)}</p>}
            <p class="small muted">
              {t('events')}: {c.eventIds.map((id) => eventLabel(till, id)).join(', ')}
              {c.resolvedBy &&
                ` · ${t('resolvedBy')} ${eventLabel(till, c.resolvedBy, c.productId)}`}
            </p>
            {c.status !== 'resolved' && <ConflictActions till={till} conflict={c} may={may} />}
          </li>
        ))}
      </ul>
      <QuarantineList till={till} version={version} />
    </section>
  );
}

/** What the conflict is about: the product, the customer or the invoice. */
function subject(till: Till, c: Conflict): string {
  const p = till.projection;
  if (c.productId) return p.products.get(c.productId)?.get('name') ?? c.productId;
  if (c.customerId) return p.customers.get(c.customerId)?.get('name') ?? c.customerId;
  return c.eventIds.map((id) => eventLabel(till, id)).join(', ');
}

/** The figures that matter for each kind, formatted. */
function figures(till: Till, c: Conflict): string {
  const p = till.projection;
  const f = c.figures;
  if (c.kind === 'oversell' && c.productId) {
    const unit = p.products.get(c.productId)?.get('unit') ?? 'pc';
    const now = p.timelines.get(c.productId)?.state.qty ?? 0;
    return `${t('lowest')}: ${formatQty(f.lowest ?? 0, unit)} · ${t('stockNow')}: ${formatQty(now, unit)}`;
  }
  if (c.kind === 'khata-over-limit')
    return `${t('balance')}: ${formatINR(f.balance ?? 0)} · ${t('limit')}: ${formatINR(f.limit ?? 0)}`;
  if (c.kind === 'price-edit' && c.productId)
    return `${t('edits')}: ${f.edits ?? 0} · ${t('priceNow')}: ${formatINR(p.products.get(c.productId)?.get('sellingPrice') ?? 0)}`;
  if (c.kind === 'over-return')
    return `${t('sold')}: ${f.sold ?? 0} · ${t('returned')}: ${f.returned ?? 0}`;
  if (c.kind === 'late-event')
    return `${t('deviceSeq')}: ${f.deviceSeq ?? 0} · ${t('watermark')}: ${f.watermark ?? 0}`;
  return '';
}

const MOVEMENT: Partial<Record<MovementKind, StringKey>> = {
  count: 'recount',
  adjust: 'adjustment',
  receipt: 'stockReceipt',
};

/**
 * A sale by its invoice number and till, a stock movement of the conflict's product by its kind,
 * anything else by the end of its id.
 */
export function eventLabel(till: Till, id: string, productId?: string): string {
  const p = till.projection;
  const sale = p.sales.get(id);
  if (sale) {
    const code = p.devices.get(sale.deviceId)?.get('code');
    return `${sale.payload.invoiceNo}${code ? ` (${code})` : ''}`;
  }
  const ret = p.returns.get(id);
  if (ret) return ret.payload.creditNoteNo;
  const kind = productId
    ? p.timelines.get(productId)?.movements.find((m) => m.eventId === id)?.kind
    : undefined;
  const label = kind ? MOVEMENT[kind] : undefined;
  if (label) return `${t(label)} …${id.slice(-8)}`;
  return `…${id.slice(-8)}`;
}
