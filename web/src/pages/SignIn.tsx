import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { post } from '../api.ts';
import { useErrorText } from '../errors.ts';
import { useI18n } from '../i18n.tsx';
import { LangSwitch } from '../LangSwitch.tsx';

export function SignIn({ oidc, onSignedIn }: { oidc: boolean; onSignedIn: () => void }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(values: { username: string; password: string }) {
    setBusy(true);
    setError(null);
    try {
      await post('/api/auth/login', values);
      onSignedIn();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="center-page">
      <div className="lang-corner"><LangSwitch /></div>
      <Card style={{ width: 380 }} data-testid="signin">
        <Typography.Title level={3} style={{ marginTop: 0 }}>{t('app.name')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('app.tagline')}</Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="signin-error" />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item label={t('signin.username')} name="username" rules={[{ required: true, message: t('form.required') }]}>
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item label={t('signin.password')} name="password" rules={[{ required: true, message: t('form.required') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>{t('signin.submit')}</Button>
        </Form>
        {oidc && <Button type="link" block href="/api/auth/oidc/login" style={{ marginTop: 8 }}>{t('signin.oidc')}</Button>}
      </Card>
    </div>
  );
}
