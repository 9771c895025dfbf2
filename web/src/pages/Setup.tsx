import { useState } from 'react';
import { Alert, Button, Card, Divider, Form, Input, Space, Steps, Typography } from 'antd';
import { post, type Me } from '../api.ts';
import { useErrorText } from '../errors.ts';
import { useI18n } from '../i18n.tsx';
import { LangSwitch } from '../LangSwitch.tsx';
import { navigate } from '../router.ts';
import { ModelForm } from './ModelForm.tsx';
import { SecretOnce } from './SecretOnce.tsx';

const ROLES = ['sysadmin', 'secadmin', 'auditor'] as const;

/** First run: the three administrators, then (as the sysadmin) a first model, department and key. */
export default function Setup({ me, onSignedIn }: { me: Me | null; onSignedIn: () => Promise<void> }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [step, setStep] = useState(me ? 1 : 0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const token = new URLSearchParams(location.search).get('token') ?? '';

  async function run(fn: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try { await fn(); } catch (err) { setError(errorText(err)); } finally { setBusy(false); }
  }

  const createAccounts = (v: Record<string, string>) => run(async () => {
    const body: Record<string, unknown> = { token: v.token };
    for (const r of ROLES) body[r] = { username: v[`${r}_username`], password: v[`${r}_password`] };
    await post('/api/setup', body);
    history.replaceState(null, '', '/setup');
    setStep(1);
  });

  const createDepartment = (v: { department: string; key_name?: string }) => run(async () => {
    const dept = await post<{ id: string }>('/api/departments', { name: v.department });
    const { secret } = await post<{ secret: string }>('/api/keys', { department_id: dept.id, name: v.key_name || null });
    setSecret(secret);
  });

  const finish = async () => {
    await onSignedIn();
    navigate('/overview');
  };

  return (
    <div className="center-page" style={{ padding: 24 }}>
      <div className="lang-corner"><LangSwitch /></div>
      <Card style={{ width: 720 }} data-testid="setup">
        <Typography.Title level={3} style={{ marginTop: 0 }}>{t('setup.title')}</Typography.Title>
        <Steps current={step} size="small" style={{ marginBottom: 24 }} items={[
          { title: t('setup.step.accounts') }, { title: t('setup.step.model') }, { title: t('setup.step.department') }, { title: t('setup.step.finish') },
        ]} />
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="setup-error" />}
        {step === 0 && (
          <Form layout="vertical" onFinish={createAccounts} initialValues={{ token, sysadmin_username: 'sysadmin', secadmin_username: 'secadmin', auditor_username: 'auditor' }}>
            <Typography.Paragraph>{t('setup.intro')}</Typography.Paragraph>
            <Form.Item label={t('setup.token')} name="token" extra={t('setup.tokenHelp')} rules={[{ required: true, message: t('form.required') }]}><Input /></Form.Item>
            {ROLES.map((r) => (
              <Space key={r} align="start" style={{ display: 'flex' }}>
                <Form.Item label={`${t(`role.${r}`)} · ${t('signin.username')}`} name={`${r}_username`} rules={[{ required: true, message: t('form.required') }]}><Input data-testid={`${r}-username`} /></Form.Item>
                <Form.Item label={t('signin.password')} name={`${r}_password`} rules={[{ required: true, message: t('form.required') }]}><Input.Password data-testid={`${r}-password`} autoComplete="new-password" /></Form.Item>
              </Space>
            ))}
            <Button type="primary" htmlType="submit" loading={busy} data-testid="setup-create">{t('setup.create')}</Button>
          </Form>
        )}
        {step === 1 && (
          <>
            <ModelForm onSaved={() => setStep(2)} />
            <Divider />
            <Button onClick={() => setStep(2)} data-testid="setup-skip-model">{t('setup.skip')}</Button>
          </>
        )}
        {step === 2 && (
          <>
            <Form layout="vertical" onFinish={createDepartment}>
              <Form.Item label={t('common.department')} name="department" rules={[{ required: true, message: t('form.required') }]}><Input data-testid="setup-department" /></Form.Item>
              <Form.Item label={`${t('nav.keys')} · ${t('common.name')}`} name="key_name"><Input /></Form.Item>
              {!secret && <Button type="primary" htmlType="submit" loading={busy} data-testid="setup-department-create">{t('common.create')}</Button>}
            </Form>
            {secret && <SecretOnce secret={secret} />}
            <Divider />
            <Button type={secret ? 'primary' : 'default'} onClick={() => setStep(3)} data-testid="setup-next">{secret ? t('setup.next') : t('setup.skip')}</Button>
          </>
        )}
        {step === 3 && <Button type="primary" onClick={finish} data-testid="setup-finish">{t('setup.finish')}</Button>}
      </Card>
    </div>
  );
}
