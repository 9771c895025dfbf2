import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { ConfigProvider, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { get, type Me } from './api.ts';
import { useI18n } from './i18n.tsx';
import { navigate, usePath } from './router.ts';
import { SignIn } from './pages/SignIn.tsx';
import { ChunkBoundary } from './ChunkBoundary.tsx';

const Shell = lazy(() => import('./Shell.tsx'));
const Setup = lazy(() => import('./pages/Setup.tsx'));

export const theme = { token: { colorPrimary: '#1f6f5c', borderRadius: 6 } };

/** Decides between first-run setup, sign-in and the signed-in console. */
export function App() {
  const { lang } = useI18n();
  const path = usePath();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [setupPending, setSetupPending] = useState(false);
  const [oidc, setOidc] = useState(false);

  const refresh = useCallback(async () => {
    try {
      const { user } = await get<{ user: Me }>('/api/auth/me');
      setMe(user);
      setSetupPending(false);
    } catch {
      setMe(null);
      try {
        const s = await get<{ pending: boolean; oidc: boolean }>('/api/setup');
        setSetupPending(s.pending);
        setOidc(s.oidc);
      } catch { setSetupPending(false); }
    }
  }, []);
  useEffect(() => { void refresh(); }, [refresh]);

  useEffect(() => {
    if (me === null && setupPending && path !== '/setup') navigate('/setup');
  }, [me, setupPending, path]);

  let body;
  if (me === undefined) body = <Spin style={{ marginTop: 120, width: '100%' }} />;
  else if (path === '/setup' && (setupPending || me)) body = <Setup me={me} onSignedIn={refresh} />;
  else if (!me) body = <SignIn oidc={oidc} onSignedIn={refresh} />;
  else body = <Shell me={me} onSignedOut={() => { setMe(null); navigate('/'); }} />;

  return (
    <ConfigProvider locale={lang === 'en' ? enUS : zhCN} theme={theme}>
      <ChunkBoundary><Suspense fallback={<Spin style={{ marginTop: 120, width: '100%' }} />}>{body}</Suspense></ChunkBoundary>
    </ConfigProvider>
  );
}
