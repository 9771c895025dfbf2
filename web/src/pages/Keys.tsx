import { useState } from 'react';
import { Alert, Button, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Table, Tag } from 'antd';
import { post, type Department } from '../api.ts';
import { useErrorText } from '../errors.ts';
import { useI18n } from '../i18n.tsx';
import type { PageProps } from '../Shell.tsx';
import { SecretOnce } from './SecretOnce.tsx';
import { useList } from './useList.ts';

interface Key { id: string; department_id: string; name: string | null; prefix: string; created_at: number; expires_at: number | null; revoked_at: number | null }

export default function Keys(_props: PageProps) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const keys = useList<Key>('/api/keys');
  const depts = useList<Department>('/api/departments');
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm();
  const names = new Map(depts.data.map((d) => [d.id, d.display_name ?? d.name]));

  async function create(v: { department_id: string; name?: string; days?: number }) {
    setError(null);
    try {
      const r = await post<{ secret: string }>('/api/keys', { department_id: v.department_id, name: v.name || null, expires_at: v.days ? Date.now() + v.days * 86_400_000 : null });
      setSecret(r.secret);
      void keys.reload();
    } catch (err) {
      setError(errorText(err));
    }
  }
  async function revoke(id: string) {
    try {
      await post(`/api/keys/${id}/revoke`);
      void keys.reload();
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <div data-testid="page-keys">
      {(error || keys.error) && !open && <Alert type="error" showIcon message={error ?? keys.error} style={{ marginBottom: 16 }} />}
      <Button type="primary" style={{ marginBottom: 16 }} data-testid="key-new" onClick={() => { setSecret(null); setError(null); form.resetFields(); setOpen(true); }}>{t('keys.create')}</Button>
      <Table rowKey="id" size="middle" loading={keys.loading} dataSource={keys.data} data-testid="key-table" columns={[
        { title: t('common.name'), dataIndex: 'name', render: (v) => v ?? '—' },
        { title: t('keys.prefix'), dataIndex: 'prefix', render: (v) => <code>{v}…</code> },
        { title: t('common.department'), dataIndex: 'department_id', render: (v) => names.get(v) ?? v },
        { title: t('keys.expires'), dataIndex: 'expires_at', render: (v) => (v ? new Date(v).toLocaleDateString() : t('keys.never')) },
        { title: t('keys.status'), render: (_, k) => (k.revoked_at ? <Tag color="red">{t('keys.revoked')}</Tag> : <Tag color="green">{t('keys.active')}</Tag>) },
        { title: t('common.actions'), render: (_, k) => !k.revoked_at && (
          <Popconfirm title={t('keys.revoke')} onConfirm={() => revoke(k.id)}><Button size="small" danger data-testid={`revoke-${k.name ?? k.id}`}>{t('keys.revoke')}</Button></Popconfirm>
        ) },
      ]} />
      <Modal open={open} title={t('keys.create')} footer={null} onCancel={() => setOpen(false)} destroyOnHidden>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="key-error" />}
        {secret ? <SecretOnce secret={secret} /> : (
          <Form form={form} layout="vertical" onFinish={create} initialValues={{ department_id: depts.data[0]?.id }}>
            <Form.Item label={t('common.department')} name="department_id" rules={[{ required: true, message: t('form.required') }]}>
              <Select options={depts.data.map((d) => ({ value: d.id, label: d.display_name ?? d.name }))} data-testid="key-department" />
            </Form.Item>
            <Form.Item label={t('common.name')} name="name"><Input data-testid="key-name" /></Form.Item>
            <Form.Item label={t('keys.expiresDays')} name="days"><InputNumber min={-1000} max={3650} data-testid="key-days" /></Form.Item>
            <Space><Button type="primary" htmlType="submit" data-testid="key-create">{t('common.create')}</Button></Space>
          </Form>
        )}
      </Modal>
    </div>
  );
}
