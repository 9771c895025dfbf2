import { useEffect, useState } from 'react';
import { Alert, AutoComplete, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { api, get, post, type Department } from '../api.ts';
import { useErrorText } from '../errors.ts';
import { useI18n } from '../i18n.tsx';
import { hasRole, ownDepartments } from '../nav.ts';
import type { PageProps } from '../Shell.tsx';
import { useList } from './useList.ts';

interface App {
  slug: string; name: string; description: string | null; department_id: string; model: string; system_prompt: string;
  knowledge_bases: string[]; welcome: string | null; suggested_questions: string[]; shared_with: string[];
}
interface Exported { name: string; files: Record<string, unknown>; stats: Record<string, number> }
/** The export as the page offers it: figures, and each file as a Blob URL for a download link. */
interface Offered { stats: Record<string, number>; links: Array<{ file: string; url: string }> }

/** The {{variables}} a prompt uses, as the gateway will ask callers to fill them. */
const variablesOf = (prompt: string) => [...new Set([...prompt.matchAll(/\{\{\s*([\p{L}\p{N}_]+)\s*\}\}/gu)].map((m) => m[1]))];

/** Business-scenario apps of a department and the export of its curated training data (数据飞轮). */
export default function Apps({ me }: PageProps) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [departments, setDepartments] = useState<Department[]>([]);
  const mine = hasRole(me, 'sysadmin') ? departments.map((d) => d.id) : ownDepartments(me);
  const [department, setDepartment] = useState<string | undefined>(ownDepartments(me)[0]);
  const [models, setModels] = useState<string[]>([]);
  const [bases, setBases] = useState<string[]>([]);
  const [editing, setEditing] = useState<App | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [exported, setExported] = useState<Offered | null>(null);
  const [form] = Form.useForm();
  const prompt = Form.useWatch('system_prompt', form) ?? '';
  const list = useList<App>(department ? `/api/apps?department_id=${encodeURIComponent(department)}` : null);

  useEffect(() => {
    get<{ data: Department[] }>('/api/departments').then((r) => {
      setDepartments(r.data);
      setDepartment((d) => d ?? r.data[0]?.id);
    }, (e) => setError(errorText(e)));
    get<{ data: Array<{ name: string }> }>('/api/models').then((r) => setModels(r.data.map((m) => m.name)), () => setModels([]));
  }, []);
  useEffect(() => {
    if (!department || !ownDepartments(me).includes(department)) return setBases([]);
    api<{ data: Array<{ name: string }> }>('GET', '/api/console/kb', undefined, { 'x-yumen-department': department })
      .then((r) => setBases(r.data.map((b) => b.name)), () => setBases([]));
  }, [department]);

  // Writing is for the system administrator and the administrators of the department shown.
  const admin = hasRole(me, 'sysadmin') || me.roles.some((r) => r.role === 'dept_admin' && r.department_id === department);
  const names = new Map(departments.map((d) => [d.id, d.display_name ?? d.name]));
  const open = (a: App | 'new') => {
    setEditing(a);
    setFormError(null);
    form.resetFields();
    if (a !== 'new') form.setFieldsValue({ ...a, description: a.description ?? '', welcome: a.welcome ?? '' });
  };

  async function save(v: Record<string, any>) {
    const body = {
      name: v.name, model: v.model, system_prompt: v.system_prompt ?? '', description: v.description || null, welcome: v.welcome || null,
      knowledge_bases: v.knowledge_bases ?? [], suggested_questions: v.suggested_questions ?? [], shared_with: v.shared_with ?? [],
    };
    try {
      if (editing === 'new') await post('/api/apps', { slug: v.slug, department_id: department, ...body });
      else await api('PATCH', `/api/apps/${encodeURIComponent((editing as App).slug)}`, body);
      setEditing(null);
      void list.reload();
    } catch (err) { setFormError(errorText(err)); }
  }

  async function remove(slug: string) {
    try { await api('DELETE', `/api/apps/${encodeURIComponent(slug)}`); void list.reload(); } catch (err) { setError(errorText(err)); }
  }

  async function exportDataset(v: Record<string, any>) {
    try {
      const r = await post<Exported>('/api/datasets/export', {
        department_id: department, format: v.format, min_rating: v.min_rating, ...(v.since ? { since: v.since } : {}), ...(v.app ? { app: v.app } : {}),
      });
      exported?.links.forEach((l) => URL.revokeObjectURL(l.url));
      setExported({
        stats: r.stats,
        links: Object.entries(r.files).map(([file, content]) => ({ file, url: URL.createObjectURL(new Blob([JSON.stringify(content, null, 2)], { type: 'application/json' })) })),
      });
      setError(null);
    } catch (err) { setError(errorText(err)); }
  }

  const shown = list.error ?? error;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle" data-testid="page-apps">
      {shown && <Alert type="error" showIcon closable onClose={() => setError(null)} message={shown} data-testid="apps-error" />}
      <Space wrap>
        <Select style={{ width: 200 }} value={department} onChange={setDepartment} options={mine.map((id) => ({ value: id, label: names.get(id) ?? id }))} />
        {admin && <Button type="primary" onClick={() => open('new')} disabled={!department} data-testid="app-new">{t('apps.create')}</Button>}
      </Space>
      <Table size="small" rowKey="slug" dataSource={list.data} loading={list.loading} pagination={false} data-testid="apps-table" columns={[
        { title: t('apps.slug'), render: (_, a) => <Typography.Text code>app:{a.slug}</Typography.Text> },
        { title: t('common.name'), dataIndex: 'name' },
        { title: t('chat.model'), dataIndex: 'model' },
        { title: t('chat.knowledge'), render: (_, a) => a.knowledge_bases.map((k) => <Tag key={k}>{k}</Tag>) },
        { title: t('apps.sharedWith'), render: (_, a) => a.department_id !== department ? <Tag color="blue">{t('apps.sharedBy', { dept: names.get(a.department_id) ?? a.department_id })}</Tag> : a.shared_with.map((d) => <Tag key={d}>{names.get(d) ?? d}</Tag>) },
        ...(admin ? [{
          title: t('common.actions'), render: (_: unknown, a: App) => a.department_id === department && (
            <Space>
              <Button size="small" onClick={() => open(a)} data-testid={`app-edit-${a.slug}`}>{t('apps.edit')}</Button>
              <Popconfirm title={t('common.confirmDelete')} onConfirm={() => remove(a.slug)} okButtonProps={{ 'data-testid': 'confirm-ok' } as never}>
                <Button size="small" danger data-testid={`app-delete-${a.slug}`}>{t('common.delete')}</Button>
              </Popconfirm>
            </Space>
          ),
        }] : []),
      ]} />
      {admin && department && (
        <Card title={t('dataset.title')} size="small" data-testid="dataset-card">
          <Typography.Paragraph type="secondary">{t('dataset.intro')}</Typography.Paragraph>
          <Form layout="inline" initialValues={{ format: 'alpaca', min_rating: 0 }} onFinish={exportDataset}>
            <Form.Item name="format" label={t('dataset.format')}><Select style={{ width: 120 }} options={[{ value: 'alpaca' }, { value: 'sharegpt' }]} data-testid="dataset-format" /></Form.Item>
            <Form.Item name="min_rating" label={t('dataset.minRating')}><Select style={{ width: 100 }} options={[-1, 0, 1].map((n) => ({ value: n, label: String(n) }))} /></Form.Item>
            <Form.Item name="since" label={t('dataset.since')} rules={[{ pattern: /^\d{4}-\d{2}-\d{2}$/, message: 'YYYY-MM-DD' }]}><Input placeholder="YYYY-MM-DD" style={{ width: 130 }} data-testid="dataset-since" /></Form.Item>
            <Form.Item name="app" label={t('dataset.app')}><Select allowClear style={{ width: 180 }} options={list.data.map((a) => ({ value: a.slug, label: a.name }))} /></Form.Item>
            <Button htmlType="submit" data-testid="dataset-export">{t('dataset.export')}</Button>
          </Form>
          {exported && (
            <div style={{ marginTop: 12 }} data-testid="dataset-result">
              <Space wrap data-testid="dataset-stats">{Object.entries(exported.stats).map(([k, n]) => <Tag key={k}>{k}: {n}</Tag>)}</Space>
              <div style={{ marginTop: 8 }}><Space wrap>{exported.links.map(({ file, url }) => (
                <a key={file} download={file} href={url} data-testid="dataset-file">{file}</a>
              ))}</Space></div>
            </div>
          )}
        </Card>
      )}
      <Modal open={editing !== null} title={editing === 'new' ? t('apps.create') : t('apps.edit')} width={720} destroyOnClose
        onCancel={() => setEditing(null)} onOk={() => form.submit()} okText={t('common.save')} cancelText={t('common.cancel')} okButtonProps={{ 'data-testid': 'app-save' } as never}>
        {formError && <Alert type="error" showIcon message={formError} style={{ marginBottom: 12 }} data-testid="app-form-error" />}
        <Form form={form} layout="vertical" onFinish={save} data-testid="app-form" preserve={false}>
          <Form.Item name="slug" label={t('apps.slug')} rules={[{ required: true, message: t('form.required') }, { pattern: /^[a-z0-9][a-z0-9_-]{0,62}$/, message: t('apps.slugHelp') }]}>
            <Input addonBefore="app:" disabled={editing !== 'new'} data-testid="app-slug" />
          </Form.Item>
          <Form.Item name="name" label={t('common.name')} rules={[{ required: true, message: t('form.required') }]}><Input data-testid="app-name" /></Form.Item>
          <Form.Item name="model" label={t('chat.model')} rules={[{ required: true, message: t('form.required') }]}>
            <AutoComplete options={['auto', ...models].map((m) => ({ value: m }))} data-testid="app-model" />
          </Form.Item>
          <Form.Item name="system_prompt" label={t('apps.prompt')} extra={variablesOf(prompt).length ? `${t('apps.variables')}: ${variablesOf(prompt).join(', ')}` : t('apps.promptHelp')}>
            <Input.TextArea autoSize={{ minRows: 3, maxRows: 10 }} data-testid="app-prompt" />
          </Form.Item>
          <Form.Item name="knowledge_bases" label={t('chat.knowledge')}><Select mode="tags" options={bases.map((b) => ({ value: b }))} /></Form.Item>
          <Form.Item name="description" label={t('apps.description')}><Input /></Form.Item>
          <Form.Item name="welcome" label={t('apps.welcome')}><Input data-testid="app-welcome" /></Form.Item>
          <Form.Item name="suggested_questions" label={t('apps.questions')}><Select mode="tags" open={false} data-testid="app-questions" /></Form.Item>
          <Form.Item name="shared_with" label={t('apps.sharedWith')}>
            <Select mode="multiple" options={departments.filter((d) => d.id !== department).map((d) => ({ value: d.id, label: d.display_name ?? d.name }))} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
