import { lazy, Suspense, type ComponentType } from 'react';
import { ChunkBoundary } from './ChunkBoundary.tsx';
import { Button, Layout, Menu, Space, Spin, Tag, Typography } from 'antd';
import { post, type Me } from './api.ts';
import { useI18n } from './i18n.tsx';
import { LangSwitch } from './LangSwitch.tsx';
import { PAGE_TITLE, pagesFor, type PageId } from './nav.ts';
import { navigate, usePath } from './router.ts';

export interface PageProps { me: Me }

// One chunk per page: a page's code (and ECharts, for the overview) loads when it is first opened.
const PAGES: Record<PageId, ComponentType<PageProps>> = {
  overview: lazy(() => import('./pages/Overview.tsx')),
  chat: lazy(() => import('./pages/Chat.tsx')),
  keys: lazy(() => import('./pages/Keys.tsx')),
  models: lazy(() => import('./pages/Models.tsx')),
  departments: lazy(() => import('./pages/Departments.tsx')),
  policies: lazy(() => import('./pages/Policies.tsx')),
  knowledge: lazy(() => import('./pages/Knowledge.tsx')),
  apps: lazy(() => import('./pages/Apps.tsx')),
  eval: lazy(() => import('./pages/Eval.tsx')),
  audit: lazy(() => import('./pages/Audit.tsx')),
};

export default function Shell({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const { t } = useI18n();
  const path = usePath();
  const pages = pagesFor(me);
  const asked = path.replace(/^\/+/, '').split('/')[0] as PageId;
  const current: PageId | undefined = pages.includes(asked) ? asked : pages[0];
  const Page = current ? PAGES[current] : null;

  async function signOut() {
    try { await post('/api/auth/logout'); } finally { onSignedOut(); }
  }

  return (
    <Layout style={{ minHeight: '100%' }}>
      <Layout.Sider width={210} theme="dark" breakpoint="lg" collapsedWidth={0}>
        <div className="brand">玉门 · Yumen</div>
        <div data-testid="nav"><Menu
          theme="dark" mode="inline" selectedKeys={current ? [current] : []}
          items={pages.map((p) => ({ key: p, label: <span data-testid={`nav-${p}`}>{t(PAGE_TITLE[p])}</span> }))}
          onClick={({ key }) => navigate(`/${key}`)}
        /></div>
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', display: 'flex', justifyContent: 'space-between', alignItems: 'center', padding: '0 24px' }}>
          <Typography.Title level={4} style={{ margin: 0 }}>{current ? t(PAGE_TITLE[current]) : t('app.name')}</Typography.Title>
          <Space>
            <span data-testid="whoami">{me.display_name ?? me.username}</span>
            {[...new Set(me.roles.map((r) => r.role))].map((r) => <Tag key={r} color="green">{t(`role.${r}` as never)}</Tag>)}
            <LangSwitch />
            <Button size="small" onClick={signOut} data-testid="signout">{t('signout')}</Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ margin: 24 }}>
          <ChunkBoundary key={current ?? ''}><Suspense fallback={<Spin />}>{Page && <Page me={me} />}</Suspense></ChunkBoundary>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
