import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Empty, Input, Row, Select, Space, Tag, Typography } from 'antd';
import { api, ApiError, get, type Department } from '../api.ts';
import { useErrorText } from '../errors.ts';
import { useI18n } from '../i18n.tsx';
import { ownDepartments } from '../nav.ts';
import type { PageProps } from '../Shell.tsx';

interface Panel { request_id: string; route: 'private' | 'external'; level: string; redactions: number; model: string; outbound: Array<{ role: string; content: unknown }> | null }
interface Citation { n: number; document: string; page?: number | null; kb: string }
/** An app (业务场景应用) appears among the models as `app:<slug>` with its name, welcome text and suggested questions. */
interface ChatModel { id: string; zone: string; app?: { name: string; welcome: string | null; suggested_questions: string[]; variables: string[] } }
/** An image or a file attached to a question, as a data: URL (the gateway reads and guards it like the text). */
interface Attachment { name: string; url: string; image: boolean }
interface Turn { role: 'user' | 'assistant'; content: string; attachments?: Attachment[]; panel?: Panel; error?: string; citations?: Citation[] }

/**
 * Larger files are refused here, before they are read into the page: a conversation resends its attachments on every
 * turn, and the server takes 8 MB a request by default (server.body_limit_bytes), base64 a third larger than the file.
 */
const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

/** A turn as the API takes it: text, or text and its attachments as content parts. */
function apiContent(turn: Turn): string | unknown[] {
  if (!turn.attachments?.length) return turn.content;
  return [
    { type: 'text', text: turn.content },
    ...turn.attachments.map((a) => (a.image ? { type: 'image_url', image_url: { url: a.url } } : { type: 'file', file: { filename: a.name, file_data: a.url } })),
  ];
}

/** What the model received, readable: the text of the parts, an attachment by its name (never its bytes). */
function outboundText(content: unknown, attachment: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return JSON.stringify(content);
  return content.map((p: any) => (p?.type === 'text' ? p.text : `[${attachment}${p?.file?.filename ? ` ${p.file.filename}` : ''}]`)).join('\n');
}

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** Reads the console chat's event stream: OpenAI chunks, then the panel, then [DONE]. */
async function* events(res: Response): AsyncGenerator<any> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data: ')) continue;
        const data = line.slice(6);
        if (data === '[DONE]') return;
        yield JSON.parse(data);
      }
    }
  }
}

function LeftTheDomain({ panel }: { panel: Panel }) {
  const { t } = useI18n();
  const outbound = panel.outbound?.filter((m) => m.role !== 'assistant').at(-1);
  return (
    <Card size="small" title={t('panel.title')} data-testid="panel">
      <Descriptions size="small" column={1} items={[
        { key: 'route', label: t('panel.route'), children: <Tag color={panel.route === 'external' ? 'orange' : 'green'} data-testid="panel-route">{t(`zone.${panel.route}`)}</Tag> },
        { key: 'level', label: t('panel.level'), children: <span data-testid="panel-level">{t(`level.${panel.level}` as never)}</span> },
        { key: 'redactions', label: t('panel.redactions'), children: <b data-testid="panel-redactions">{panel.redactions}</b> },
        { key: 'model', label: t('panel.model'), children: panel.model },
      ]} />
      {panel.route === 'external' && outbound ? (
        <>
          <Typography.Text type="secondary">{t('panel.outbound')}</Typography.Text>
          <div className="outbound" data-testid="panel-outbound">{outboundText(outbound.content, t('chat.attachment'))}</div>
        </>
      ) : <Typography.Text type="success">{t('panel.stayed')}</Typography.Text>}
    </Card>
  );
}

export default function Chat({ me }: PageProps) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const mine = ownDepartments(me);
  const [departments, setDepartments] = useState<Department[]>([]);
  const [department, setDepartment] = useState<string | undefined>(mine[0]);
  const [models, setModels] = useState<ChatModel[]>([]);
  const [model, setModel] = useState('auto');
  const [bases, setBases] = useState<string[]>([]);
  const [chosenBases, setChosenBases] = useState<string[]>([]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [turns, setTurns] = useState<Turn[]>([]);
  const [input, setInput] = useState('');
  const [pending, setPending] = useState<Attachment[]>([]);
  const fileInput = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const bottom = useRef<HTMLDivElement>(null);

  useEffect(() => { get<{ data: Department[] }>('/api/departments').then((r) => setDepartments(r.data), (e) => setError(errorText(e))); }, []);
  useEffect(() => {
    if (!department) return;
    get<{ data: ChatModel[] }>(`/api/console/chat/models?department_id=${encodeURIComponent(department)}`)
      .then((r) => {
        setModels(r.data);
        setModel((m) => (m === 'auto' && r.data[0] ? r.data[0].id : m));
      }, (e) => setError(errorText(e)));
  }, [department]);
  useEffect(() => {
    if (!department) return;
    api<{ data: Array<{ name: string }> }>('GET', '/api/console/kb', undefined, { 'x-yumen-department': department })
      .then((r) => setBases(r.data.map((b) => b.name)), () => setBases([]));
  }, [department]);
  useEffect(() => { bottom.current?.scrollIntoView?.({ block: 'end' }); }, [turns]);

  /** The app's {{variables}} the user filled in (empty ones are left to the app's defaults). */
  function appValues(): Record<string, string> | null {
    const app = models.find((m) => m.id === model)?.app;
    if (!app?.variables.length) return null;
    const filled = Object.fromEntries(app.variables.filter((v) => values[v]?.trim()).map((v) => [v, values[v].trim()]));
    return Object.keys(filled).length ? filled : null;
  }

  async function attach(files: FileList | null) {
    for (const file of Array.from(files ?? [])) {
      if (file.size > MAX_ATTACHMENT_BYTES) {
        setError(`${t('chat.attachTooLarge')}${file.name}`);
        continue;
      }
      const url = await readAsDataUrl(file);
      setPending((all) => [...all, { name: file.name, url, image: file.type.startsWith('image/') }]);
    }
    if (fileInput.current) fileInput.current.value = '';
  }

  async function send() {
    const text = input.trim();
    if ((!text && !pending.length) || !department || busy) return;
    const asked: Turn = { role: 'user', content: text, ...(pending.length ? { attachments: pending } : {}) };
    const history = [...turns.filter((x) => !x.error), asked];
    setTurns([...history, { role: 'assistant', content: '' }]);
    setInput('');
    setPending([]);
    setBusy(true);
    setError(null);
    const update = (patch: Partial<Turn>) => setTurns((all) => [...all.slice(0, -1), { ...all[all.length - 1], ...patch }]);
    try {
      const res = await fetch('/api/console/chat', {
        method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ department_id: department, model, messages: history.map((turn) => ({ role: turn.role, content: apiContent(turn) })), ...(chosenBases.length ? { knowledge_bases: chosenBases } : {}), ...(appValues() ? { variables: appValues() } : {}) }),
      });
      if (!res.ok) {
        const e = (await res.json().catch(() => null))?.error;
        throw new ApiError(e?.message ?? `HTTP ${res.status}`, res.status, e?.code ?? 'http_error', e?.param ?? null);
      }
      let answer = '';
      for await (const ev of events(res)) {
        if (ev.error) throw new ApiError(ev.error.message, 500, ev.error.code, null);
        if (ev.yumen_panel) update({ panel: ev.yumen_panel });
        if (ev.yumen?.citations) update({ citations: ev.yumen.citations });
        const piece = ev.choices?.[0]?.delta?.content;
        if (piece) {
          answer += piece;
          update({ content: answer });
        }
      }
    } catch (err) {
      update({ error: errorText(err) });
    } finally {
      setBusy(false);
    }
  }

  if (!mine.length) return <Alert type="info" showIcon message={t('chat.noDepartment')} />;
  const names = new Map(departments.map((d) => [d.id, d.display_name ?? d.name]));
  const chosenApp = models.find((m) => m.id === model)?.app;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle" data-testid="page-chat">
      {error && <Alert type="error" showIcon message={error} />}
      <Space wrap>
        <span>{t('chat.department')}</span>
        <Select style={{ width: 200 }} value={department} onChange={setDepartment} options={mine.map((id) => ({ value: id, label: names.get(id) ?? id }))} />
        <span>{t('chat.model')}</span>
        <Select style={{ width: 240 }} value={model} onChange={setModel} data-testid="chat-model"
          options={[{ value: 'auto', label: 'auto' }, ...models.map((m) => ({ value: m.id, label: m.app ? `${m.app.name} · ${t('apps.tag')}` : `${m.id} · ${t(m.zone === 'external' ? 'zone.external' : 'zone.private')}` }))]} />
        {chosenApp?.variables.map((v) => (
          <Input key={v} style={{ width: 160 }} addonBefore={v} value={values[v] ?? ''} onChange={(e) => setValues((all) => ({ ...all, [v]: e.target.value }))} data-testid={`chat-var-${v}`} />
        ))}
        {bases.length > 0 && <>
          <span>{t('chat.knowledge')}</span>
          <Select mode="multiple" allowClear style={{ minWidth: 220 }} value={chosenBases} onChange={setChosenBases} options={bases.map((b) => ({ value: b, label: b }))} data-testid="chat-kb" />
        </>}
      </Space>
      {turns.length === 0 && (chosenApp ? (
        <Card size="small" data-testid="chat-app-welcome">
          {chosenApp.welcome && <Typography.Paragraph>{chosenApp.welcome}</Typography.Paragraph>}
          <Space wrap>{chosenApp.suggested_questions.map((q) => <Button key={q} size="small" onClick={() => setInput(q)} data-testid="chat-app-question">{q}</Button>)}</Space>
        </Card>
      ) : <Empty description={t('chat.placeholder')} />)}
      {turns.map((turn, i) => (
        <Row gutter={16} key={i}>
          <Col span={turn.role === 'assistant' ? 15 : 24}>
            <Card size="small" style={{ background: turn.role === 'user' ? '#eef6f3' : '#fff' }} data-testid={`turn-${turn.role}`}>
              <div className="chat-msg">{turn.content || (busy && i === turns.length - 1 ? '…' : '')}</div>
              {turn.attachments && <Space wrap>{turn.attachments.map((a, k) => <Tag key={k} data-testid="chat-attachment">{a.name}</Tag>)}</Space>}
              {turn.citations && turn.citations.length > 0 && (
                <Space wrap data-testid="chat-citations">{turn.citations.map((c) => <Tag key={c.n}>[{c.n}] {c.document}{c.page ? ` p.${c.page}` : ''}</Tag>)}</Space>
              )}
              {turn.error && <Alert type="error" showIcon message={turn.error} data-testid="chat-error" />}
            </Card>
          </Col>
          {turn.role === 'assistant' && turn.panel && <Col span={9}><LeftTheDomain panel={turn.panel} /></Col>}
        </Row>
      ))}
      <div ref={bottom} />
      {pending.length > 0 && (
        <Space wrap data-testid="chat-pending">
          {pending.map((a, k) => <Tag key={k} closable onClose={() => setPending((all) => all.filter((_, j) => j !== k))}>{a.name}</Tag>)}
        </Space>
      )}
      <input ref={fileInput} type="file" multiple hidden data-testid="chat-attach-input" onChange={(e) => void attach(e.target.files)} />
      <Space.Compact style={{ width: '100%' }}>
        <Button onClick={() => fileInput.current?.click()} data-testid="chat-attach" title={t('chat.attachHint')} style={{ height: 'auto' }}>{t('chat.attach')}</Button>
        <Input.TextArea autoSize={{ minRows: 2, maxRows: 8 }} value={input} placeholder={t('chat.placeholder')} data-testid="chat-input"
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); void send(); } }} />
        <Button type="primary" onClick={send} loading={busy} data-testid="chat-send" style={{ height: 'auto' }}>{t('chat.send')}</Button>
      </Space.Compact>
    </Space>
  );
}
