/** First run: the owner enrolls this browser as a till (needs the network once). */
import { useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { enroll } from '../session.ts';

export function SetupScreen() {
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [tillName, setTillName] = useState('Counter');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await enroll({ phone, password, tillName, pin });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card narrow" onSubmit={(e) => void submit(e)}>
      <h1>{t('setupTitle')}</h1>
      <label>
        {t('ownerPhone')}
        <input
          name="phone"
          inputMode="numeric"
          autoComplete="username"
          value={phone}
          onInput={(e) => setPhone(e.currentTarget.value)}
          required
        />
      </label>
      <label>
        {t('password')}
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          required
        />
      </label>
      <label>
        {t('tillName')}
        <input
          name="tillName"
          value={tillName}
          onInput={(e) => setTillName(e.currentTarget.value)}
          required
        />
      </label>
      <label>
        {t('yourPin')}
        <input
          name="pin"
          inputMode="numeric"
          pattern="[0-9]{4,6}"
          value={pin}
          onInput={(e) => setPin(e.currentTarget.value)}
        />
      </label>
      {error && <p class="error">{error}</p>}
      <button class="primary" disabled={busy}>
        {t('enroll')}
      </button>
    </form>
  );
}
