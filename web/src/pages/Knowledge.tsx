import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Col, Form, Input, List, Progress, Row, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import { api, get, toApiError, type Department } from '../api.ts';
import { useErrorText } from '../errors.ts';
import { useI18n } from '../i18n.tsx';
import { ownDepartments } from '../nav.ts';
import type { PageProps } from '../Shell.tsx';

interface Base { name: string; description?: string | null }
interface Doc { id: string; source?: string; name?: string; status?: string; note?: string | null; chunks?: number }
interface Hit { document: string; text: string; score: number; page?: number | null; heading?: string | null; kb: string }
/** One dropped file: upload percentage, then its ingest job's status. */
interface FileState { uid: string; name: string; upload: number; status: 'uploading' | 'queued' | 'running' | 'done' | 'failed'; error?: string }

const BASE = '/api/console/kb';

function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** XHR, not fetch: only XHR reports upload progress. */
function uploadJson(url: string, body: string, department: string, onProgress: (pct: number) => void): Promise<any> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('content-type', 'application/json');
    xhr.setRequestHeader('x-yumen-department', department);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100)); };
    xhr.onload = () => {
      let data: any = null;
      try { data = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(toApiError(xhr.status, data));
    };
    xhr.onerror = () => reject(new TypeError('network'));
    xhr.send(body);
  });
}

const STATUS_COLOR: Record<string, string> = { done: 'green', failed: 'red', running: 'blue', queued: 'default', uploading: 'processing' };

export default function Knowledge({ me }: PageProps) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const mine = ownDepartments(me);
  const [departments, setDepartments] = useState<Department[]>([]);
  const [department, setDepartment] = useState<string | undefined>(mine[0]);
  const [bases, setBases] = useState<Base[]>([]);
  const [current, setCurrent] = useState<string | undefined>();
  const [docs, setDocs] = useState<Doc[]>([]);
  const [files, setFiles] = useState<FileState[]>([]);
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const headers = { 'x-yumen-department': department ?? '' };
  const call = <T,>(method: string, path: string, body?: unknown) => api<T>(method, `${BASE}${path}`, body, headers);

  useEffect(() => { get<{ data: Department[] }>('/api/departments').then((r) => setDepartments(r.data), () => {}); }, []);
  const loadBases = useCallback(async () => {
    if (!department) return;
    try { setBases((await call<{ data: Base[] }>('GET', '')).data); } catch (err) { setError(errorText(err)); }
  }, [department]);
  useEffect(() => { void loadBases(); }, [loadBases]);
  const loadDocs = useCallback(async () => {
    if (!current) return;
    try { setDocs((await call<{ documents: Doc[] }>('GET', `/${encodeURIComponent(current)}`)).documents ?? []); } catch (err) { setError(errorText(err)); }
  }, [current, department]);
  useEffect(() => { void loadDocs(); }, [loadDocs]);

  const patch = (uid: string, p: Partial<FileState>) => setFiles((all) => all.map((f) => (f.uid === uid ? { ...f, ...p } : f)));

  async function upload(file: File & { uid: string }) {
    const kb = current!;
    setFiles((all) => [...all, { uid: file.uid, name: file.name, upload: 0, status: 'uploading' }]);
    try {
      const body = JSON.stringify({ files: [{ name: file.name, content_base64: toBase64(await file.arrayBuffer()) }] });
      const r = await uploadJson(`${BASE}/${encodeURIComponent(kb)}/documents`, body, department!, (pct) => patch(file.uid, { upload: pct }));
      patch(file.uid, { upload: 100, status: 'queued' });
      for (;;) {
        const job = await call<{ done: boolean; jobs: Array<{ status: string; error: string | null }> }>('GET', `/${encodeURIComponent(kb)}/jobs/${r.batch_id}`);
        const j = job.jobs[0];
        const status = j?.status === 'failed' ? 'failed' : job.done ? 'done' : j?.status === 'running' ? 'running' : 'queued';
        patch(file.uid, { status, error: j?.error ?? undefined });
        if (job.done) break;
        await new Promise((res) => setTimeout(res, 400));
      }
      void loadDocs();
    } catch (err) {
      patch(file.uid, { status: 'failed', error: errorText(err) });
    }
  }

  const finished = files.filter((f) => f.status === 'done' || f.status === 'failed').length;
  const names = new Map(departments.map((d) => [d.id, d.display_name ?? d.name]));
  return (
    <div data-testid="page-knowledge">
      {error && <Alert type="error" showIcon closable onClose={() => setError(null)} message={error} style={{ marginBottom: 16 }} data-testid="kb-error" />}
      <Space style={{ marginBottom: 16 }} wrap>
        <Select style={{ width: 200 }} value={department} onChange={setDepartment} options={mine.map((id) => ({ value: id, label: names.get(id) ?? id }))} />
        <Select style={{ width: 240 }} value={current} placeholder={t('kb.select')} onChange={(v) => { setCurrent(v); setFiles([]); setHits(null); }} data-testid="kb-select"
          options={bases.map((b) => ({ value: b.name, label: b.name }))} />
        <Form layout="inline" onFinish={async (v) => {
          try { await call('POST', '', { name: v.name }); await loadBases(); setCurrent(v.name); } catch (err) { setError(errorText(err)); }
        }}>
          <Form.Item name="name" rules={[{ required: true, message: t('form.required') }]}><Input placeholder={t('common.name')} data-testid="kb-name" /></Form.Item>
          <Button htmlType="submit" data-testid="kb-create">{t('kb.create')}</Button>
        </Form>
      </Space>
      {current && (
        <Row gutter={[16, 16]}>
          <Col span={12}>
            <Card title={current}>
              <div data-testid="kb-drop"><Upload.Dragger multiple showUploadList={false}
                customRequest={({ file }) => { void upload(file as File & { uid: string }); }}>
                <p style={{ padding: 16 }}>{t('kb.drop')}</p>
              </Upload.Dragger></div>
              {files.length > 0 && (
                <div style={{ marginTop: 12 }} data-testid="kb-progress">
                  <Typography.Text>{t('kb.batch')}: {finished}/{files.length}</Typography.Text>
                  <Progress percent={Math.round((finished / files.length) * 100)} data-testid="kb-batch-progress" />
                  <List size="small" dataSource={files} renderItem={(f) => (
                    <List.Item data-testid={`kb-file-${f.name}`}>
                      <div style={{ width: '100%' }}>
                        <Space><span>{f.name}</span><Tag color={STATUS_COLOR[f.status]} data-testid="kb-file-status">{f.status}</Tag>{f.error && <Typography.Text type="danger">{f.error}</Typography.Text>}</Space>
                        <Progress size="small" percent={f.status === 'done' ? 100 : f.status === 'uploading' ? Math.round(f.upload * 0.5) : 60} status={f.status === 'failed' ? 'exception' : undefined} />
                      </div>
                    </List.Item>
                  )} />
                </div>
              )}
            </Card>
            <Card title={t('kb.documents')} style={{ marginTop: 16 }}>
              <Table size="small" rowKey="id" dataSource={docs} pagination={{ pageSize: 20 }} data-testid="kb-docs" columns={[
                { title: t('common.name'), render: (_, d) => d.source ?? d.name },
                { title: t('kb.status'), render: (_, d) => <Tag color={d.status === 'failed' ? 'red' : 'green'}>{d.status ?? 'ok'}</Tag> },
                { title: t('kb.error'), render: (_, d) => d.note ?? '' },
              ]} />
            </Card>
          </Col>
          <Col span={12}>
            <Card title={t('kb.search')}>
              <Input.Search data-testid="kb-search" enterButton={t('kb.search')} onSearch={async (q) => {
                if (!q.trim()) return;
                try { setHits((await call<{ results: Hit[] }>('POST', `/${encodeURIComponent(current)}/search`, { query: q, top_k: 5 })).results); } catch (err) { setError(errorText(err)); }
              }} />
              {hits && <List style={{ marginTop: 12 }} dataSource={hits} data-testid="kb-hits" renderItem={(h, i) => (
                <List.Item>
                  <div>
                    <Space><Tag>#{i + 1}</Tag><b>{h.document}</b>{h.page ? <span>p.{h.page}</span> : null}<Typography.Text type="secondary">{h.score.toFixed(3)}</Typography.Text></Space>
                    <div className="chat-msg" style={{ marginTop: 4 }}>{h.text}</div>
                  </div>
                </List.Item>
              )} />}
            </Card>
            <Card title={t('kb.share')} style={{ marginTop: 16 }}>
              <Form layout="inline" onFinish={async (v) => {
                try { await call('POST', `/${encodeURIComponent(current)}/shares`, { department: v.department }); setError(null); } catch (err) { setError(errorText(err)); }
              }}>
                <Form.Item name="department" rules={[{ required: true, message: t('form.required') }]}><Input placeholder={t('common.department')} data-testid="kb-share-dept" /></Form.Item>
                <Button htmlType="submit" data-testid="kb-share">{t('kb.share')}</Button>
              </Form>
            </Card>
          </Col>
        </Row>
      )}
    </div>
  );
}
