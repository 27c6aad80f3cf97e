/** The shell: enroll → staff sign-in → counter, with the sync status always visible. */
import { useEffect, useState } from 'preact/hooks';
import { lang, setLang, t } from './i18n.ts';
import { loadCredential, openTill, till } from './session.ts';
import { useSignal } from './signal.ts';
import { pendingUpdate } from './update.ts';
import { Counter } from './screens/counter.tsx';
import { KhataScreen } from './screens/khata.tsx';
import { OwnerScreen } from './screens/owner.tsx';
import { StockRoom } from './screens/stock-room.tsx';
import type { StringKey } from './i18n.ts';
import { SetupScreen } from './screens/setup.tsx';
import { SignInScreen } from './screens/signin.tsx';
import { StatusBar } from './screens/status-bar.tsx';

type ScreenId = 'counter' | 'stock' | 'khata' | 'owner';

/** The screens after sign-in, and who sees them. */
const SCREENS: { id: ScreenId; label: StringKey; roles: string[] }[] = [
  { id: 'counter', label: 'navCounter', roles: ['owner', 'manager', 'cashier'] },
  { id: 'stock', label: 'navStock', roles: ['owner', 'manager', 'stockkeeper', 'cashier'] },
  { id: 'khata', label: 'navKhata', roles: ['owner', 'manager', 'cashier'] },
  { id: 'owner', label: 'navOwner', roles: ['owner', 'manager', 'accountant'] },
];

export function App() {
  const current = useSignal(till);
  const language = useSignal(lang);
  const update = useSignal(pendingUpdate);
  const [, setActor] = useState(0);
  const [error, setError] = useState<string | undefined>();
  const [screen, setScreen] = useState<ScreenId>('counter');
  const [unenrolled, setUnenrolled] = useState(false);

  useEffect(() => {
    loadCredential()
      .then(async (credential) => {
        if (!credential) setUnenrolled(true);
        else if (!till.value) await openTill(credential);
      })
      .catch((e: unknown) => setError(String(e)));
  }, []);

  const actor = current?.actor;
  return (
    <div class="shell">
      <header class="top">
        <strong>{t('appName')}</strong>
        {current && <StatusBar till={current} />}
        <span class="spacer" />
        {actor && (
          <span class="who">
            {actor.name} · {actor.role}
          </span>
        )}
        <button
          class="link"
          onClick={() => setLang(language === 'en' ? 'hi' : 'en')}
          aria-label="language"
        >
          {language === 'en' ? 'हिंदी' : 'English'}
        </button>
        {actor && (
          <button
            class="link"
            onClick={() => {
              current.signOut();
              setActor((n) => n + 1);
            }}
          >
            {t('signOut')}
          </button>
        )}
      </header>
      {error && <p class="error">{error}</p>}
      {update && (
        <div class="update-banner" role="status">
          {t('updateReady')}
          <button onClick={() => void update()}>{t('updateNow')}</button>
        </div>
      )}
      <main>
        {!current && unenrolled && <SetupScreen />}
        {current && !actor && (
          <SignInScreen till={current} onSignedIn={() => setActor((n) => n + 1)} />
        )}
        {current && actor && (
          <>
            <nav class="tabs" aria-label="screens">
              {SCREENS.filter((s) => s.roles.includes(actor.role)).map((s) => (
                <button
                  key={s.id}
                  class={screen === s.id ? 'tab active' : 'tab'}
                  onClick={() => setScreen(s.id)}
                  data-screen={s.id}
                >
                  {t(s.label)}
                </button>
              ))}
            </nav>
            {screen === 'counter' && <Counter till={current} />}
            {screen === 'stock' && <StockRoom till={current} />}
            {screen === 'khata' && <KhataScreen till={current} />}
            {screen === 'owner' && <OwnerScreen till={current} />}
          </>
        )}
      </main>
    </div>
  );
}
