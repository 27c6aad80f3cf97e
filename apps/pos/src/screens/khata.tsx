/**
 * Khata: every credit customer with what they owe and their limit (over-limit highlighted), a new
 * customer, and one customer's statement, ageing and payments. Works with no network; balances
 * recompute from the projection after every sale or payment.
 */
import type { Till } from '@smartkirana/client/till';
import { formatINR } from '@smartkirana/domain/money';
import { khataAgeing, khataBalances } from '@smartkirana/domain/reports-parties';
import { useMemo, useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { ActionNote, may, readRupees, today, useAction, useVersion } from './common.tsx';
import { CustomerPanel } from './khata-detail.tsx';

export function KhataScreen({ till }: { till: Till }) {
  const version = useVersion(till);
  const rows = useMemo(() => khataBalances(till.projection), [till, version]);
  const buckets = useMemo(
    () =>
      khataAgeing(till.projection, today()).reduce(
        (sum, r) => sum.map((v, i) => v + (r.buckets[i] ?? 0)),
        [0, 0, 0, 0],
      ),
    [till, version],
  );
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<string | undefined>();
  const [adding, setAdding] = useState(false);
  const q = query.trim().toLowerCase();
  const shown = q
    ? rows.filter((r) => r.name.toLowerCase().includes(q) || (r.phone ?? '').includes(q))
    : rows;
  const outstanding = rows.reduce((s, r) => s + Math.max(0, r.balance), 0);
  const over = rows.filter((r) => r.overLimit).length;
  const current = rows.find((r) => r.customerId === selected);

  return (
    <div class={current ? 'khata-grid has-selection' : 'khata-grid'}>
      <section class="pane khata-main">
        <div class="panel-head">
          <h2>{t('khCustomers')}</h2>
          {may(till, 'v1.CustomerCreated') && (
            <button class="chip" onClick={() => setAdding((a) => !a)} data-testid="khata-new">
              + {t('khAddCustomer')}
            </button>
          )}
        </div>
        <p class="muted">
          {t('khOutstanding')}: <strong>{formatINR(outstanding)}</strong>
          {over > 0 && (
            <span class="badge critical">
              {over} {t('khOverLimit')}
            </span>
          )}
        </p>
        <div class="ageing" data-testid="khata-ageing" aria-label={t('khAgeing')}>
          {(['0–30', '31–60', '61–90', '90+'] as const).map((label, i) => (
            <div key={label} class={i > 0 && (buckets[i] ?? 0) > 0 ? 'bucket late' : 'bucket'}>
              <small>
                {label} {t('khDays')}
              </small>
              <strong>{formatINR(buckets[i] ?? 0)}</strong>
            </div>
          ))}
        </div>
        {adding && (
          <NewCustomer
            till={till}
            onAdded={(id) => {
              setAdding(false);
              setSelected(id);
            }}
          />
        )}
        <input
          class="search"
          type="search"
          placeholder={t('khSearch')}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          data-testid="khata-search"
        />
        {shown.length === 0 && <p class="muted">{t('srNothing')}</p>}
        <ul class="stock-list" data-testid="khata-list">
          {shown.map((r) => (
            <li key={r.customerId}>
              <button
                class={[
                  'stock-row khata-row',
                  r.overLimit ? 'over' : '',
                  selected === r.customerId ? 'active' : '',
                ].join(' ')}
                onClick={() => setSelected(r.customerId)}
                data-testid="khata-row"
                data-name={r.name}
              >
                <span class="stock-name">
                  {r.name}
                  <small class="muted">
                    {[r.phone, `${t('khLimit')} ${formatINR(r.creditLimit)}`]
                      .filter(Boolean)
                      .join(' · ')}
                  </small>
                </span>
                <span class="num" data-testid="khata-balance">
                  {formatINR(r.balance)}
                </span>
                {r.overLimit && <span class="badge critical">{t('khOverLimit')}</span>}
              </button>
            </li>
          ))}
        </ul>
      </section>
      {current && (
        <CustomerPanel till={till} row={current} onClose={() => setSelected(undefined)} />
      )}
    </div>
  );
}

function NewCustomer({ till, onAdded }: { till: Till; onAdded: (customerId: string) => void }) {
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [limit, setLimit] = useState('');
  const action = useAction();
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const p = till.projection;
    if (!name.trim()) {
      action.fail(`${t('khName')}?`);
      return;
    }
    if (phone && !/^[6-9]\d{9}$/.test(phone)) {
      action.fail(t('khBadPhone'));
      return;
    }
    const taken = [...p.customers.ids()].find(
      (id) => phone && p.customers.get(id)?.get('phone') === phone,
    );
    if (taken) {
      action.fail(`${t('khPhoneTaken')}: ${p.customers.get(taken)?.get('name') ?? ''}`);
      return;
    }
    const creditLimit = readRupees(limit || '0', t('khLimit'));
    if (typeof creditLimit === 'string') {
      action.fail(creditLimit);
      return;
    }
    const customerId = crypto.randomUUID();
    const ok = await action.run(() =>
      till.commands.record('v1.CustomerCreated', {
        customerId,
        name: name.trim(),
        ...(phone ? { phone } : {}),
        creditLimit,
      }),
    );
    if (ok) onAdded(customerId);
  };
  return (
    <form class="inline-form" onSubmit={(e) => void submit(e)} data-testid="customer-form">
      <div class="form-grid">
        <label>
          {t('khName')}
          <input
            value={name}
            maxLength={120}
            onInput={(e) => setName(e.currentTarget.value)}
            data-testid="customer-name"
          />
        </label>
        <label>
          {t('khPhone')}
          <input
            inputMode="tel"
            maxLength={10}
            value={phone}
            onInput={(e) => setPhone(e.currentTarget.value.trim())}
            data-testid="customer-phone"
          />
        </label>
        <label>
          {t('khLimit')} (₹)
          <input
            inputMode="decimal"
            value={limit}
            onInput={(e) => setLimit(e.currentTarget.value)}
            data-testid="customer-limit"
          />
        </label>
      </div>
      <ActionNote action={action} />
      <button class="primary" disabled={action.busy} data-testid="customer-add">
        {t('khAddCustomer')}
      </button>
    </form>
  );
}
