/**
 * This till's quarantined events: what the server would not accept (a revoked till, a role that
 * may not record the event) with its code and reason. They stay on the till, visible, and never
 * block the rest of the queue (BRIEF invariant 7).
 */
import { strip, type Till } from '@smartkirana/client/till';
import type { DomainEvent } from '@smartkirana/domain/events';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { DataTable, formatWhen, type Column } from './owner-kit.tsx';

interface QuarantineRow {
  id: string;
  code: string;
  reason: string;
  at: number;
  event: DomainEvent | undefined;
}

export function QuarantineList({ till, version }: { till: Till; version: number }) {
  const [rows, setRows] = useState<QuarantineRow[]>([]);
  useEffect(() => {
    let live = true;
    const load = async (): Promise<void> => {
      const receipts = await till.db.receipts.find({ selector: { status: 'quarantined' } }).exec();
      const ids = receipts.map((r) => r.id);
      const events =
        ids.length === 0
          ? []
          : await till.db.events.find({ selector: { id: { $in: ids } } }).exec();
      const byId = new Map(events.map((d) => [d.id, strip(d.toJSON())]));
      if (!live) return;
      setRows(
        receipts
          .map((r) => ({
            id: r.id,
            code: r.code ?? '',
            reason: r.reason ?? '',
            at: r.at,
            event: byId.get(r.id),
          }))
          .sort((a, b) => (a.event?.deviceSeq ?? 0) - (b.event?.deviceSeq ?? 0)),
      );
    };
    const refresh = (): void => void load().catch(() => undefined);
    refresh();
    const timer = setInterval(refresh, 10_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [till, version]);

  const columns: Column<QuarantineRow>[] = [
    { key: 'seq', label: '#', num: true, value: (r) => r.event?.deviceSeq ?? '' },
    { key: 'type', label: t('event'), value: (r) => r.event?.type.replace(/^v1\./, '') ?? r.id },
    {
      key: 'recorded',
      label: t('recorded'),
      value: (r) => (r.event ? new Date(r.event.at).toISOString() : ''),
      show: (r) => formatWhen(r.event?.at),
    },
    { key: 'code', label: t('code'), value: (r) => r.code, show: (r) => <code>{r.code}</code> },
    { key: 'reason', label: t('reason'), value: (r) => r.reason },
    { key: 'id', label: 'ID', value: (r) => r.id, show: (r) => <code>{r.id.slice(-8)}</code> },
  ];

  return (
    <DataTable
      name="quarantined"
      title={`${t('quarantined')} (${till.credential.code})`}
      columns={columns}
      rows={rows}
      rowKey={(r) => r.id}
    />
  );
}
