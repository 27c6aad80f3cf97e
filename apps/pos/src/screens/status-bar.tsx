/**
 * Always-visible sync status: online or offline since when, unsynced count, a wrong clock, storage
 * warnings, export.
 */
import type { Till, TillStatus } from '@smartkirana/client/till';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { skewText } from './owner-kit.tsx';

export function StatusBar({ till }: { till: Till }) {
  const [status, setStatus] = useState<TillStatus | undefined>();
  const [persisted, setPersisted] = useState(true);
  const [nearlyFull, setNearlyFull] = useState(false);
  useEffect(() => {
    let live = true;
    const refresh = async (): Promise<void> => {
      const s = await till.status().catch(() => undefined);
      if (live && s) setStatus(s);
    };
    void refresh();
    const timer = setInterval(() => void refresh(), 1500);
    const sub = till.version$.subscribe(() => void refresh());
    till
      .storage()
      .then((s) => {
        if (!live) return;
        setPersisted(s.persisted);
        setNearlyFull(
          s.usage !== undefined && s.quota !== undefined && s.quota > 0 && s.usage / s.quota > 0.9,
        );
      })
      .catch(() => undefined);
    return () => {
      live = false;
      clearInterval(timer);
      sub.unsubscribe();
    };
  }, [till]);
  const online = status?.online === true && navigator.onLine;
  const exportFile = async (): Promise<void> => {
    const blob = new Blob([await till.exportUnsynced()], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `smartkirana-unsynced-${till.credential.code}-${new Date().toISOString().slice(0, 19)}.json`;
    a.click();
  };
  return (
    <span class="status" data-online={online ? 'yes' : 'no'}>
      <span class={online ? 'dot ok' : 'dot off'} />
      <span data-testid="sync-state">
        {online ? (status.syncing ? t('syncing') : t('online')) : t('offline')}
        {!online && status?.offlineSince
          ? ` · ${new Date(status.offlineSince).toLocaleTimeString('en-IN')}`
          : ''}
      </span>
      <span data-testid="unsynced">
        {status?.unsynced ?? 0} {t('unsynced')}
      </span>
      {(status?.unsynced ?? 0) > 0 && (
        <button class="link" onClick={() => void exportFile()}>
          {t('exportUnsynced')}
        </button>
      )}
      {status && status.head > 0 && status.pulled < status.head && (
        <progress
          class="first-sync"
          max={status.head}
          value={status.pulled}
          data-testid="sync-progress"
          title={`${status.pulled} / ${status.head}`}
        />
      )}
      {status?.clockFlagged && status.clockSkewMs !== undefined && (
        <span class="warn" data-testid="clock-off">
          {t('clockOff')} ({skewText(status.clockSkewMs)})
        </span>
      )}
      {!persisted && <span class="warn">{t('storageWarning')}</span>}
      {nearlyFull && <span class="warn">{t('storageFull')}</span>}
    </span>
  );
}
