import { useState } from 'react';
import { Alert, Button, Form, Input, Radio, Select, Space, Typography } from 'antd';
import { post } from '../api.ts';
import { useErrorText } from '../errors.ts';
import { useI18n } from '../i18n.tsx';

interface Values { name: string; provider: string; zone: string; base_url?: string; model?: string; api_key?: string; path?: string }

function toConfig(v: Values): Record<string, unknown> {
  const c: Record<string, unknown> = { name: v.name, provider: v.provider, zone: v.zone };
  if (v.provider === 'llama-cpp') c.path = v.path;
  else {
    c.base_url = v.base_url;
    if (v.model) c.model = v.model;
    if (v.api_key) c.api_key = v.api_key;
  }
  return c;
}

/** Add a model: a local GGUF file or an OpenAI-compatible server, with a connection test before saving. */
export function ModelForm({ onSaved }: { onSaved: () => void }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [form] = Form.useForm<Values>();
  const provider = Form.useWatch('provider', form) ?? 'openai-compatible';
  const [error, setError] = useState<string | null>(null);
  const [test, setTest] = useState<{ ok: boolean; detail: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function runTest() {
    setTest(null);
    setError(null);
    try {
      setTest(await post('/api/console/models/test', toConfig(form.getFieldsValue())));
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function save(v: Values) {
    setBusy(true);
    setError(null);
    try {
      await post('/api/models', toConfig(v));
      form.resetFields();
      onSaved();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form form={form} layout="vertical" onFinish={save} initialValues={{ provider: 'openai-compatible', zone: 'private' }} data-testid="model-form">
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="model-error" />}
      <Space style={{ display: 'flex' }} align="start">
        <Form.Item label={t('common.name')} name="name" rules={[{ required: true, message: t('form.required') }]}><Input data-testid="model-name" /></Form.Item>
        <Form.Item label={t('models.provider')} name="provider">
          <Select style={{ width: 200 }} options={[{ value: 'openai-compatible', label: 'OpenAI-compatible' }, { value: 'llama-cpp', label: 'llama.cpp (GGUF)' }]} />
        </Form.Item>
        <Form.Item label={t('models.zone')} name="zone">
          <Radio.Group optionType="button" options={[{ value: 'private', label: t('zone.private') }, { value: 'external', label: t('zone.external') }]} />
        </Form.Item>
      </Space>
      {provider === 'llama-cpp' ? (
        <Form.Item label={t('models.path')} name="path" extra={t('models.pullHint')} rules={[{ required: true, message: t('form.required') }]}><Input data-testid="model-path" /></Form.Item>
      ) : (
        <>
          <Form.Item label={t('models.baseUrl')} name="base_url" rules={[{ required: true, message: t('form.required') }]}><Input placeholder="http://vllm.internal:8000/v1" data-testid="model-base-url" /></Form.Item>
          <Space style={{ display: 'flex' }} align="start">
            <Form.Item label={t('models.upstreamModel')} name="model"><Input data-testid="model-upstream" /></Form.Item>
            <Form.Item label={t('models.apiKey')} name="api_key"><Input.Password autoComplete="off" /></Form.Item>
          </Space>
        </>
      )}
      {test && <Alert type={test.ok ? 'success' : 'warning'} showIcon style={{ marginBottom: 16 }} data-testid="model-test-result" message={`${test.ok ? t('models.testOk') : t('models.testFail')}: ${test.detail}`} />}
      <Typography.Paragraph type="secondary">{t('models.restartNote')}</Typography.Paragraph>
      <Space>
        <Button onClick={runTest} data-testid="model-test">{t('models.test')}</Button>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="model-save">{t('common.save')}</Button>
      </Space>
    </Form>
  );
}
