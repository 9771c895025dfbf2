import { useEffect, useState } from 'react';
import { Alert, Button, Card, Col, Collapse, Form, Input, Modal, Popconfirm, Row, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import { api, get, post, type Department } from '../api.ts';
import { useErrorText } from '../errors.ts';
import { useI18n } from '../i18n.tsx';
import type { PageProps } from '../Shell.tsx';
import { useList } from './useList.ts';

interface PolicyView { own: unknown; layers: Array<{ source: string; policy: unknown }>; effective: unknown }
interface ScanResult {
  level: string;
  findings: Array<{ type: string; level: string; text: string; start: number; end: number }>;
  zones: Record<'private' | 'external', { action: string; text: string | null; redactions: number }>;
}
interface Dictionary { id: string; name: string; terms: Array<{ term: string; label: string }> }

/** Reads both shapes of GET /departments/{id}/policy: {own, layers, effective} and the older {policy, effective:{policy, source_department_id}}. */
function readPolicy(r: any): PolicyView {
  if ('own' in r) return r;
  return { own: r.policy, layers: r.effective ? [{ source: r.effective.source_department_id, policy: r.effective.policy }] : [], effective: r.effective?.policy ?? null };
}

/** CSV or TXT of terms: one a line, "term,label" or "term" (then the default label); a header line "term,label" is skipped. */
export function parseTerms(text: string, defaultLabel: string): Array<{ term: string; label: string }> {
  const seen = new Set<string>();
  const out: Array<{ term: string; label: string }> = [];
  for (const raw of text.split(/\r?\n/)) {
    const [term, label] = raw.split(/[,\t，]/).map((s) => s.trim().replace(/^"|"$/g, ''));
    if (!term || /^term$/i.test(term) || seen.has(term)) continue;
    seen.add(term);
    out.push({ term, label: label || defaultLabel });
  }
  return out;
}

const pretty = (v: unknown) => (v == null ? '' : JSON.stringify(v, null, 2));

/** Finding types a public term can lift (guard/public-terms.ts). */
const LIFTABLE = new Set(['person_name', 'address']);

/**
 * The try-it box. `markPublic` (for a security admin): adds a name or address the guard found to the department's public
 * terms (a false find: a product, a place that is no one's address), after which the text is scanned again.
 */
function TryIt({ department, markPublic }: { department: string; markPublic?: (term: string) => Promise<void> }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [text, setText] = useState('');
  const [result, setResult] = useState<ScanResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function scan() {
    setError(null);
    try { setResult(await post<ScanResult>('/api/console/scan', { department_id: department, text })); } catch (err) { setError(errorText(err)); }
  }
  async function mark(term: string) {
    setError(null);
    try {
      await markPublic!(term);
      await scan();
    } catch (err) { setError(errorText(err)); }
  }
  const actions = markPublic ? [{
    title: '', key: 'public', render: (_: unknown, f: ScanResult['findings'][number]) => LIFTABLE.has(f.type) && (
      <Popconfirm title={t('policy.markPublicConfirm', { term: f.text })} onConfirm={() => mark(f.text)} okButtonProps={{ 'data-testid': 'tryit-public-ok' } as never}>
        <Button size="small" data-testid={`tryit-public-${f.start}`}>{t('policy.markPublic')}</Button>
      </Popconfirm>
    ),
  }] : [];
  return (
    <Card title={t('policy.tryIt')} data-testid="tryit">
      <Input.TextArea rows={4} value={text} onChange={(e) => setText(e.target.value)} data-testid="tryit-text" />
      <Button type="primary" style={{ marginTop: 8 }} onClick={scan} data-testid="tryit-scan">{t('policy.scan')}</Button>
      {error && <Alert type="error" showIcon message={error} style={{ marginTop: 8 }} data-testid="tryit-error" />}
      {result && (
        <div style={{ marginTop: 12 }}>
          <Space><span>{t('panel.level')}:</span><Tag color={result.level === 'public' ? 'green' : result.level === 'classified' ? 'red' : 'orange'} data-testid="tryit-level">{t(`level.${result.level}` as never)}</Tag></Space>
          <Table size="small" rowKey={(f) => `${f.start}-${f.type}`} pagination={false} dataSource={result.findings} style={{ marginTop: 8 }} data-testid="tryit-findings" columns={[
            { title: t('policy.findings'), dataIndex: 'type' }, { title: t('panel.level'), dataIndex: 'level', render: (l) => t(`level.${l}` as never) }, { title: '', dataIndex: 'text', render: (v) => <span className="mark">{v}</span> },
            ...actions,
          ]} />
          {(['private', 'external'] as const).map((zone) => (
            <div key={zone} style={{ marginTop: 8 }} data-testid={`tryit-${zone}`}>
              <Typography.Text strong>{t('policy.receives', { zone: t(`zone.${zone}`) })}</Typography.Text>{' '}
              <Tag>{t(`policy.action.${result.zones[zone].action}` as never)}</Tag>
              {result.zones[zone].text !== null && <div className="outbound">{result.zones[zone].text}</div>}
            </div>
          ))}
        </div>
      )}
    </Card>
  );
}

function Dictionaries({ department }: { department: string }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const dicts = useList<Dictionary>(`/api/dictionaries?department_id=${encodeURIComponent(department)}`);
  const [open, setOpen] = useState(false);
  const [terms, setTerms] = useState<Array<{ term: string; label: string }>>([]);
  const [error, setError] = useState<string | null>(null);
  const [label, setLabel] = useState('custom');
  async function create(v: { name: string }) {
    setError(null);
    try {
      await post('/api/dictionaries', { department_id: department, name: v.name, terms });
      setOpen(false);
      setTerms([]);
      void dicts.reload();
    } catch (err) { setError(errorText(err)); }
  }
  return (
    <Card title={t('dict.title')} extra={<Button size="small" onClick={() => { setError(null); setOpen(true); }} data-testid="dict-new">{t('dict.create')}</Button>}>
      {dicts.error && <Alert type="error" showIcon message={dicts.error} />}
      <Table size="small" rowKey="id" dataSource={dicts.data} pagination={false} data-testid="dict-table" columns={[
        { title: t('common.name'), dataIndex: 'name' }, { title: t('dict.terms'), render: (_, d) => d.terms.length },
        { title: t('common.actions'), render: (_, d) => <Button size="small" danger onClick={async () => { try { await api('DELETE', `/api/dictionaries/${d.id}`); void dicts.reload(); } catch (err) { setError(errorText(err)); } }}>{t('common.delete')}</Button> },
      ]} />
      <Modal open={open} title={t('dict.create')} footer={null} onCancel={() => setOpen(false)} destroyOnHidden>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="dict-error" />}
        <Form layout="vertical" onFinish={create}>
          <Form.Item label={t('common.name')} name="name" rules={[{ required: true, message: t('form.required') }]}><Input data-testid="dict-name" /></Form.Item>
          <Form.Item label={t('dict.defaultLabel')}><Input value={label} onChange={(e) => setLabel(e.target.value)} /></Form.Item>
          <Form.Item label={t('dict.import')}>
            <Upload.Dragger accept=".csv,.txt" multiple={false} showUploadList={false} data-testid="dict-file"
              beforeUpload={async (file) => { setTerms(parseTerms(await file.text(), label || 'custom')); return false; }}>
              <p>{t('kb.drop')}</p>
            </Upload.Dragger>
            {terms.length > 0 && <Typography.Text data-testid="dict-count">{t('dict.imported', { n: terms.length })}</Typography.Text>}
          </Form.Item>
          <Button type="primary" htmlType="submit" data-testid="dict-create">{t('common.create')}</Button>
        </Form>
      </Modal>
    </Card>
  );
}

export default function Policies({ me }: PageProps) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const depts = useList<Department>('/api/departments');
  const [department, setDepartment] = useState<string | undefined>();
  const [view, setView] = useState<PolicyView | null>(null);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const canWrite = me.roles.some((r) => r.role === 'secadmin');

  useEffect(() => { if (!department && depts.data[0]) setDepartment(depts.data[0].id); }, [depts.data]);
  async function load(id: string) {
    try {
      const v = readPolicy(await get(`/api/departments/${id}/policy`));
      setView(v);
      setDraft(pretty(v.own));
      setError(null);
    } catch (err) { setError(errorText(err)); }
  }
  useEffect(() => { if (department) void load(department); }, [department]);

  /**
   * Adds a term to the department's own public terms. A department without a list of its own inherits the one above
   * it, and a list of its own replaces that one: so the new list starts from the inherited terms.
   */
  async function markPublic(term: string) {
    const v = readPolicy(await get(`/api/departments/${department}/policy`));
    const own = { ...((v.own ?? {}) as Record<string, unknown>) };
    // The effective view is { policy, source_department_id } (readPolicy's older shape gives the policy itself).
    const effective = v.effective as { policy?: { public_terms?: string[] }; public_terms?: string[] } | null;
    const inherited = effective?.policy?.public_terms ?? effective?.public_terms ?? [];
    const terms = Array.isArray(own.public_terms) ? (own.public_terms as string[]) : inherited;
    own.public_terms = terms.includes(term) ? terms : [...terms, term];
    await api('PUT', `/api/departments/${department}/policy`, { policy: own });
    await load(department!);
  }

  async function save() {
    setError(null);
    setSaved(false);
    let policy: unknown = null;
    if (draft.trim()) {
      try { policy = JSON.parse(draft); } catch { setError(t('policy.invalidJson')); return; }
    }
    try {
      await api('PUT', `/api/departments/${department}/policy`, { policy });
      setSaved(true);
      await load(department!);
    } catch (err) { setError(errorText(err)); }
  }

  return (
    <div data-testid="page-policies">
      <Space style={{ marginBottom: 16 }}>
        <span>{t('policy.department')}</span>
        <Select style={{ width: 240 }} value={department} onChange={setDepartment} options={depts.data.map((d) => ({ value: d.id, label: d.display_name ?? d.name }))} data-testid="policy-department" />
      </Space>
      {department && (
        <Row gutter={[16, 16]}>
          <Col span={12}>
            <Card title={t('policy.own')}>
              {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 8 }} data-testid="policy-error" />}
              {saved && <Alert type="success" showIcon message={t('common.saved')} style={{ marginBottom: 8 }} />}
              <Input.TextArea rows={10} value={draft} onChange={(e) => setDraft(e.target.value)} style={{ fontFamily: 'monospace' }} data-testid="policy-own" readOnly={!canWrite} />
              {canWrite && <Button type="primary" style={{ marginTop: 8 }} onClick={save} data-testid="policy-save">{t('common.save')}</Button>}
              <Collapse style={{ marginTop: 12 }} items={[
                { key: 'layers', label: t('policy.layers'), children: (view?.layers ?? []).map((l, i) => <div key={i}><Tag>{l.source}</Tag><pre className="outbound">{pretty(l.policy)}</pre></div>) },
                { key: 'effective', label: t('policy.effective'), children: <pre className="outbound" data-testid="policy-effective">{pretty(view?.effective)}</pre> },
              ]} />
            </Card>
          </Col>
          <Col span={12}><TryIt department={department} markPublic={canWrite ? markPublic : undefined} /></Col>
          <Col span={24}><Dictionaries department={department} /></Col>
        </Row>
      )}
    </div>
  );
}
