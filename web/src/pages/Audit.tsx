import { useEffect, useState } from 'react';
import { Alert, Button, Card, Input, Space, Table, Tag } from 'antd';
import { ApiError, get } from '../api.ts';
import { useErrorText } from '../errors.ts';
import { useI18n } from '../i18n.tsx';
import type { PageProps } from '../Shell.tsx';

type Rec = Record<string, any>;
interface Verify { intact: boolean; records: number; broken_at: number | null; reason: string | null }

const pick = (r: Rec, ...keys: string[]) => keys.map((k) => r[k]).find((v) => v !== undefined && v !== null);

/** The auditor's view of the audit API (GET /api/audit/records, /api/audit/verify); says so when the API is missing. */
export default function Audit(_props: PageProps) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [records, setRecords] = useState<Rec[]>([]);
  const [verify, setVerify] = useState<Verify | null>(null);
  const [action, setAction] = useState('');
  const [department, setDepartment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [more, setMore] = useState(false);

  async function load(after?: number) {
    const q = new URLSearchParams({ limit: '50' });
    if (after !== undefined) q.set('after_seq', String(after));
    if (action) q.set('action', action);
    if (department) q.set('department', department);
    try {
      const r = await get<any>(`/api/audit/records?${q}`);
      const rows: Rec[] = r.data ?? r.records ?? [];
      setRecords((old) => (after === undefined ? rows : [...old, ...rows]));
      setMore(rows.length === 50);
      setError(null);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && err.message.startsWith('Unknown route')) setMissing(true);
      else setError(errorText(err));
    }
  }
  async function runVerify() {
    try { setVerify(await get<Verify>('/api/audit/verify')); } catch (err) { if (!(err instanceof ApiError && err.status === 404)) setError(errorText(err)); }
  }
  useEffect(() => { void load(); void runVerify(); }, []);

  function exportJsonl() {
    const blob = new Blob([records.map((r) => JSON.stringify(r)).join('\n') + '\n'], { type: 'application/x-ndjson' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'yumen-audit.jsonl';
    a.click();
    URL.revokeObjectURL(a.href);
  }

  if (missing) return <Alert type="info" showIcon message={t('common.unavailable')} data-testid="audit-missing" />;
  const lastSeq = records.length ? Number(pick(records[records.length - 1], 'seq')) : undefined;
  return (
    <div data-testid="page-audit">
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      <Card style={{ marginBottom: 16 }}>
        <Space>
          {verify && (verify.intact
            ? <Tag color="green" data-testid="audit-verify">{t('audit.intact')} · {t('audit.records', { n: verify.records })}</Tag>
            : <Tag color="red" data-testid="audit-verify">{t('audit.broken', { seq: verify.broken_at ?? '?', reason: verify.reason ?? '' })}</Tag>)}
          <Button onClick={runVerify} data-testid="audit-verify-now">{t('audit.verify')}</Button>
        </Space>
      </Card>
      <Space style={{ marginBottom: 16 }} wrap>
        <Input placeholder={t('audit.action')} value={action} onChange={(e) => setAction(e.target.value)} data-testid="audit-action" />
        <Input placeholder={t('common.department')} value={department} onChange={(e) => setDepartment(e.target.value)} />
        <Button type="primary" onClick={() => load()} data-testid="audit-filter">{t('audit.filter')}</Button>
        <Button onClick={exportJsonl} disabled={!records.length}>{t('audit.export')}</Button>
      </Space>
      <Table size="small" rowKey={(r) => String(pick(r, 'seq', 'id', 'request_id'))} dataSource={records} pagination={false} data-testid="audit-table" columns={[
        { title: '#', render: (_, r) => pick(r, 'seq') },
        { title: t('audit.time'), render: (_, r) => { const v = pick(r, 'time', 'created_at'); return v ? new Date(Number(v)).toLocaleString() : ''; } },
        { title: t('audit.actor'), render: (_, r) => pick(r, 'actor', 'actor_id') ?? '—' },
        { title: t('audit.action'), render: (_, r) => pick(r, 'action') },
        { title: t('common.department'), render: (_, r) => pick(r, 'department', 'department_id', 'tenant_id') ?? '—' },
        { title: t('audit.decision'), render: (_, r) => pick(r, 'decision') },
        { title: t('audit.status'), render: (_, r) => pick(r, 'status') },
      ]} />
      {more && lastSeq !== undefined && <Button style={{ marginTop: 8 }} onClick={() => load(lastSeq)}>{t('audit.more')}</Button>}
    </div>
  );
}
