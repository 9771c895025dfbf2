import { useEffect, useState } from 'react';
import { Alert, Button, Modal, Popconfirm, Table, Tag } from 'antd';
import { api, get } from '../api.ts';
import { useErrorText } from '../errors.ts';
import { useI18n } from '../i18n.tsx';
import type { PageProps } from '../Shell.tsx';
import { ModelForm } from './ModelForm.tsx';
import { useList } from './useList.ts';

interface Model { name: string; provider: string; zone: string; source: string; config: Record<string, any> }
interface BackendHealth { backend: string; state: 'healthy' | 'cooling_down'; in_flight: number; cooldown_until?: number }

export default function Models(_props: PageProps) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const models = useList<Model>('/api/models');
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [health, setHealth] = useState<Map<string, BackendHealth[]>>(new Map());
  useEffect(() => {
    get<{ data: Array<{ model: string; backends: BackendHealth[] }> }>('/api/console/models/health')
      .then((h) => setHealth(new Map(h.data.map((m) => [m.model, m.backends]))), () => setHealth(new Map()));
  }, [models.data]);

  async function remove(name: string) {
    try {
      await api('DELETE', `/api/models/${encodeURIComponent(name)}`);
      void models.reload();
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <div data-testid="page-models">
      {(error || models.error) && <Alert type="error" showIcon message={error ?? models.error} style={{ marginBottom: 16 }} />}
      <Button type="primary" style={{ marginBottom: 16 }} onClick={() => setOpen(true)} data-testid="model-add">{t('models.add')}</Button>
      <Table rowKey="name" loading={models.loading} dataSource={models.data} data-testid="model-table" columns={[
        { title: t('common.name'), dataIndex: 'name' },
        { title: t('models.provider'), dataIndex: 'provider' },
        { title: t('models.zone'), dataIndex: 'zone', render: (z) => <Tag color={z === 'external' ? 'orange' : 'green'}>{t(z === 'external' ? 'zone.external' : 'zone.private')}</Tag> },
        { title: t('models.backends'), render: (_, m) => (Array.isArray(m.config.backends) ? m.config.backends.map((b: any) => b.base_url).join(', ') : m.config.base_url ?? m.config.path ?? '—') },
        { title: t('models.health'), render: (_, m) => (health.get(m.name) ?? []).map((b) => (
          <Tag key={b.backend} color={b.state === 'healthy' ? 'green' : 'red'} data-testid="backend-state" data-state={b.state} title={b.backend}>
            {t(b.state === 'healthy' ? 'models.healthy' : 'models.coolingDown')} · {b.in_flight} {t('models.inFlight')}
          </Tag>
        )) },
        { title: t('models.source'), dataIndex: 'source' },
        { title: t('common.actions'), render: (_, m) => m.source !== 'config' && (
          <Popconfirm title={t('common.confirmDelete')} onConfirm={() => remove(m.name)}><Button size="small" danger>{t('common.delete')}</Button></Popconfirm>
        ) },
      ]} />
      <Modal open={open} title={t('models.add')} footer={null} width={720} onCancel={() => setOpen(false)} destroyOnHidden>
        <ModelForm onSaved={() => { setOpen(false); void models.reload(); }} />
      </Modal>
    </div>
  );
}
