/**
 * Every till of the shop: online (heard from within 2 minutes) or offline, when it last synced,
 * how many events it reported still holding unsynced, whether its clock is wrong, and the gaps in its device sequence and its
 * invoice series as this till's replica sees them. The device list needs the network; offline it
 * shows the last list fetched, with its time.
 */
import type { Till, TillStatus } from '@smartkirana/client/till';
import type { DeviceInfo } from '@smartkirana/client/transport';
import { deviceStatus, type DeviceStatus } from '@smartkirana/domain/reports-sales';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { DataTable, formatWhen, skewText, useNow, usePolled, type Column } from './owner-kit.tsx';

/** A device is online when the server heard from it this recently. */
export const ONLINE_WINDOW_MS = 2 * 60_000;
interface TillRow {
  deviceId: string;
  code: string;
  name: string;
  kind: string;
  revoked: boolean;
  self: boolean;
  online: boolean;
  lastSeenAt: number | null;
  unsynced: number | null;
  /** When the till reported its backlog. */
  unsyncedAt: number | null;
  /** Device clock minus server clock at its last sync, and whether that is beyond tolerance. */
  clockSkewMs: number | null;
  clockFlagged: boolean;
  status: DeviceStatus | undefined;
}

/** The server's device list, kept for offline use (the key's version marks the stored shape). */
function useDevices(till: Till) {
  return usePolled(till, loadDevices, `smartkirana.devices.v3.${till.credential.shopId}`);
}

function loadDevices(till: Till): Promise<DeviceInfo[]> {
  return till.transport.devices();
}

/** This till's own sync figures (exact even offline). */
function useOwnStatus(till: Till, version: number): TillStatus | undefined {
  const [status, setStatus] = useState<TillStatus | undefined>();
  useEffect(() => {
    let live = true;
    const refresh = (): void => {
      till
        .status()
        .then((s) => live && setStatus(s))
        .catch(() => undefined);
    };
    refresh();
    const timer = setInterval(refresh, 5_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [till, version]);
  return status;
}

export function TillsPanel({ till, version }: { till: Till; version: number }) {
  const { known, fresh } = useDevices(till);
  const own = useOwnStatus(till, version);
  const now = useNow();
  const statuses = useMemo(() => deviceStatus(till.projection), [till, version]);
  const self = till.credential.deviceId;

  const rows: TillRow[] = useMemo(() => {
    const byId = new Map(statuses.map((s) => [s.deviceId, s]));
    const listed = known?.value ?? [];
    const ids = [...new Set([...listed.map((d) => d.deviceId), ...byId.keys(), self])];
    return ids
      .map((deviceId): TillRow => {
        const info = listed.find((d) => d.deviceId === deviceId);
        const status = byId.get(deviceId);
        const isSelf = deviceId === self;
        const lastSeenAt = isSelf && own?.lastSyncAt ? own.lastSyncAt : (info?.lastSeenAt ?? null);
        return {
          deviceId,
          code: info?.code ?? status?.code ?? (isSelf ? till.credential.code : ''),
          name: info?.name ?? status?.name ?? '',
          kind: info?.kind ?? status?.kind ?? 'till',
          revoked: info?.revoked ?? status?.revoked ?? false,
          self: isSelf,
          online: isSelf
            ? own?.online === true && navigator.onLine
            : lastSeenAt !== null && now - lastSeenAt < ONLINE_WINDOW_MS,
          lastSeenAt,
          unsynced: isSelf ? (own?.unsynced ?? null) : (info?.unsynced ?? null),
          unsyncedAt: info?.unsyncedAt ?? null,
          clockSkewMs: isSelf
            ? (own?.clockSkewMs ?? info?.clockSkewMs ?? null)
            : (info?.clockSkewMs ?? null),
          clockFlagged: isSelf
            ? (own?.clockFlagged ?? info?.clockFlagged ?? false)
            : (info?.clockFlagged ?? false),
          status,
        };
      })
      .filter((r) => r.kind !== 'server' || (r.status?.events ?? 0) > 0)
      .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  }, [known, statuses, own, now, self, till]);

  const columns: Column<TillRow>[] = [
    { key: 'code', label: t('code'), value: (r) => r.code },
    {
      key: 'name',
      label: t('tillName'),
      value: (r) => r.name,
      show: (r) => (
        <>
          {r.name}
          {r.self && <small class="muted"> ({t('thisTill')})</small>}
          {r.kind !== 'till' && <small class="muted"> · {r.kind}</small>}
        </>
      ),
    },
    {
      key: 'state',
      label: t('state'),
      value: (r) => (r.revoked ? t('revoked') : r.online ? t('online') : t('offline')),
      show: (r) => (
        <span class="till-state" data-online={r.online ? 'yes' : 'no'}>
          <span class={r.online ? 'dot ok' : 'dot off'} />{' '}
          {r.revoked ? t('revoked') : r.online ? t('online') : t('offline')}
        </span>
      ),
    },
    {
      key: 'lastSync',
      label: t('lastSync'),
      value: (r) => (r.lastSeenAt ? new Date(r.lastSeenAt).toISOString() : ''),
      show: (r) => formatWhen(r.lastSeenAt, now),
    },
    {
      key: 'unsynced',
      label: t('unsyncedCount'),
      num: true,
      value: (r) => r.unsynced ?? '',
      show: (r) =>
        r.unsynced === null ? (
          '—'
        ) : (
          <>
            <span class={r.unsynced > 0 ? 'warn-text' : undefined}>{r.unsynced}</span>
            {!r.self && r.unsyncedAt !== null && (
              <small class="muted"> · {formatWhen(r.unsyncedAt, now)}</small>
            )}
          </>
        ),
    },
    {
      key: 'clock',
      label: t('clock'),
      value: (r) => r.clockSkewMs ?? '',
      show: (r) =>
        r.clockSkewMs === null ? (
          '—'
        ) : r.clockFlagged ? (
          <span class="warn-text" data-testid="clock-flag">
            {skewText(r.clockSkewMs)}
          </span>
        ) : (
          <span class="ok-text">✓</span>
        ),
    },
    {
      key: 'seqGaps',
      label: t('seqGaps'),
      value: (r) => gapText(r.status?.missingSeqs ?? []),
      show: (r) => <Gaps list={r.status?.missingSeqs ?? []} />,
    },
    {
      key: 'invoiceGaps',
      label: t('invoiceGaps'),
      value: (r) =>
        (r.status?.invoiceGaps ?? []).map((g) => `${g.series}: ${gapText(g.missing)}`).join('; '),
      show: (r) =>
        (r.status?.invoiceGaps ?? []).length === 0 ? (
          <span class="ok-text">✓</span>
        ) : (
          (r.status?.invoiceGaps ?? []).map((g) => (
            <div key={g.series} class="warn-text">
              {g.series}: {gapText(g.missing)}
            </div>
          ))
        ),
    },
  ];

  return (
    <DataTable
      name="tills"
      title={t('tills')}
      columns={columns}
      rows={rows}
      rowKey={(r) => r.deviceId}
      note={
        !fresh && (
          <p class="muted small" data-testid="devices-stale">
            {known ? `${t('lastKnownList')} ${formatWhen(known.at, now)}` : t('devicesNeedNetwork')}
          </p>
        )
      }
    />
  );
}

function Gaps({ list }: { list: readonly number[] }) {
  if (list.length === 0) return <span class="ok-text">✓</span>;
  return <span class="warn-text">{gapText(list)}</span>;
}

/** "3 missing: 4, 5, 9" with at most eight numbers shown. */
function gapText(list: readonly number[]): string {
  if (list.length === 0) return '';
  const shown = list.slice(0, 8).join(', ');
  return `${list.length} ${t('missing')}: ${shown}${list.length > 8 ? ', …' : ''}`;
}
