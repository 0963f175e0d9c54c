import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { changeLanguage, languages } from '../i18n/index.ts';

/** Checks a key against the API before keeping it. */
async function checkKey(key: string): Promise<'ok' | 'rejected' | 'unreachable'> {
  try {
    const response = await fetch('/v1/journeys', { headers: { Authorization: `Bearer ${key}` } });
    if (response.status === 401 || response.status === 403) return 'rejected';
    return 'ok';
  } catch {
    return 'unreachable';
  }
}

const ApiKey = z.string().trim().min(8);

/** "Paste your API key": the key `npm start` prints, kept in this browser only. */
export function LoginScreen({ onSignIn }: { onSignIn: (key: string) => void }) {
  const { t, i18n } = useTranslation();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const parsed = ApiKey.safeParse(key);
    if (!parsed.success) return setError(t('login.tooShort'));
    setBusy(true);
    const result = await checkKey(parsed.data);
    setBusy(false);
    if (result === 'ok') onSignIn(parsed.data);
    else setError(t(result === 'rejected' ? 'login.rejected' : 'login.unreachable'));
  };
  return (
    <main className="login">
      <form
        className="login-card"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h1>
          <span className="brand-mark" aria-hidden="true" /> Waymark
        </h1>
        <p className="muted">{t('login.intro')}</p>
        <label className="field">
          <span>{t('login.apiKey')}</span>
          <input type="password" autoComplete="off" autoFocus value={key} onChange={(e) => setKey(e.target.value)} aria-invalid={error !== null} aria-describedby="login-error" />
        </label>
        <p id="login-error" role="alert" className="error-text">
          {error}
        </p>
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {t('login.signIn')}
        </button>
        <p className="muted small">{t('login.hint')}</p>
        <div className="login-langs">
          {languages.map((l) => (
            <button key={l.code} type="button" className="btn btn-link" aria-pressed={i18n.language === l.code} onClick={() => void changeLanguage(l.code)}>
              {l.label}
            </button>
          ))}
        </div>
      </form>
    </main>
  );
}
