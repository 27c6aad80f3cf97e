/**
 * Replication between servers, as the server this till talks to sees it: its link up to the cloud
 * (live, waiting or failing; events waiting to go up and since when; events still to come down;
 * the last exchange each way) and the shop servers linked below it (last contact, what each still
 * has to push, how far behind it is). Shows nothing when the server is linked to no other server.
 * Needs the network: offline it keeps the last answer, with its time.
 */
import type { Till } from '@smartkirana/client/till';
import type {
  DownstreamServerInfo,
  ReplicationInfo,
  UpstreamLinkInfo,
} from '@smartkirana/client/transport';
import type { ComponentChildren } from 'preact';
import { t } from '../i18n.ts';
import { DataTable, formatAgo, formatWhen, useNow, usePolled, type Column } from './owner-kit.tsx';
import { ONLINE_WINDOW_MS } from './owner-tills.tsx';

type LinkState = 'live' | 'waiting' | 'error';

/** The server's replication status, refreshed with the device list while mounted. */
function useReplication(till: Till) {
  return usePolled(till, loadReplication);
}

function loadReplication(till: Till): Promise<ReplicationInfo> {
  return till.transport.replication();
}

function linkState(link: UpstreamLinkInfo): LinkState {
  if (link.lastError !== null) return 'error';
  return link.live === true ? 'live' : 'waiting';
}

const STATE_LABEL = {
  live: 'linkLive',
  waiting: 'linkWaiting',
  error: 'linkError',
} as const;

const STATE_DOT = { live: 'dot ok', waiting: 'dot wait', error: 'dot off' } as const;

export function ServersPanel({ till }: { till: Till }) {
  const { known, fresh } = useReplication(till);
  const now = useNow();
  if (!known) return null;
  const { upstream, downstream } = known.value;
  if (!upstream && downstream.length === 0) return null;
  const stale = !fresh && (
    <p class="muted small" data-testid="replication-stale">
      {t('replicationStale')} {formatWhen(known.at, now)}
    </p>
  );
  return (
    <>
      {upstream && <CloudLink link={upstream} now={now} note={stale} />}
      {downstream.length > 0 && (
        <DownstreamTable rows={downstream} now={now} note={upstream ? undefined : stale} />
      )}
    </>
  );
}

function CloudLink({
  link,
  now,
  note,
}: {
  link: UpstreamLinkInfo;
  now: number;
  note: ComponentChildren;
}) {
  const state = linkState(link);
  return (
    <section class="report" data-report="cloud-link" data-testid="cloud-link" data-state={state}>
      <header class="report-head">
        <h3>{t('cloudLink')}</h3>
        <span class="till-state" data-testid="cloud-link-state">
          <span class={STATE_DOT[state]} /> {t(STATE_LABEL[state])}
        </span>
      </header>
      {note}
      {state === 'error' && (
        <p class="warn-text small" data-testid="cloud-link-error">
          {link.lastError} · {formatAgo(link.lastErrorAt, now)}
        </p>
      )}
      <dl class="kpis">
        <div class="kpi">
          <dt>{t('waitingToGoUp')}</dt>
          <dd>
            <span data-kpi="cloud-unpushed" class={link.unpushed > 0 ? 'warn-text' : undefined}>
              {link.unpushed}
            </span>
            {link.unpushed > 0 && link.oldestUnpushedAt !== null && (
              <small class="muted" data-testid="cloud-unpushed-since">
                {' '}
                · {t('oldestWaiting')} {formatAgo(link.oldestUnpushedAt, now)}
              </small>
            )}
          </dd>
        </div>
        <div class="kpi">
          <dt>{t('stillToComeDown')}</dt>
          <dd data-kpi="cloud-behind">{link.behind}</dd>
        </div>
        <div class="kpi">
          <dt>{t('lastSentUp')}</dt>
          <dd data-kpi="cloud-last-push">{formatAgo(link.lastPushAt, now)}</dd>
        </div>
        <div class="kpi">
          <dt>{t('lastReceived')}</dt>
          <dd data-kpi="cloud-last-pull">{formatAgo(link.lastPullAt, now)}</dd>
        </div>
      </dl>
      <p class="muted small">{link.url}</p>
    </section>
  );
}

function DownstreamTable({
  rows,
  now,
  note,
}: {
  rows: readonly DownstreamServerInfo[];
  now: number;
  note: ComponentChildren;
}) {
  const online = (r: DownstreamServerInfo): boolean => {
    const seen = lastContact(r);
    return !r.revoked && seen !== null && now - seen < ONLINE_WINDOW_MS;
  };
  const columns: Column<DownstreamServerInfo>[] = [
    { key: 'code', label: t('code'), value: (r) => r.code },
    { key: 'name', label: t('serverName'), value: (r) => r.name },
    {
      key: 'lastSeen',
      label: t('lastSeen'),
      value: (r) => {
        const seen = lastContact(r);
        return seen === null ? '' : new Date(seen).toISOString();
      },
      show: (r) => (
        <span class="till-state" data-online={online(r) ? 'yes' : 'no'}>
          <span class={online(r) ? 'dot ok' : 'dot off'} />{' '}
          {r.revoked ? t('revoked') : formatAgo(lastContact(r), now)}
        </span>
      ),
    },
    {
      key: 'unpushed',
      label: t('waitingToGoUp'),
      num: true,
      value: (r) => r.unpushed ?? '',
      show: (r) =>
        r.unpushed === null ? (
          '—'
        ) : (
          <>
            <span class={r.unpushed > 0 ? 'warn-text' : undefined}>{r.unpushed}</span>
            {r.unpushedAt !== null && (
              <small class="muted"> · {formatAgo(r.unpushedAt, now)}</small>
            )}
          </>
        ),
    },
    {
      key: 'behind',
      label: t('behind'),
      num: true,
      value: (r) => r.behind ?? '',
      show: (r) =>
        r.behind === null ? (
          '—'
        ) : (
          <>
            <span class={r.behind > 0 ? 'warn-text' : undefined}>{r.behind}</span>
            {r.pulledAt !== null && <small class="muted"> · {formatAgo(r.pulledAt, now)}</small>}
          </>
        ),
    },
  ];
  return (
    <DataTable
      name="shop-servers"
      title={t('shopServers')}
      columns={columns}
      rows={rows}
      rowKey={(r) => r.deviceId}
      note={note}
    />
  );
}

/**
 * When the server last heard from a server below it: its last push, its last pull, or its last
 * report of what it still had to push, whichever is latest (a server with nothing to push only
 * pulls).
 */
function lastContact(r: DownstreamServerInfo): number | null {
  const times = [r.lastSeenAt, r.pulledAt, r.unpushedAt].filter((x): x is number => x !== null);
  return times.length === 0 ? null : Math.max(...times);
}
