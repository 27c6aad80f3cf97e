/** Staff sign-in with a PIN, checked on the till itself: works with no network. */
import type { Till } from '@smartkirana/client/till';
import type { StaffMember } from '@smartkirana/client/transport';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n.ts';

export function SignInScreen({ till, onSignedIn }: { till: Till; onSignedIn: () => void }) {
  const [staff, setStaff] = useState<StaffMember[]>([]);
  const [who, setWho] = useState<string | undefined>();
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const load = async (): Promise<void> => {
      const local = await till.staff();
      setStaff(local);
      const fresh = await till.refreshStaff().catch(() => undefined);
      if (fresh) setStaff(fresh);
    };
    void load();
  }, [till]);
  const withPin = staff.filter((s) => s.pinHash);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (!who) return;
    const ok = await till.signIn(who, pin);
    setPin('');
    if (ok) onSignedIn();
    else setError(t('wrongPin'));
  };
  return (
    <form class="card narrow" onSubmit={(e) => void submit(e)}>
      <h1>{t('signIn')}</h1>
      <div class="staff-list">
        {withPin.map((s) => (
          <button
            type="button"
            key={s.userId}
            class={who === s.userId ? 'chip active' : 'chip'}
            onClick={() => setWho(s.userId)}
            data-user={s.userId}
          >
            {s.name} <small>{s.role}</small>
          </button>
        ))}
      </div>
      <label>
        {t('enterPin')}
        <input
          name="pin"
          type="password"
          inputMode="numeric"
          autoComplete="off"
          value={pin}
          onInput={(e) => setPin(e.currentTarget.value)}
        />
      </label>
      {error && <p class="error">{error}</p>}
      <button class="primary" disabled={!who || pin.length < 4}>
        {t('signIn')}
      </button>
    </form>
  );
}
