import { useEffect, useMemo, useState } from 'react';
import { Alert, Card, Col, Empty, Row, Segmented, Statistic, Table } from 'antd';
import { get } from '../api.ts';
import { useErrorText } from '../errors.ts';
import { useI18n } from '../i18n.tsx';
import type { PageProps } from '../Shell.tsx';
import { EChart } from './EChart.tsx';

interface Cell { day: number; department: string; zone: string; model: string; calls: number; tokens: number; refused: number; pseudonymized: number }
interface Overview { cells: Cell[]; findings: Record<string, number>; private_backends: Array<{ backend: string; calls: number; avg_latency_ms: number; max_latency_ms: number }>; private_queues?: Array<{ backend: string; active: number; queued: number }>; since: number; days: number }

const sum = (cells: Cell[], k: keyof Cell) => cells.reduce((a, c) => a + (c[k] as number), 0);
function groupBy(cells: Cell[], key: (c: Cell) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of cells) m.set(key(c), (m.get(key(c)) ?? 0) + c.calls);
  return m;
}

export default function OverviewPage(_props: PageProps) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [days, setDays] = useState(7);
  const [data, setData] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => { get<Overview>(`/api/console/overview?days=${days}`).then(setData, (e) => setError(errorText(e))); }, [days]);

  const charts = useMemo(() => {
    if (!data) return null;
    const dayList = Array.from({ length: data.days }, (_, i) => data.since + i * 86_400_000);
    const label = (d: number) => new Date(d).toISOString().slice(5, 10);
    const departments = [...new Set(data.cells.map((c) => c.department))];
    const byDay = {
      tooltip: { trigger: 'axis' }, legend: {}, grid: { left: 40, right: 16, bottom: 24 },
      xAxis: { type: 'category', data: dayList.map(label) }, yAxis: { type: 'value' },
      series: departments.map((d) => ({ name: d, type: 'bar', stack: 'calls', data: dayList.map((day) => sum(data.cells.filter((c) => c.day === day && c.department === d), 'calls')) })),
    };
    const pie = (m: Map<string, number>, name: (k: string) => string) => ({
      tooltip: {}, series: [{ type: 'pie', radius: ['40%', '70%'], data: [...m].map(([k, v]) => ({ name: name(k), value: v })) }],
    });
    const zoneName = (z: string) => (z === 'external' || z === 'private' ? t(`zone.${z}`) : z);
    // Sankey: department → zone → model, weighted by calls.
    const links = new Map<string, number>();
    const add = (a: string, b: string, v: number) => links.set(`${a}\u0000${b}`, (links.get(`${a}\u0000${b}`) ?? 0) + v);
    for (const c of data.cells) {
      add(`▸ ${c.department}`, zoneName(c.zone), c.calls);
      add(zoneName(c.zone), c.model, c.calls);
    }
    const nodes = new Set<string>();
    for (const k of links.keys()) for (const n of k.split('\u0000')) nodes.add(n);
    const sankey = {
      tooltip: {}, series: [{ type: 'sankey', left: 16, right: 160, nodeAlign: 'justify', emphasis: { focus: 'adjacency' }, lineStyle: { color: 'gradient', opacity: 0.4 }, data: [...nodes].map((name) => ({ name })),
        links: [...links].map(([k, value]) => { const [source, target] = k.split('\u0000'); return { source, target, value }; }) }],
    };
    const findings = {
      tooltip: {}, grid: { left: 110, right: 16 }, xAxis: { type: 'value' },
      yAxis: { type: 'category', data: Object.keys(data.findings) }, series: [{ type: 'bar', data: Object.values(data.findings) }],
    };
    return { byDay, zones: pie(groupBy(data.cells, (c) => c.zone), zoneName), models: pie(groupBy(data.cells, (c) => c.model), (m) => m), sankey, findings };
  }, [data, t]);

  if (error) return <Alert type="error" showIcon message={error} />;
  return (
    <div data-testid="page-overview">
      <Segmented value={days} onChange={(v) => setDays(Number(v))} options={[{ value: 1, label: '1d' }, { value: 7, label: '7d' }, { value: 30, label: '30d' }]} style={{ marginBottom: 16 }} />
      {data && (
        <Row gutter={[16, 16]}>
          <Col span={6}><Card><Statistic title={t('overview.calls')} value={sum(data.cells, 'calls')} data-testid="stat-calls" /></Card></Col>
          <Col span={6}><Card><Statistic title={t('overview.tokens')} value={sum(data.cells, 'tokens')} /></Card></Col>
          <Col span={6}><Card><Statistic title={t('overview.refused')} value={sum(data.cells, 'refused')} data-testid="stat-refused" /></Card></Col>
          <Col span={6}><Card><Statistic title={t('overview.pseudonymized')} value={sum(data.cells, 'pseudonymized')} data-testid="stat-pseudonymized" /></Card></Col>
          <Col span={24}><Card title={t('overview.queues')} data-testid="overview-queues">
            {data.private_queues?.length ? (
              <Table size="small" rowKey="backend" pagination={false} dataSource={data.private_queues} columns={[
                { title: 'backend', dataIndex: 'backend' }, { title: t('overview.active'), dataIndex: 'active' }, { title: t('overview.queued'), dataIndex: 'queued' },
              ]} />
            ) : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('overview.noQueues')} />}
          </Card></Col>
          {data.cells.length === 0 ? <Col span={24}><Card><Empty description={t('overview.empty')} /></Card></Col> : charts && (
            <>
              <Col span={24}><Card title={t('overview.flow')}><EChart option={charts.sankey} height={320} testId="chart-sankey" /></Card></Col>
              <Col span={12}><Card title={t('overview.byDay')}><EChart option={charts.byDay} /></Card></Col>
              <Col span={6}><Card title={t('overview.byZone')}><EChart option={charts.zones} /></Card></Col>
              <Col span={6}><Card title={t('overview.byModel')}><EChart option={charts.models} /></Card></Col>
              <Col span={12}><Card title={t('overview.findings')}><EChart option={charts.findings} /></Card></Col>
              <Col span={12}><Card title={t('overview.backends')}>
                <Table size="small" rowKey="backend" pagination={false} dataSource={data.private_backends} columns={[
                  { title: 'backend', dataIndex: 'backend' }, { title: t('overview.calls'), dataIndex: 'calls' },
                  { title: t('overview.avgLatency'), dataIndex: 'avg_latency_ms' }, { title: t('overview.maxLatency'), dataIndex: 'max_latency_ms' },
                ]} />
              </Card></Col>
            </>
          )}
        </Row>
      )}
    </div>
  );
}
