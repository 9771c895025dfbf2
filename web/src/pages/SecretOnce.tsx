import { useState } from 'react';
import { Alert, Button, Input, Space } from 'antd';
import { useI18n } from '../i18n.tsx';

/** A new API key, shown this once with a copy button. */
export function SecretOnce({ secret }: { secret: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch { /* clipboard refused (plain http): the field can be selected by hand */ }
  }
  return (
    <Alert type="success" showIcon message={t('keys.secretOnce')} data-testid="secret-once" description={
      <Space.Compact style={{ width: '100%' }}>
        <Input readOnly value={secret} data-testid="secret-value" onFocus={(e) => e.target.select()} />
        <Button onClick={copy}>{copied ? t('keys.copied') : t('keys.copy')}</Button>
      </Space.Compact>
    } />
  );
}
