import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, call, session, whoAmI, type Me, type PolicySummary } from './api/client';
import { CasePage } from './CasePage';
import { Field } from './components';
import { CustomerHome } from './CustomerHome';
import { I18nContext, translator, useI18n, type Lang } from './i18n';
import { OpenCase } from './OpenCase';
import { Queue } from './Queue';
import { Report } from './Report';
import { BASE, linkTo, useRoute } from './router';

const LANG_KEY = 'aftersales.desk.lang';

/** The desk: sign-in, then the pages of the caller's role. */
export function App() {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh-CN'));
  const i18n = useMemo(() => translator(lang), [lang]);
  const [me, setMe] = useState<Me | null | undefined>(session.token() ? undefined : null);
  const [policy, setPolicy] = useState<PolicySummary | null>(null);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = i18n.t('appTitle');
    localStorage.setItem(LANG_KEY, lang);
  }, [lang, i18n]);

  useEffect(() => {
    if (me !== undefined) return;
    void whoAmI().then((who) => {
      if (!who) session.clear();
      setMe(who);
    });
  }, [me]);

  useEffect(() => {
    if (!me) return;
    void call(() => api.GET('/v1/policy/summary')).then((result) => {
      if ('data' in result) setPolicy(result.data);
    });
  }, [me]);

  const switchLang = () => setLang(lang === 'zh-CN' ? 'en' : 'zh-CN');

  return (
    <I18nContext.Provider value={i18n}>
      <header className="top">
        <a href={BASE} className="brand" onClick={linkTo(BASE)}>
          {i18n.t('appTitle')}
        </a>
        {me && <Nav me={me} />}
        <div className="top-right">
          {me && (
            <span className="who">
              {i18n.t('signedInAs', { who: me.name ?? me.customerId ?? '', role: i18n.code('role', me.role) })}
            </span>
          )}
          <button type="button" onClick={switchLang} lang={lang === 'zh-CN' ? 'en' : 'zh-CN'} aria-label={`${i18n.t('language')}: ${i18n.t('switchTo')}`}>
            {i18n.t('switchTo')}
          </button>
          {me && (
            <button
              type="button"
              onClick={() => {
                session.clear();
                setMe(null);
              }}
            >
              {i18n.t('signOut')}
            </button>
          )}
        </div>
      </header>
      <main>
        {me === undefined ? <p>{i18n.t('loading')}</p> : me === null ? <SignIn onSignedIn={setMe} /> : <Pages me={me} policy={policy} />}
      </main>
      <footer>{i18n.t('timezoneNote')}</footer>
    </I18nContext.Provider>
  );
}

function Nav({ me }: { me: Me }) {
  const i18n = useI18n();
  const links: [string, string][] =
    me.role === 'customer'
      ? [
          [BASE, i18n.t('myCases')],
          [`${BASE}new`, i18n.t('newCase')],
        ]
      : [[BASE, i18n.t('queue')], [`${BASE}new`, i18n.t('openForCustomer')], ...(me.role === 'agent' ? [] : ([[`${BASE}report`, i18n.t('report')]] as [string, string][]))];
  return (
    <nav aria-label={i18n.t('mainNav')}>
      {links.map(([href, label]) => (
        <a key={href} href={href} onClick={linkTo(href)}>
          {label}
        </a>
      ))}
    </nav>
  );
}

function Pages({ me, policy }: { me: Me; policy: PolicySummary | null }) {
  const route = useRoute();
  const staff = me.role !== 'customer';
  const caseMatch = /^cases\/([^/]+)$/.exec(route);
  if (caseMatch) return <CasePage id={decodeURIComponent(caseMatch[1])} me={me} policy={policy} />;
  if (route === 'report' && (me.role === 'supervisor' || me.role === 'admin')) return <Report />;
  if (route === 'new') return <OpenCase me={me} policy={policy} />;
  return staff ? <Queue me={me} policy={policy} /> : <CustomerHome me={me} />;
}

function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const i18n = useI18n();
  const [token, setToken] = useState('');
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    session.set(token.trim());
    const who = await whoAmI();
    setBusy(false);
    if (who) {
      onSignedIn(who);
    } else {
      session.clear();
      setFailed(true);
    }
  }

  return (
    <form className="sign-in" onSubmit={(event) => void submit(event)}>
      <h1>{i18n.t('signInTitle')}</h1>
      <p>{i18n.t('signInHint')}</p>
      <Field label={i18n.t('token')} type="password" value={token} onChange={setToken} required name="token" />
      <button type="submit" disabled={busy}>
        {i18n.t('signIn')}
      </button>
      {failed && (
        <p role="alert" className="problem">
          {i18n.t('unknownToken')}
        </p>
      )}
    </form>
  );
}
