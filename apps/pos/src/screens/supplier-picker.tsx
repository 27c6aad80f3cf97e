/** Choose the supplier of a delivery (or none: opening stock), or add a new supplier on the spot. */
import type { Till } from '@smartkirana/client/till';
import { useMemo, useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { ActionNote, may, useAction, useVersion } from './common.tsx';

export function SupplierPicker({
  till,
  value,
  onChange,
}: {
  till: Till;
  value: string;
  onChange: (supplierId: string) => void;
}) {
  const version = useVersion(till);
  const suppliers = useMemo(
    () =>
      [...till.projection.suppliers.ids()]
        .map((id) => ({ id, name: till.projection.suppliers.get(id)?.get('name') ?? id }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    [till, version],
  );
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const action = useAction();
  const add = async (): Promise<void> => {
    if (!name.trim()) {
      action.fail(`${t('srSupplierName')}?`);
      return;
    }
    if (phone && !/^[6-9]\d{9}$/.test(phone)) {
      action.fail(t('khBadPhone'));
      return;
    }
    const supplierId = crypto.randomUUID();
    const ok = await action.run(() =>
      till.commands.record('v1.SupplierCreated', {
        supplierId,
        name: name.trim(),
        ...(phone ? { phone } : {}),
      }),
    );
    if (ok) {
      onChange(supplierId);
      setAdding(false);
      setName('');
      setPhone('');
    }
  };
  return (
    <div class="supplier-picker">
      <label>
        {t('srSupplier')}
        <select
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
          data-testid="receive-supplier"
        >
          <option value="">{t('srNoSupplier')}</option>
          {suppliers.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      {may(till, 'v1.SupplierCreated') && !adding && (
        <button type="button" class="link" onClick={() => setAdding(true)}>
          + {t('srNewSupplier')}
        </button>
      )}
      {adding && (
        <div class="form-row">
          <label>
            {t('srSupplierName')}
            <input
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              data-testid="supplier-name"
            />
          </label>
          <label>
            {t('khPhone')}
            <input
              inputMode="tel"
              value={phone}
              maxLength={10}
              onInput={(e) => setPhone(e.currentTarget.value.trim())}
            />
          </label>
          <button type="button" onClick={() => void add()} data-testid="supplier-add">
            {t('srSave')}
          </button>
          <button type="button" class="link" onClick={() => setAdding(false)}>
            {t('srCancel')}
          </button>
          <ActionNote action={action} />
        </div>
      )}
    </div>
  );
}
