import { useMemo, useState } from 'react';
import { Alert, Button, Card, Col, Form, Input, Modal, Row, Select, Space, Table, Tag, Tree, Typography } from 'antd';
import { api, post, type Department } from '../api.ts';
import { useErrorText } from '../errors.ts';
import { useI18n } from '../i18n.tsx';
import { hasRole } from '../nav.ts';
import type { PageProps } from '../Shell.tsx';
import { useList } from './useList.ts';

interface User { id: string; username: string; display_name: string | null; disabled: boolean; roles: Array<{ role: string; department_id: string | null }> }
interface TreeNode { key: string; title: string; children: TreeNode[] }

function toTree(depts: Department[]): TreeNode[] {
  const nodes = new Map(depts.map((d) => [d.id, { key: d.id, title: d.display_name ?? d.name, children: [] as TreeNode[] }]));
  const roots: TreeNode[] = [];
  for (const d of depts) (d.parent_id && nodes.get(d.parent_id) ? nodes.get(d.parent_id)!.children : roots).push(nodes.get(d.id)!);
  return roots;
}

/** 三员分立 in the UI as in the API: the security administrator's and auditor's accounts are not managed here. */
const managedElsewhere = (u: User) => u.roles.some((r) => r.role === 'secadmin' || r.role === 'auditor');

export default function Departments({ me }: PageProps) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const depts = useList<Department>('/api/departments');
  const users = useList<User>('/api/users');
  const [error, setError] = useState<string | null>(null);
  const [modal, setModal] = useState<'dept' | 'user' | null>(null);
  const tree = useMemo(() => toTree(depts.data), [depts.data]);
  const names = new Map(depts.data.map((d) => [d.id, d.display_name ?? d.name]));
  const isSys = hasRole(me, 'sysadmin');

  async function run(fn: () => Promise<unknown>, after: () => void) {
    setError(null);
    try {
      await fn();
      setModal(null);
      after();
    } catch (err) {
      setError(errorText(err));
    }
  }
  const deptOptions = depts.data.map((d) => ({ value: d.id, label: d.display_name ?? d.name }));

  return (
    <div data-testid="page-departments">
      {(error || depts.error || users.error) && !modal && <Alert type="error" showIcon message={error ?? depts.error ?? users.error} style={{ marginBottom: 16 }} data-testid="dept-error" />}
      <Row gutter={16}>
        <Col span={8}>
          <Card data-testid="dept-tree" title={t('dept.tree')} extra={isSys && <Button size="small" onClick={() => { setError(null); setModal('dept'); }} data-testid="dept-new">{t('dept.create')}</Button>}>
            {tree.length ? <Tree key={depts.data.length} treeData={tree} defaultExpandAll /> : <Typography.Text type="secondary">{t('common.none')}</Typography.Text>}
          </Card>
        </Col>
        <Col span={16}>
          <Card title={t('users.title')} extra={<Button size="small" onClick={() => { setError(null); setModal('user'); }} data-testid="user-new">{t('users.create')}</Button>}>
            {isSys && <Typography.Paragraph type="secondary">{t('users.orgRoleNote')}</Typography.Paragraph>}
            <Table rowKey="id" size="small" loading={users.loading} dataSource={users.data} data-testid="user-table" columns={[
              { title: t('signin.username'), dataIndex: 'username' },
              { title: t('users.roles'), render: (_, u) => u.roles.map((r, i) => <Tag key={i}>{t(`role.${r.role}` as never)}{r.department_id ? ` · ${names.get(r.department_id) ?? ''}` : ''}</Tag>) },
              { title: t('keys.status'), render: (_, u) => (u.disabled ? <Tag color="red">{t('users.disabled')}</Tag> : <Tag color="green">{t('keys.active')}</Tag>) },
              { title: t('common.actions'), render: (_, u) => u.id !== me.id && !managedElsewhere(u) && (
                <Button size="small" data-testid={`toggle-${u.username}`} onClick={() => run(() => api('PATCH', `/api/users/${u.id}`, { disabled: !u.disabled }), users.reload)}>
                  {u.disabled ? t('users.enable') : t('users.disable')}
                </Button>
              ) },
            ]} />
          </Card>
        </Col>
      </Row>
      <Modal open={modal === 'dept'} title={t('dept.create')} footer={null} onCancel={() => setModal(null)} destroyOnHidden>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="dept-form-error" />}
        <Form layout="vertical" onFinish={(v) => run(() => post('/api/departments', { name: v.name, display_name: v.display_name || null, parent_id: v.parent_id ?? null }), depts.reload)}>
          <Form.Item label={t('common.name')} name="name" rules={[{ required: true, message: t('form.required') }]}><Input data-testid="dept-name" /></Form.Item>
          <Form.Item label={t('dept.displayName')} name="display_name"><Input /></Form.Item>
          <Form.Item label={t('dept.parent')} name="parent_id"><Select allowClear options={deptOptions} data-testid="dept-parent" /></Form.Item>
          <Button type="primary" htmlType="submit" data-testid="dept-create">{t('common.create')}</Button>
        </Form>
      </Modal>
      <Modal open={modal === 'user'} title={t('users.create')} footer={null} onCancel={() => setModal(null)} destroyOnHidden>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="user-form-error" />}
        <Form layout="vertical" initialValues={{ role: 'member' }}
          onFinish={(v) => run(() => post('/api/users', { username: v.username, password: v.password, display_name: v.display_name || null, roles: [{ role: v.role, department_id: v.department_id }] }), users.reload)}>
          <Form.Item label={t('signin.username')} name="username" rules={[{ required: true, message: t('form.required') }]}><Input data-testid="user-name" /></Form.Item>
          <Form.Item label={t('signin.password')} name="password" rules={[{ required: true, message: t('form.required') }]}><Input.Password data-testid="user-password" autoComplete="new-password" /></Form.Item>
          <Form.Item label={t('dept.displayName')} name="display_name"><Input /></Form.Item>
          <Space align="start">
            {/* Organisation-wide roles are made at first run; here only department roles are granted. */}
            <Form.Item label={t('users.roles')} name="role"><Select style={{ width: 180 }} options={['member', 'dept_admin'].map((r) => ({ value: r, label: t(`role.${r}` as never) }))} /></Form.Item>
            <Form.Item label={t('common.department')} name="department_id" rules={[{ required: true, message: t('form.required') }]}><Select style={{ width: 220 }} options={deptOptions} data-testid="user-department" /></Form.Item>
          </Space>
          <div><Button type="primary" htmlType="submit" data-testid="user-create">{t('common.create')}</Button></div>
        </Form>
      </Modal>
    </div>
  );
}
